/**
 * The Prosody module's RESP reply parser (prosody/resp_protocol.lib.lua), run by Prosody's own Lua
 * with Prosody's util/ on the path: every reply whole, byte by byte and split at each position, a
 * large reply in chunks, and a stream that is not RESP (test/lua/resp_protocol_check.lua).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { findOnPath, requireBinaries } from "../../helpers/require-binary.js";

const CHECK = fileURLToPath(new URL("../../lua/resp_protocol_check.lua", import.meta.url));
const PARSER = fileURLToPath(new URL("../../../prosody/resp_protocol.lib.lua", import.meta.url));

/** The interpreter Prosody runs on (its script's `#!`) and its source directory (`prosodyctl about`). */
function prosodyLua(): { lua: string; source: string } {
  requireBinaries(["prosody", "prosodyctl"]);
  const shebang = readFileSync(findOnPath("prosody") ?? "", "utf8").split("\n")[0] ?? "";
  const lua = /^#!\s*(?:\S*\/env\s+)?(\S+)/u.exec(shebang)?.[1];
  const source = /^Source directory:\s*(\S+)/mu.exec(execFileSync("prosodyctl", ["about"], { encoding: "utf8" }))?.[1];
  if (lua === undefined || source === undefined) throw new Error(`cannot find Prosody's Lua (${shebang})`);
  return { lua, source: source.replace(/\/$/u, "") };
}

describe("the module's RESP reply parser", () => {
  it("reads every reply the same however it is split, and refuses what is not RESP", () => {
    const { lua, source } = prosodyLua();
    const output = execFileSync(lua, [CHECK, PARSER], {
      encoding: "utf8",
      env: { ...process.env, LUA_PATH: `${source}/?.lua;;`, LUA_CPATH: `${source}/?.so;;` },
    });
    expect(output.trim()).toMatch(/^ok \d{3,}$/u);
  });
});
