/**
 * The module's claims confirmed on the replicas behind Redis Sentinel (prosody/resp_replicas.lib.lua with
 * resp_topology.lib.lua and resp_client.lib.lua), run by Prosody's own Lua with fake transports
 * (test/lua/resp_replicas_check.lua): which replicas count, WAIT in the claim's write, an unconfirmed claim reported
 * as one that may have run, the option, and a switch of master noticed by asking the Sentinels again. Against real
 * Sentinels: test/integration/sentinel-registrations.test.ts.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runProsodyLua } from "../../helpers/prosody-lua.js";

const CHECK = fileURLToPath(new URL("../../lua/resp_replicas_check.lua", import.meta.url));
const MODULES = fileURLToPath(new URL("../../../prosody", import.meta.url));

describe("the module's claims behind Redis Sentinel", () => {
  it("wait for every replica the Sentinels see up, in the claim's write, and are refused when fewer confirm", () => {
    expect(runProsodyLua(CHECK, [MODULES]).trim()).toMatch(/^ok \d+$/u);
  });
});
