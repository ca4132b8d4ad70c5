/**
 * One write of an invite's save, run either way: queued in a MULTI (admins' invites, the migration) or passed to the
 * quota script that runs it in the step that takes a user's place (redis-quota-script.ts). Typed rather than raw
 * commands because the MULTIs of a plain, Sentinel and Cluster client queue raw commands differently.
 */
import type { RedisConnection } from "./redis-connection.js";

type Multi = ReturnType<RedisConnection["client"]["multi"]>;

export type RedisWrite =
  | { readonly op: "SET"; readonly key: string; readonly value: string; readonly atMs: number }
  | { readonly op: "ZADD"; readonly key: string; readonly score: number; readonly member: string }
  | { readonly op: "ZREMRANGEBYSCORE"; readonly key: string; readonly min: string; readonly max: string };

/** Queues `writes` in `multi`, in order. */
export function queueWrites(multi: Multi, writes: readonly RedisWrite[]): Multi {
  for (const write of writes) {
    if (write.op === "SET") multi.set(write.key, write.value, { PXAT: write.atMs });
    else if (write.op === "ZADD") multi.zAdd(write.key, { score: write.score, value: write.member });
    else multi.zRemRangeByScore(write.key, write.min, write.max);
  }
  return multi;
}

/** One write as the command Redis runs. */
function commandOf(write: RedisWrite): string[] {
  switch (write.op) {
    case "SET":
      return [write.op, write.key, write.value, "PXAT", String(write.atMs)];
    case "ZADD":
      return [write.op, write.key, String(write.score), write.member];
    case "ZREMRANGEBYSCORE":
      return [write.op, write.key, write.min, write.max];
  }
}

/** The quota script's ARGV tail that runs `writes`: each one's argument count, then its arguments. */
export function scriptArgsOf(writes: readonly RedisWrite[]): string[] {
  return writes.flatMap((write) => {
    const command = commandOf(write);
    return [String(command.length), ...command];
  });
}
