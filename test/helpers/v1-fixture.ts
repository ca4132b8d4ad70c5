/**
 * Loads test/fixtures/v1-store/store.json (a layout-v1 store written by the v1
 * code) into a Redis, with every time in it moved forward by the fixture's age,
 * and the stream's consumer group in the state it was in.
 */
import { readFileSync } from "node:fs";
import type { RawRedis } from "./scenario.js";

interface FixtureKey {
  key: string;
  type: "string" | "set" | "zset" | "stream";
  pttl: number;
  value?: string;
  members?: unknown[];
  entries?: { id: string; message: Record<string, string> }[];
  groups?: { name: string; "last-delivered-id": string }[];
  pending?: { id: string; consumer: string }[];
}

export interface V1Fixture {
  madeAtMs: number;
  host: string;
  keys: FixtureKey[];
}

export const V1_FIXTURE: V1Fixture = JSON.parse(
  readFileSync(new URL("../fixtures/v1-store/store.json", import.meta.url), "utf8"),
) as V1Fixture;

/** The v1 tokens in the fixture (they are in its key names), by key kind. */
export function fixtureTokens(kind: "token" | "inviter"): string[] {
  const prefix = `invite:${V1_FIXTURE.host}:${kind}:`;
  return V1_FIXTURE.keys.filter((k) => k.key.startsWith(prefix)).map((k) => k.key.split(":").at(-1) ?? "");
}

/** The v1 invite object stored under a token, as the fixture has it. */
export function fixtureInvite(token: string): Record<string, unknown> {
  const entry = V1_FIXTURE.keys.find((k) => k.key === `invite:${V1_FIXTURE.host}:token:${token}`);
  return (JSON.parse(entry?.value ?? "null") as { value: Record<string, unknown> }).value;
}

function shiftEnvelope(text: string, shiftMs: number): string {
  const envelope = JSON.parse(text) as { value: unknown; expires?: number };
  const shiftS = Math.round(shiftMs / 1000);
  let value = envelope.value;
  if (typeof value === "number") value += shiftS;
  else if (typeof value === "object" && value !== null) {
    const invite = value as { created_at?: number; expires?: number };
    value = { ...invite, created_at: (invite.created_at ?? 0) + shiftS, expires: (invite.expires ?? 0) + shiftS };
  }
  return JSON.stringify({ value, ...(envelope.expires === undefined ? {} : { expires: envelope.expires + shiftMs }) });
}

export async function loadV1Fixture(redis: RawRedis): Promise<void> {
  const shiftMs = Date.now() - V1_FIXTURE.madeAtMs;
  for (const entry of V1_FIXTURE.keys) {
    const { key, pttl } = entry;
    if (entry.type === "string") {
      const value = key.startsWith("invite:") ? shiftEnvelope(entry.value ?? "", shiftMs) : (entry.value ?? "");
      await redis.set(key, value, pttl > 0 ? { PX: pttl } : {});
    } else if (entry.type === "set") {
      await redis.sAdd(key, entry.members as string[]);
    } else if (entry.type === "zset") {
      const members = entry.members as { value: string; score: number }[];
      await redis.zAdd(
        key,
        members.map(({ value, score }) => ({ value, score: score + shiftMs })),
      );
      if (pttl > 0) await redis.pExpire(key, pttl);
    } else {
      await loadStream(redis, entry);
    }
  }
}

/** Entries with their ids, then the group delivered up to where it was, with the same entries unacknowledged. */
async function loadStream(redis: RawRedis, entry: FixtureKey): Promise<void> {
  for (const { id, message } of entry.entries ?? []) await redis.xAdd(entry.key, id, message);
  for (const group of entry.groups ?? []) {
    await redis.xGroupCreate(entry.key, group.name, "0");
    const delivered = (entry.entries ?? []).filter((e) => compareIds(e.id, group["last-delivered-id"]) <= 0);
    for (const { id } of delivered) {
      const owner = entry.pending?.find((p) => p.id === id)?.consumer ?? "invites";
      await redis.xReadGroup(group.name, owner, { key: entry.key, id: ">" }, { COUNT: 1 });
      if (!entry.pending?.some((p) => p.id === id)) await redis.xAck(entry.key, group.name, id);
    }
  }
}

function compareIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split("-").map(Number);
  const [bm = 0, bs = 0] = b.split("-").map(Number);
  return am - bm || as - bs;
}
