/**
 * Asks the operations listener's GET /healthz (src/ops/server.ts) and says in one line whether the bot is healthy:
 * the answer of `node dist/healthcheck.js` when the bot listens on OPS_LISTEN, as its image does.
 */
import type { HealthVerdict } from "./check.js";

/** Docker's healthcheck gives the whole command 5 s (Dockerfile, docker-compose.yml). */
const TIMEOUT_MS = 3_000;

interface Report {
  readonly status?: unknown;
  readonly xmpp?: unknown;
  readonly redis?: unknown;
  readonly role?: unknown;
}

function describe(report: Report): string {
  return `XMPP ${String(report.xmpp)}, Redis ${String(report.redis)}, ${String(report.role)}`;
}

export async function askOps(url: string, timeoutMs = TIMEOUT_MS): Promise<HealthVerdict> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const code = ((error as Error).cause as { code?: string } | undefined)?.code ?? (error as Error).name;
    return { healthy: false, words: `${url}: no answer (${code}); is the bot running, and OPS_LISTEN the same?` };
  }
  let report: Report;
  try {
    report = (await response.json()) as Report;
  } catch {
    return { healthy: false, words: `${url}: HTTP ${response.status} without a health report` };
  }
  if (response.status === 200 && report.status === "ok") return { healthy: true, words: `ok: ${describe(report)}` };
  return { healthy: false, words: `${String(report.status)} (HTTP ${response.status}): ${describe(report)}` };
}
