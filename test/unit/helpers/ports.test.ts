import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ephemeralRange, ownPortBlock, portBlocks, portSlot, slotCount } from "../../helpers/port-blocks.js";
import { canBind, freePort, portAllocator } from "../../helpers/ports.js";

const held: Server[] = [];

function hold(port: number): Promise<void> {
  const server = createServer();
  held.push(server);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port, exclusive: true }, () => resolve());
  });
}

afterEach(async () => {
  await Promise.all(held.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

describe("freePort", () => {
  it("gives many calls made at once as many different ports, all of this worker's block and bindable", async () => {
    const ports = await Promise.all(Array.from({ length: 60 }, () => freePort()));
    expect(new Set(ports).size).toBe(ports.length);
    const block = ownPortBlock();
    const ephemeral = ephemeralRange();
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(block.first);
      expect(port).toBeLessThanOrEqual(block.last);
      expect(port < ephemeral.first || port > ephemeral.last).toBe(true);
    }
    // Each was free: a server can listen on all of them together.
    await Promise.all(ports.map(hold));
  });

  it("never gives a port it gave before, even once it is free again", async () => {
    const first = await freePort();
    expect(await canBind(first)).toBe(true);
    const later = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    expect(later).not.toContain(first);
  });
});

describe("portAllocator", () => {
  it("skips a port that something listens on", async () => {
    const [busy, free] = [await freePort(), await freePort()];
    await hold(busy);
    const next = portAllocator([busy, free]);
    expect(await next()).toBe(free);
    await expect(next()).rejects.toThrow(/no free port left among the 2/u);
  });
});

describe("port blocks", () => {
  it("gives every vitest worker a block of its own, outside the kernel's ephemeral range", () => {
    const ephemeral = { first: 32768, last: 60999 };
    const blocks = portBlocks(ephemeral, 33);
    expect(blocks).toHaveLength(33);
    for (const [i, block] of blocks.entries()) {
      expect(block.last - block.first + 1).toBeGreaterThanOrEqual(100);
      expect(block.last < ephemeral.first || block.first > ephemeral.last).toBe(true);
      expect(block.first).toBeGreaterThan(blocks[i - 1]?.last ?? 0);
    }
  });

  it("uses the room above the ephemeral range when there is more of it", () => {
    const blocks = portBlocks({ first: 10000, last: 30000 }, 10);
    expect(blocks[0]?.first).toBe(30001);
    expect(blocks.at(-1)?.last).toBeLessThanOrEqual(65535);
  });

  it("refuses, saying why, when the ephemeral range leaves no room", () => {
    expect(() => portBlocks({ first: 1024, last: 65535 }, 33)).toThrow(/leaves no room for 33 blocks/u);
  });

  it("reads the kernel's range and this worker's slot", () => {
    expect(ephemeralRange("32768\t60999\n")).toEqual({ first: 32768, last: 60999 });
    expect(portSlot({ VITEST_POOL_ID: "3" })).toBe(3);
    expect(portSlot({})).toBe(0);
    expect(portSlot()).toBeGreaterThanOrEqual(1);
    expect(portSlot()).toBeLessThan(slotCount());
  });
});
