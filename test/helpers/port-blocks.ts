/**
 * Which loopback ports a process may give its private test servers: a block of its own, outside the kernel's
 * ephemeral range. The kernel never picks a port there (for `listen(0)` or the source port of a connection), and
 * every vitest worker running at the same time has a different VITEST_POOL_ID, hence a different block.
 */
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

/** Both ends included. */
export interface PortRange {
  readonly first: number;
  readonly last: number;
}

/** Below this are the ports of services an admin may run on a test machine (5222 XMPP, 6379 Redis, 8080 …). */
const LOWEST_PORT = 10_000;
const HIGHEST_PORT = 65_535;
/** A block must hold every server a test file starts, and room to skip ports something else holds. */
const SMALLEST_BLOCK = 100;

/** The kernel's ephemeral range (net.ipv4.ip_local_port_range), e.g. "32768\t60999". */
export function ephemeralRange(text = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8")): PortRange {
  const [first, last] = text.trim().split(/\s+/u).map(Number);
  if (first === undefined || last === undefined || !Number.isInteger(first) || !Number.isInteger(last)) {
    throw new Error(`cannot read the ephemeral port range from ${JSON.stringify(text)}`);
  }
  return { first, last };
}

/**
 * `count` disjoint blocks of equal size in the larger stretch of [LOWEST_PORT, 65535] that the ephemeral range
 * leaves free. Every process computes the same blocks, so block `i` belongs to slot `i` alone.
 */
export function portBlocks(ephemeral: PortRange, count: number): PortRange[] {
  const below = { first: LOWEST_PORT, last: Math.min(ephemeral.first - 1, HIGHEST_PORT) };
  const above = { first: Math.max(ephemeral.last + 1, LOWEST_PORT), last: HIGHEST_PORT };
  const size = (range: PortRange): number => Math.max(0, range.last - range.first + 1);
  const stretch = size(below) >= size(above) ? below : above;
  const blockSize = Math.floor(size(stretch) / count);
  if (blockSize < SMALLEST_BLOCK) {
    throw new Error(
      `the ephemeral port range ${ephemeral.first}-${ephemeral.last} leaves no room for ${count} blocks of ` +
        `${SMALLEST_BLOCK} test ports between ${LOWEST_PORT} and ${HIGHEST_PORT}`,
    );
  }
  return Array.from({ length: count }, (_, i) => {
    const first = stretch.first + i * blockSize;
    return { first, last: first + blockSize - 1 };
  });
}

/** Slot 0 is for processes outside vitest (scripts/, vitest's main process); a vitest worker's is its VITEST_POOL_ID. */
export function portSlot(env: NodeJS.ProcessEnv = process.env): number {
  const poolId = env.VITEST_POOL_ID;
  if (poolId === undefined) return 0;
  const slot = Number(poolId);
  if (!Number.isInteger(slot) || slot < 1) throw new Error(`unexpected VITEST_POOL_ID ${JSON.stringify(poolId)}`);
  return slot;
}

/** How many slots there are: more than vitest starts workers by default (at most one per CPU). */
export function slotCount(): number {
  return Math.max(32, availableParallelism()) + 1;
}

/** This process's own block. */
export function ownPortBlock(): PortRange {
  const slot = portSlot();
  const blocks = portBlocks(ephemeralRange(), slotCount());
  const block = blocks[slot];
  if (block === undefined) {
    throw new Error(`VITEST_POOL_ID ${slot} has no port block: at most ${blocks.length - 1} vitest workers at a time`);
  }
  return block;
}
