/** The Lua scripts of prosody/scripts/ as Redis sees them, to tell in a proxy which one a command runs. */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

export interface SharedScript {
  readonly source: string;
  /** The SHA-1 EVALSHA names it by. */
  readonly sha: string;
}

export function sharedScript(name: string): SharedScript {
  const source = readFileSync(new URL(`../../prosody/scripts/${name}`, import.meta.url), "utf8");
  return { source, sha: createHash("sha1").update(source).digest("hex") };
}

/** Whether `command` runs `script`, by EVALSHA or by EVAL (after NOSCRIPT). */
export function runs(script: SharedScript, command: readonly string[]): boolean {
  const name = command[0]?.toUpperCase();
  return (name === "EVALSHA" && command[1] === script.sha) || (name === "EVAL" && command[1] === script.source);
}
