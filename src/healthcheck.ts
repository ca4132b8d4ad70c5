/**
 * `node dist/healthcheck.js`: the bot's container healthcheck (Dockerfile, docker-compose.yml). Prints one line and
 * exits 0 when the bot is healthy, 1 otherwise: its /healthz on OPS_LISTEN, or its HEALTH_FILE (health/verdict.ts
 * says which). Like main.ts, an entry point, so it reads process.env itself.
 */
import { healthVerdict } from "./health/verdict.js";

const { healthy, words } = await healthVerdict(process.env);
process.stdout.write(`${words}\n`);
process.exitCode = healthy ? 0 : 1;
