/**
 * Runs a Lua check script (test/lua/) with the interpreter Prosody runs on and Prosody's own util/ on the path (on 13
 * also its loader.lua), for unit tests of the module's Lua outside a running Prosody.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { findOnPath, requireBinaries } from "./require-binary.js";

/** The interpreter Prosody runs on (its script's `#!`) and its source directory (`prosodyctl about`). */
function prosodyLua(): { lua: string; source: string } {
  requireBinaries(["prosody", "prosodyctl"]);
  const shebang = readFileSync(findOnPath("prosody") ?? "", "utf8").split("\n")[0] ?? "";
  const lua = /^#!\s*(?:\S*\/env\s+)?(\S+)/u.exec(shebang)?.[1];
  const source = /^Source directory:\s*(\S+)/mu.exec(execFileSync("prosodyctl", ["about"], { encoding: "utf8" }))?.[1];
  if (lua === undefined || source === undefined) throw new Error(`cannot find Prosody's Lua (${shebang})`);
  return { lua, source: source.replace(/\/$/u, "") };
}

/** The script's standard output; throws (with its output) when it exits with an error. */
export function runProsodyLua(script: string, args: readonly string[], input?: string): string {
  const { lua, source } = prosodyLua();
  // Prosody 13's util/ modules require each other as `prosody.util.*`, which only its loader.lua resolves (the
  // prosody script loads it first, as here); 0.12 has no loader.lua and requires them as `util.*`.
  const loader = existsSync(`${source}/loader.lua`) ? ["-l", "loader"] : [];
  return execFileSync(lua, [...loader, script, ...args], {
    encoding: "utf8",
    env: { ...process.env, LUA_PATH: `${source}/?.lua;;`, LUA_CPATH: `${source}/?.so;;` },
    ...(input === undefined ? {} : { input }),
  });
}
