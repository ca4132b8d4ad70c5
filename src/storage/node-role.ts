/**
 * What a Redis node says it is now (`ROLE`, Redis documentation: "master", "slave" or "sentinel"), asked on a
 * connection of its own that is closed after the answer. For an old master behind Sentinel
 * (sentinel-replicas.ts): the Sentinels re-read a replica's INFO only every 10 s, so what they report of its role
 * can be that old, and the node's own word is the only current one.
 */
import { createClient } from "@keyv/redis";
import type { RedisCredentials, RedisNodeAddress } from "./redis-target.js";

/**
 * The node's role; `undefined` when it did not answer within `timeoutMs` (down, or out of reach); `unknown` when it
 * answered otherwise, e.g. NOPERM from an ACL without `+role`.
 */
export async function askRole(
  { host, port }: RedisNodeAddress,
  credentials: RedisCredentials,
  timeoutMs: number,
): Promise<string | undefined> {
  const connection = createClient({
    ...credentials,
    socket: { host, port, connectTimeout: timeoutMs, reconnectStrategy: false },
    disableOfflineQueue: true,
  });
  connection.on("error", () => {}); // no answer is an answer here: `undefined`
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  const asked = (async () => {
    try {
      await connection.connect();
    } catch {
      return undefined;
    }
    try {
      const reply: unknown = await connection.sendCommand(["ROLE"]);
      return Array.isArray(reply) && typeof reply[0] === "string" ? reply[0] : "unknown";
    } catch {
      return "unknown";
    }
  })();
  try {
    return await Promise.race([asked, late]);
  } finally {
    clearTimeout(timer);
    if (connection.isOpen) connection.destroy();
  }
}
