/**
 * The real entry point (src/main.ts) as a process: bad configuration exits 2
 * with every problem listed, and so do an invite store layout it does not
 * know and a web port already taken; SIGTERM says goodbye and exits 0.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { xml } from "@xmpp/xml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LAYOUT_VERSION, layoutKey } from "../../src/storage/keys.js";
import { executeIq, formValues, tokenOf } from "../helpers/adhoc-client.js";
import { eventually } from "../helpers/bot.js";
import { type MainRun, runMain } from "../helpers/main-process.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import { BOT_SIGNING_ENV } from "../helpers/signing.js";

let cwd: string;
beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), "invite-bot-main-"));
});
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe("bad configuration", () => {
  it("exits with code 2 and lists every problem, without a stack trace", async () => {
    const run = runMain(cwd, {
      ADMIN_JIDS: "not-a-jid",
      ALLOW_USER_INVITES: "perhaps",
      INVITE_TTL: "soon",
      REDIS_URL: "nope",
    });
    expect(await run.exited).toBe(2);
    const output = run.output();
    for (const problem of [
      "XMPP_DOMAIN is required",
      "XMPP_USERNAME is required",
      "XMPP_PASSWORD is required",
      "INVITE_SIGNING_KEY is required",
      'ADMIN_JIDS: "not-a-jid" is not a bare JID',
      'ALLOW_USER_INVITES must be true or false, got "perhaps"',
      'INVITE_TTL must be a whole number of seconds from 60 to 31622400, got "soon"',
      'REDIS_URL is not a valid URL: "nope"',
    ]) {
      expect(output).toContain(problem);
    }
    expect(output).not.toMatch(/\n\s+at /u);
  });
});

describe("a running bot", () => {
  let world: Scenario;
  beforeAll(async () => {
    world = await startScenario();
  });
  afterAll(async () => {
    await world?.stop();
  });

  const botEnv = () => ({
    XMPP_SERVICE: world.servers.service,
    // This server has no registration hook of ours; the bot need not find out (docs/servers.md).
    REGISTRATION: "server",
    XMPP_DOMAIN: "localhost",
    XMPP_USERNAME: "bot",
    XMPP_PASSWORD: "bot-password",
    XMPP_RESOURCE: "invites",
    REDIS_URL: world.servers.redisUrl,
    ...BOT_SIGNING_ENV,
  });

  it("sends unavailable presence and exits 0 on SIGTERM", async () => {
    const alice = await world.login("alice@localhost");
    const run = runMain(cwd, botEnv());
    try {
      await run.online();
      // Become the bot's contact so its presence reaches alice.
      await alice.send(xml("presence", { to: "bot@localhost", type: "subscribe" }));
      await alice.nextPresence({ from: "bot@localhost", type: "subscribe" });
      await alice.send(xml("presence", { to: "bot@localhost", type: "subscribed" }));
      await alice.nextPresence({ from: "bot@localhost/invites", type: "available" });

      run.child.kill("SIGTERM");
      expect(await run.exited).toBe(0);
      const goodbye = await alice.nextPresence({ from: "bot@localhost/invites", type: "unavailable" });
      expect(goodbye).toBeDefined();
      expect(run.output()).toContain("Stopped");
      expect(run.output()).not.toContain("bot-password");
    } finally {
      await run.kill();
    }
  });

  it("exits 2 with one clear line when the invite store has a layout it does not know", async () => {
    await world.redis.set(layoutKey("localhost"), "4");
    const run = runMain(cwd, botEnv());
    try {
      expect(await run.exited).toBe(2);
      expect(run.output()).toContain("The invite store in Redis has layout 4 for localhost");
      expect(run.output()).not.toMatch(/\n\s+at /u);
    } finally {
      await run.kill();
      await world.redis.set(layoutKey("localhost"), LAYOUT_VERSION);
    }
  });

  it("exits 2 with one clear line when its web port is taken, not staying online without its pages", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const { port } = taken.address() as AddressInfo;
    const run = runMain(cwd, { ...botEnv(), WEB_LISTEN: `127.0.0.1:${port}`, WEB_URL: `http://127.0.0.1:${port}` });
    try {
      expect(await run.exited).toBe(2);
      expect(run.output()).toContain("Cannot listen for the web pages on WEB_LISTEN");
      expect(run.output()).not.toMatch(/\n\s+at /u);
    } finally {
      await run.kill();
      taken.close();
    }
  });

  it("stops with exit 2 when another instance takes over its resource, instead of fighting it", async () => {
    const first = runMain(cwd, botEnv());
    let second: MainRun | undefined;
    try {
      await first.online();
      second = runMain(cwd, botEnv());
      expect(await first.exited).toBe(2);
      expect(first.output()).toContain("Another session logged in with the same JID and resource");
      await second.online();
      // The second is left alone: it is still online, and was never replaced.
      const alice = await world.login("alice@localhost");
      await alice.sendChat("bot@localhost/invites", "help");
      await alice.nextMessage({ from: "bot@localhost/invites", body: /^I create invites for localhost/u }, 10_000);
      expect(second.output().match(/ Online /gu)).toHaveLength(1);
      second.child.kill("SIGTERM");
      expect(await second.exited).toBe(0);
    } finally {
      await first.kill();
      await second?.kill();
    }
  });

  it("prints every stanza with XMPP_DEBUG=1, credentials hidden", async () => {
    const run = runMain(cwd, { ...botEnv(), XMPP_DEBUG: "1" });
    try {
      await run.online();
      await eventually(async () =>
        expect(run.output()).toMatch(/OUT\n<presence>[\s\S]*<c xmlns="http:\/\/jabber.org\/protocol\/caps"/u),
      );
      expect(run.output()).toContain('<hidden xmlns="xmpp.js"/>');
      expect(run.output()).not.toContain("bot-password");
      // An invite passes through the trace with its token cut short.
      const alice = await world.login("alice@localhost");
      const reply = await alice.requestRaw(executeIq("bot@localhost/invites", "urn:xmpp:invite#invite"));
      const token = tokenOf(formValues(reply.getChild("command")?.getChild("x")).uri ?? reply.toString());
      await eventually(async () => expect(run.output()).toContain(`preauth=${token.slice(0, 4)}…`));
      expect(run.output()).not.toContain(token);

      // A message 12,000 elements deep (written raw: serialising it would recurse in the sender too)
      // goes through the trace, and the bot still answers afterwards.
      const depth = 12_000;
      await alice.xmpp.write(
        `<message to="bot@localhost/invites" type="chat">${"<x>".repeat(depth)}deep${"</x>".repeat(depth)}</message>`,
      );
      await alice.sendChat("bot@localhost/invites", "help");
      await alice.nextMessage({ from: "bot@localhost/invites", body: /^I create invites for localhost/u }, 10_000);
      expect(run.output()).toContain("[deeper elements not shown]");
      expect(run.output()).not.toContain("RangeError");
      run.child.kill("SIGTERM");
      expect(await run.exited).toBe(0);
    } finally {
      await run.kill();
    }
  });
});
