/** Free loopback TCP ports for private test servers, never the same one twice (test/helpers/port-blocks.ts). */
import { randomInt } from "node:crypto";
import { createServer } from "node:net";
import { ownPortBlock } from "./port-blocks.js";

/** True when 127.0.0.1:`port` can be listened on right now. */
export function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.unref();
    probe.once("error", () => resolve(false));
    probe.listen({ host: "127.0.0.1", port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/**
 * Hands out `candidates` in order, each at most once, skipping those that cannot be bound (something else holds
 * them). A candidate is taken before it is probed, so calls made at the same time never get the same port.
 */
export function portAllocator(candidates: readonly number[]): () => Promise<number> {
  let next = 0;
  return async () => {
    while (next < candidates.length) {
      const port = candidates[next] as number;
      next += 1;
      if (await canBind(port)) return port;
    }
    throw new Error(`no free port left among the ${candidates.length} of this process`);
  };
}

let ownAllocator: (() => Promise<number>) | undefined;

/** This process's block, from a random place in it: a test file run by the same vitest slot after us starts elsewhere. */
function ownCandidates(): number[] {
  const { first, last } = ownPortBlock();
  const ports = Array.from({ length: last - first + 1 }, (_, i) => first + i);
  const start = randomInt(ports.length);
  return [...ports.slice(start), ...ports.slice(0, start)];
}

/**
 * A port on 127.0.0.1 that could be bound a moment ago and that no other call, in this process or in another vitest
 * worker, gets. A foreign process could still take it before the caller binds it: servers that fail to bind must be
 * detected by the caller.
 */
export function freePort(): Promise<number> {
  ownAllocator ??= portAllocator(ownCandidates());
  return ownAllocator();
}
