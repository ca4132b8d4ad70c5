/**
 * The Prosody module's RESP reply parser (prosody/resp_protocol.lib.lua), run by Prosody's own Lua
 * with Prosody's util/ on the path: every reply whole, byte by byte and split at each position, a
 * large reply in chunks, and a stream that is not RESP (test/lua/resp_protocol_check.lua).
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runProsodyLua } from "../../helpers/prosody-lua.js";

const CHECK = fileURLToPath(new URL("../../lua/resp_protocol_check.lua", import.meta.url));
const PARSER = fileURLToPath(new URL("../../../prosody/resp_protocol.lib.lua", import.meta.url));

describe("the module's RESP reply parser", () => {
  it("reads every reply the same however it is split, and refuses what is not RESP", () => {
    expect(runProsodyLua(CHECK, [PARSER]).trim()).toMatch(/^ok \d{3,}$/u);
  });
});
