/**
 * The web pages' way of creating accounts on Prosody with our module: XEP-0401 preauth + XEP-0077 over an
 * unauthenticated stream from the bot's process (src/registration/in-band.ts), against the private Prosody.
 * The Registrar's rules are its contract's (test/integration/contracts/registrar-in-band.test.ts); the exchanges
 * here — made, refused by the server, reset — are the ones whose debug log "never logs a password" reads.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorFor } from "../../../src/invites/permissions.js";
import { createLogger } from "../../../src/logger.js";
import { InBandRegistrar } from "../../../src/registration/in-band.js";
import type { TestBot } from "../../helpers/bot.js";
import { type Scenario, startScenario } from "../../helpers/scenario.js";
import { TEST_SIGNING_KEY } from "../../helpers/signing.js";
import { canLogIn } from "../../helpers/xmpp-user.js";

let world: Scenario;
let bot: TestBot;
let registrar: InBandRegistrar;
const logs: string[] = [];

beforeAll(async () => {
  world = await startScenario({ inviteModule: true });
  bot = await world.startBot("bot");
  registrar = new InBandRegistrar({
    service: world.servers.service,
    domain: "localhost",
    timeoutMs: 5_000,
    signingKey: TEST_SIGNING_KEY,
    log: createLogger("debug", { write: (line: string) => logs.push(line) }),
  });
});

afterAll(async () => {
  await world?.stop();
});

const admin = () => actorFor("admin@localhost", bot.app.service.policy);

describe("in-band registration with an invite, from the bot's process", () => {
  it("creates the account once; the invite is then used up", async () => {
    const { invite } = await bot.app.service.createAccountInvite(admin(), "admin@localhost/web");
    expect(await registrar.register({ token: invite.token, username: "nora", password: "nora-secret-1" })).toEqual({
      ok: true,
    });
    expect(await canLogIn(world.servers.service, "nora@localhost", "nora-secret-1")).toBe(true);
    const again = await registrar.register({ token: invite.token, username: "nora2", password: "x-secret-2" });
    expect(again).toMatchObject({ ok: false, reason: "invite-invalid" });
  });

  it("says a taken name is taken, and leaves the invite usable", async () => {
    const { invite } = await bot.app.service.createAccountInvite(admin(), "admin@localhost/web");
    expect(await registrar.register({ token: invite.token, username: "alice", password: "p-secret-1" })).toMatchObject({
      ok: false,
      reason: "username-taken",
    });
    expect(await registrar.register({ token: invite.token, username: "olga", password: "p-secret-1" })).toEqual({
      ok: true,
    });
  });

  it("sets a new password with a reset link, and the old one stops working", async () => {
    await world.servers.prosody.register("rosa", "localhost", "old-password");
    const { invite } = await bot.app.service.createPasswordResetInvite(
      admin(),
      "admin@localhost/web",
      "rosa@localhost",
    );
    expect(await registrar.resetPassword({ token: invite.token, username: "rosa", password: "new-password" })).toEqual({
      ok: true,
    });
    expect(await canLogIn(world.servers.service, "rosa@localhost", "new-password")).toBe(true);
    expect(await canLogIn(world.servers.service, "rosa@localhost", "old-password")).toBe(false);
  });

  it("never logs a password", () => {
    const all = logs.join("");
    for (const secret of ["nora-secret-1", "p-secret-1", "new-password"]) expect(all).not.toContain(secret);
    expect(all).toContain("Web registration done");
  });
});
