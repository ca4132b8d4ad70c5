/**
 * Redis round trips per request, counted from outside with MONITOR (issue 26: a user's contact invite with a quota
 * should need one). Each line MONITOR prints is one command; a script's own commands are marked `[… lua]` and are
 * not round trips; the commands a MULTI … EXEC carries travel together and count once.
 */
import { createClient } from "@keyv/redis";

/** Round trips in MONITOR `lines` (one connection or several: each's MULTI … EXEC counts once). */
export function roundTripsIn(lines: readonly string[]): number {
  let trips = 0;
  const inTransaction = new Set<string>();
  for (const line of lines) {
    const match = /^\d+\.\d+ \[\d+ ([^\]]+)\] "(\w+)"/u.exec(line);
    if (match === null) continue;
    const [, source = "", command = ""] = match;
    if (source === "lua") continue;
    const name = command.toUpperCase();
    if (name === "MULTI") {
      inTransaction.add(source);
      trips += 1;
    } else if (name === "EXEC" || name === "DISCARD") {
      inTransaction.delete(source);
    } else if (!inTransaction.has(source)) {
      trips += 1;
    }
  }
  return trips;
}

const DONE = "round-trips-counted";

/** Runs `requests` (one after another) while MONITOR watches `redisUrl`; the round trips per request. */
export async function roundTripsPer(
  redisUrl: string,
  requests: number,
  request: () => Promise<unknown>,
): Promise<number> {
  const monitor = createClient({ url: redisUrl });
  const marker = createClient({ url: redisUrl });
  for (const client of [monitor, marker]) client.on("error", () => {});
  await Promise.all([monitor.connect(), marker.connect()]);
  const lines: string[] = [];
  let seenDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    seenDone = resolve;
  });
  try {
    await monitor.monitor((line: string) => {
      if (line.includes(DONE)) seenDone();
      else lines.push(line);
    });
    for (let made = 0; made < requests; made += 1) await request();
    // A connection in MONITOR mode sends nothing more: another one's marker, seen last, says every line is in.
    await marker.echo(DONE);
    await done;
  } finally {
    monitor.destroy();
    marker.destroy();
  }
  return roundTripsIn(lines) / requests;
}
