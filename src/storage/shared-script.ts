/**
 * The scripts of prosody/scripts/, which the Prosody module runs too: one text for both sides, so that both write
 * the same keys the same way (docs/storage.md). Read once, when the file that names one is loaded.
 */
import { readFileSync } from "node:fs";
import { RedisScript } from "./redis-connection.js";

export function sharedScript(name: string): RedisScript {
  return new RedisScript(readFileSync(new URL(`../../prosody/scripts/${name}`, import.meta.url), "utf8"));
}
