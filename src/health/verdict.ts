/**
 * What `node dist/healthcheck.js` asks (src/healthcheck.ts), from its environment: the operations listener's
 * /healthz (docs/operations.md) when OPS_LISTEN is set, as the bot's image sets it; else the HEALTH_FILE, when set,
 * as before OPS_LISTEN existed; else /healthz at OPS_LISTEN's default, where the bot listens unless told otherwise.
 */
import { DEFAULT_OPS_LISTEN, isOff, localUrl, parseListen } from "../config/ops.js";
import { checkHealth, type HealthVerdict } from "./check.js";
import { askOps } from "./ops-check.js";

export async function healthVerdict(env: Readonly<Record<string, string | undefined>>): Promise<HealthVerdict> {
  const ops = env.OPS_LISTEN?.trim() || undefined;
  const healthFile = env.HEALTH_FILE?.trim() || undefined;
  if ((ops === undefined || isOff(ops)) && healthFile !== undefined) return checkHealth(healthFile);
  if (ops !== undefined && isOff(ops)) {
    return { healthy: false, words: "OPS_LISTEN is off and HEALTH_FILE is not set: nothing tells the bot's health" };
  }
  const listen = parseListen(ops ?? DEFAULT_OPS_LISTEN);
  if (listen === undefined) return { healthy: false, words: `OPS_LISTEN must be host:port or off, got "${ops}"` };
  return askOps(localUrl(listen, "/healthz"));
}
