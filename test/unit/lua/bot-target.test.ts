/**
 * Which session of the bot mod_invites_bot asks (prosody/invites_bot_target.lib.lua), run by Prosody's own Lua with
 * Prosody's session tables faked (test/lua/invites_bot_target_check.lua): the option's forms, and the leader (the
 * highest priority >= 0) first, then any instance, never one that is gone.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runProsodyLua } from "../../helpers/prosody-lua.js";

const CHECK = fileURLToPath(new URL("../../lua/invites_bot_target_check.lua", import.meta.url));
const TARGET = fileURLToPath(new URL("../../../prosody/invites_bot_target.lib.lua", import.meta.url));

describe("the bot's session mod_invites_bot asks", () => {
  it("follows invites_bot_jid's forms and picks the leader, else any instance online", () => {
    expect(runProsodyLua(CHECK, [TARGET]).trim()).toMatch(/^ok \d{2,}$/u);
  });
});
