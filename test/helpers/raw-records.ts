/**
 * Writes invite records straight into Redis in the layout of docs/storage.md,
 * as another writer (or an attacker with access to Redis) would: for tests of
 * what each side accepts. Uses only the record codec, not the bot's store.
 */

import { generateToken } from "../../src/invites/token.js";
import { idsKey, recordKey } from "../../src/storage/keys.js";
import {
  expiryIndexesOf,
  type InviteRecord,
  type SignedValue,
  signRecord,
  tokenHash,
} from "../../src/storage/record.js";
import type { RawRedis } from "./scenario.js";
import { TEST_SIGNING_KEYS } from "./signing.js";

export interface RawRecordOptions {
  /** The value to store instead of a correctly signed one (forgeries). */
  readonly value?: SignedValue | Record<string, unknown>;
  /** Sign with this key instead of the test servers' current one. */
  readonly signingKey?: string;
  readonly host?: string;
}

/** A record that expires in a week, with overrides. */
export function recordWith(overrides: Partial<InviteRecord> = {}): InviteRecord {
  const now = Math.floor(Date.now() / 1000);
  return {
    type: "register",
    jid: "localhost",
    allow_registration: true,
    additional_data: { source: "admin@localhost/test" },
    created_at: now,
    expires: now + 604_800,
    reusable: false,
    ...overrides,
  };
}

/** Stores `record` under a new token (or `token`) with its indexes; returns the token. */
export async function writeRawRecord(
  redis: RawRedis,
  record: InviteRecord,
  options: RawRecordOptions & { token?: string } = {},
): Promise<string> {
  const host = options.host ?? "localhost";
  const token = options.token ?? generateToken();
  const hash = tokenHash(token);
  const value =
    options.value ??
    signRecord({ current: options.signingKey ?? TEST_SIGNING_KEYS.current, old: [] }, host, hash, record);
  const expiresMs = record.expires * 1000;
  const multi = redis.multi();
  multi.set(recordKey(host, hash), JSON.stringify({ value, expires: expiresMs }), { PXAT: expiresMs });
  for (const index of expiryIndexesOf(host, record)) multi.zAdd(index, { score: record.expires, value: hash });
  multi.zAdd(idsKey(host), { score: 0, value: hash });
  await multi.exec();
  return token;
}

/** The stored value of an invite, parsed (undefined when absent). */
export async function readRawRecord(redis: RawRedis, token: string, host = "localhost"): Promise<unknown> {
  const raw = await redis.get(recordKey(host, tokenHash(token)));
  return raw === null ? undefined : (JSON.parse(raw) as { value: unknown }).value;
}

/** The record stored for a token, parsed (its tag unchecked), or undefined when there is none. */
export async function storedRecord(
  redis: RawRedis,
  token: string,
  host = "localhost",
): Promise<InviteRecord | undefined> {
  const value = (await readRawRecord(redis, token, host)) as { record?: string } | undefined;
  return value?.record === undefined ? undefined : (JSON.parse(value.record) as InviteRecord);
}
