/**
 * `node dist/healthcheck.js`: the bot's container healthcheck (Dockerfile, docker-compose.yml). Prints one
 * line and exits 0 when the bot is logged in to the XMPP server, 1 otherwise. Like main.ts, an entry point,
 * so it reads process.env itself.
 */
import { checkHealth } from "./health/check.js";

const verdict = checkHealth(process.env.HEALTH_FILE?.trim() || undefined);
process.stdout.write(`${verdict.words}\n`);
process.exitCode = verdict.healthy ? 0 : 1;
