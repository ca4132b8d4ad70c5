/** The HMAC keys of invite records (docs/storage.md, "The tag"): INVITE_SIGNING_KEY and INVITE_SIGNING_KEYS_OLD. */
import type { Reader } from "./reader.js";
import type { Config } from "./types.js";

/** At least 32 characters: a key from `openssl rand -base64 32` has 44. */
export const MIN_SIGNING_KEY_LENGTH = 32;

export function readSigningKeys(reader: Reader): Config["signingKeys"] {
  const current = reader.optional("INVITE_SIGNING_KEY") ?? "";
  if (current === "") {
    reader.problems.push(
      "INVITE_SIGNING_KEY is required: a secret of at least 32 characters, the same as Prosody's " +
        "invites_redis_signing_key (make one with: openssl rand -base64 32)",
    );
  }
  const old = (reader.optional("INVITE_SIGNING_KEYS_OLD") ?? "")
    .split(",")
    .map((key) => key.trim())
    .filter((key) => key !== "");
  const named: Array<[string, string]> = [
    ["INVITE_SIGNING_KEY", current],
    ...old.map((k): [string, string] => ["INVITE_SIGNING_KEYS_OLD", k]),
  ];
  for (const [name, key] of named) {
    if (key !== "" && key.length < MIN_SIGNING_KEY_LENGTH) {
      reader.problems.push(
        `${name} must be at least ${MIN_SIGNING_KEY_LENGTH} characters (make one with: openssl rand -base64 32)`,
      );
    }
  }
  if (current !== "" && current.includes(",")) reader.problems.push("INVITE_SIGNING_KEY must not contain a comma");
  return { current, old };
}
