/**
 * The invite signing keys of the test servers (docs/storage.md, "The tag"):
 * the bot gets them as INVITE_SIGNING_KEY / INVITE_SIGNING_KEYS_OLD, Prosody as
 * invites_redis_signing_key / invites_redis_signing_keys_old.
 */
import type { SigningKeys } from "../../src/storage/record.js";

export const TEST_SIGNING_KEY = "test-signing-key-0123456789abcdef-not-for-production";
/** A key that signed invites before a rotation; still accepted by both sides in the tests. */
export const TEST_OLD_SIGNING_KEY = "test-old-signing-key-fedcba9876543210-not-for-production";

export const TEST_SIGNING_KEYS: SigningKeys = { current: TEST_SIGNING_KEY, old: [TEST_OLD_SIGNING_KEY] };

/** The bot's environment for these keys. */
export const BOT_SIGNING_ENV = {
  INVITE_SIGNING_KEY: TEST_SIGNING_KEY,
  INVITE_SIGNING_KEYS_OLD: TEST_OLD_SIGNING_KEY,
} as const;
