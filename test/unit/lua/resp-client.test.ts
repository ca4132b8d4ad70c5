/**
 * Where the Prosody module's Redis client sends a command (prosody/resp_client.lib.lua, resp_topology.lib.lua), run
 * by Prosody's own Lua with fake transports (test/lua/resp_client_check.lua): one Redis; a Cluster's MOVED and ASK;
 * a Sentinel's master, found again after a failover; several commands in one write; options refused with reasons.
 * The same code against real Sentinels and a real Cluster: test/integration/ (the Prosody module's Redis modes).
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runProsodyLua } from "../../helpers/prosody-lua.js";

const CHECK = fileURLToPath(new URL("../../lua/resp_client_check.lua", import.meta.url));
const MODULES = fileURLToPath(new URL("../../../prosody", import.meta.url));

describe("the module's Redis client", () => {
  it("follows a Cluster's redirections and a Sentinel's failover, and refuses wrong options", () => {
    expect(runProsodyLua(CHECK, [MODULES]).trim()).toMatch(/^ok \d+$/u);
  });
});
