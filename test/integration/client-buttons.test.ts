/**
 * The apps' own "invite" buttons lead to the bot (issue 11): each client's stanza sequence replayed from a
 * separate test client against the private Prosody running prosody/mod_invites_bot.lua, with the real bot.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Element, xml } from "@xmpp/xml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inviteId } from "../../src/invites/pending.js";
import { actorFor } from "../../src/invites/permissions.js";
import { quotaKey } from "../../src/storage/keys.js";
import { errorOf, NS_COMMANDS, tokenOf } from "../helpers/adhoc-client.js";
import { eventually, type TestBot } from "../helpers/bot.js";
import {
  CONVERSATIONS_TIMEOUT_MS,
  type CommandItem,
  CREATE_ACCOUNT,
  conversationsCommands,
  INVITE,
  monalCommands,
  runCommand,
  serverCommands,
  strictErrorOf,
  submitted,
  uriJid,
} from "../helpers/client-replays.js";
import { type RedisProxy, startRedisProxy } from "../helpers/redis-proxy.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import type { TestUser } from "../helpers/xmpp-user.js";

const BOT = "bot@localhost/invites";
const DOMAIN = "localhost";
const OTHER_DOMAIN = "other.localhost";

let world: Scenario;
let bot: TestBot;
let admin: TestUser;
let alice: TestUser;
let eve: TestUser;
let boss: TestUser;

beforeAll(async () => {
  // Prosody's own admin commands too, to check that the bot's come after them.
  world = await startScenario({ inviteModule: true, inviteBot: BOT, moreModules: ["admin_adhoc"] });
  bot = await world.startBot("bot");
  [admin, alice, eve, boss] = await world.loginAll([
    "admin@localhost",
    "alice@localhost",
    "eve@other.localhost",
    "boss@other.localhost",
  ]);
});

afterAll(async () => {
  await world?.stop();
});

/** The invite behind a URI is the bot's: in Redis, in the bot's list of the inviter. */
async function expectBotsInvite(uri: string | undefined, inviter: string): Promise<void> {
  const token = tokenOf(uri);
  expect(await bot.app.store.findById(inviteId(token))).toHaveLength(1);
  const listed = await bot.app.service.listInvites(actorFor(inviter, bot.app.service.policy));
  expect(listed.invites.map((invite) => invite.id)).toContain(inviteId(token));
}

describe("discovery at the user's own server", () => {
  it("lists the bot's #invite to a local user, at the domain and then at the bot's full JID", async () => {
    const items = await serverCommands(alice, DOMAIN);
    expect(items.filter((item) => item.node === INVITE)).toEqual([
      { jid: DOMAIN, node: INVITE, name: "Create new contact invite" },
      { jid: BOT, node: INVITE, name: "Create new contact invite" },
    ]);
    expect(items.some((item) => item.node === CREATE_ACCOUNT)).toBe(false);
  });

  it("lists #create-account too for an admin of the bot, after Prosody's own commands", async () => {
    const items = await serverCommands(admin, DOMAIN);
    const ours = new Set([INVITE, CREATE_ACCOUNT]);
    const prosodys = items.filter((item) => !ours.has(item.node));
    expect(prosodys.length).toBeGreaterThan(0);
    expect(items.slice(0, prosodys.length)).toEqual(prosodys);
    expect(conversationsCommands(items).get(CREATE_ACCOUNT)).toBe(BOT);
    expect(conversationsCommands(items).get(INVITE)).toBe(BOT);
    expect([...monalCommands(items, DOMAIN)].filter((node) => ours.has(node)).sort()).toEqual([CREATE_ACCOUNT, INVITE]);
  });

  it("lists nothing of the bot's to a user of another domain, and only #create-account to its admin", async () => {
    expect((await serverCommands(eve, DOMAIN)).filter((item) => item.jid === BOT)).toEqual([]);
    const forBoss = await serverCommands(boss, DOMAIN);
    expect(forBoss.filter((item) => item.jid === BOT).map((item) => item.node)).toEqual([CREATE_ACCOUNT]);
  });

  it("hides no one's commands: mod_admin_adhoc's, of other nodes, are not taken for mod_invites_adhoc's", async () => {
    expect((await serverCommands(admin, DOMAIN)).filter((item) => item.node.includes("admin"))).not.toEqual([]);
    expect(moduleLogLines(world, "warn").filter((line) => line.includes("is loaded too"))).toEqual([]);
  });
});

describe("Conversations 2.20", () => {
  it("Show QR code: #invite with action='complete' at the item's jid, one round, within 2 s", async () => {
    const jid = conversationsCommands(await serverCommands(alice, DOMAIN)).get(INVITE) ?? "";
    const quotaBefore = await world.redis.zCard(quotaKey(DOMAIN, "alice@localhost"));
    const answer = await runCommand(
      alice,
      jid,
      INVITE,
      { action: "complete" },
      { timeoutMs: CONVERSATIONS_TIMEOUT_MS },
    );
    expect(answer.from).toBe(jid);
    expect(answer.status).toBe("completed");
    expect(answer.forms).toBe(1);
    expect(uriJid(answer.values.uri)).toBe("alice@localhost");
    expect(answer.values.uri).toMatch(/\?roster;preauth=[\w-]{24}$/u);
    await expectBotsInvite(answer.values.uri, "alice@localhost");
    expect(await world.redis.zCard(quotaKey(DOMAIN, "alice@localhost"))).toBe(quotaBefore + 1);
  });

  it("invite to server: #create-account at the #invite item's jid, then the resubmission with roster-subscription", async () => {
    const commands = conversationsCommands(await serverCommands(admin, DOMAIN));
    const jid = commands.get(INVITE) ?? "";
    expect(commands.get(CREATE_ACCOUNT)).toBe(jid);
    const first = await runCommand(admin, jid, CREATE_ACCOUNT, { action: "execute" });
    expect(first.from).toBe(jid);
    expect(first.status).toBe("executing");
    const required = first.reply.getChild("command", NS_COMMANDS)?.getChild("x")?.getChildren("field") ?? [];
    expect(required.filter((field: Element) => field.getChild("required") !== undefined)).toEqual([]);
    const done = await runCommand(
      admin,
      jid,
      CREATE_ACCOUNT,
      { action: "execute", sessionid: first.sessionid ?? "" },
      { form: submitted({ "roster-subscription": "true" }) },
    );
    expect(done.status).toBe("completed");
    expect(done.values.uri).toMatch(/^xmpp:admin@localhost\?roster;preauth=[\w-]{24};ibr=y$/u);
    await expectBotsInvite(done.values.uri, "admin@localhost");
  });
});

describe("Cheogram and Snikket's app", () => {
  it("#invite with action='execute' at the item's jid completes in one round", async () => {
    const jid = conversationsCommands(await serverCommands(alice, DOMAIN)).get(INVITE) ?? "";
    const answer = await runCommand(alice, jid, INVITE, { action: "execute" });
    expect(answer.status).toBe("completed");
    expect(uriJid(answer.values.uri)).toBe("alice@localhost");
    await expectBotsInvite(answer.values.uri, "alice@localhost");
  });
});

describe("Monal, yaxim and poezio: commands executed at the domain", () => {
  it("#invite at the domain is answered by the bot, from the domain", async () => {
    expect(monalCommands(await serverCommands(alice, DOMAIN), DOMAIN).has(INVITE)).toBe(true);
    const quotaBefore = await world.redis.zCard(quotaKey(DOMAIN, "alice@localhost"));
    const answer = await runCommand(alice, DOMAIN, INVITE, { action: "execute" });
    expect(answer.from).toBe(DOMAIN);
    expect(answer.status).toBe("completed");
    expect(uriJid(answer.values.uri)).toBe("alice@localhost");
    expect(answer.values.expire).toMatch(/Z$/u);
    await expectBotsInvite(answer.values.uri, "alice@localhost");
    expect(await world.redis.zCard(quotaKey(DOMAIN, "alice@localhost"))).toBe(quotaBefore + 1);
  });

  it("#create-account at the domain keeps its session across the forwarded stages", async () => {
    const first = await runCommand(admin, DOMAIN, CREATE_ACCOUNT, { action: "execute" });
    expect(first.status).toBe("executing");
    const done = await runCommand(
      admin,
      DOMAIN,
      CREATE_ACCOUNT,
      { action: "complete", sessionid: first.sessionid ?? "" },
      { form: submitted({}) },
    );
    expect(done.from).toBe(DOMAIN);
    expect(done.status).toBe("completed");
    expect(done.values.uri).toMatch(/^xmpp:localhost\?register;preauth=[\w-]{24}$/u);
    await expectBotsInvite(done.values.uri, "admin@localhost");
  });

  it("applies the bot's permissions to the real requester", async () => {
    expect(errorOf((await runCommand(alice, DOMAIN, CREATE_ACCOUNT, { action: "execute" })).reply)).toMatchObject({
      type: "auth",
      condition: "forbidden",
    });
    expect(errorOf((await runCommand(eve, DOMAIN, INVITE, { action: "execute" })).reply)).toMatchObject({
      condition: "forbidden",
    });
  });

  it("relays the bot's error in jabber:client, where a strict client looks for it", async () => {
    const answer = await runCommand(alice, DOMAIN, CREATE_ACCOUNT, { action: "execute" });
    expect(answer.from).toBe(DOMAIN);
    expect(answer.reply.attrs.type).toBe("error");
    expect(strictErrorOf(answer.reply)).toMatchObject({ type: "auth", condition: "forbidden" });
    expect(answer.reply.toString()).not.toContain("urn:xmpp:forward:0");
  });
});

/** Lines of Prosody's log written by mod_invites_bot at `level`, for every host (`HOST:invites_bot\tLEVEL\t…`). */
function moduleLogLines(scenario: Scenario, level: string): string[] {
  const log = readFileSync(join(scenario.servers.prosody.dir, "prosody.log"), "utf8");
  return log.split("\n").filter((line) => /:invites_bot\s/u.test(line) && line.includes(`\t${level}\t`));
}

describe("mod_invites_bot loaded for every VirtualHost (localhost and other.localhost)", () => {
  it("forwards nothing of another host's users to the bot of this one, and logs nothing about them", async () => {
    const refusals = () => bot.logs.filter((line) => line.includes("does not come from the server")).length;
    const [refusedBefore, warnedBefore] = [refusals(), moduleLogLines(world, "warn").length];
    const listed: CommandItem[] = [];
    for (let i = 0; i < 200; i += 1) listed.push(...(await serverCommands(eve, OTHER_DOMAIN)));
    expect(listed.filter((item) => item.node === INVITE || item.node === CREATE_ACCOUNT)).toEqual([]);
    // boss is an admin of the bot, but at other.localhost nothing of the bot's is listed or run.
    expect((await serverCommands(boss, OTHER_DOMAIN)).filter((item) => item.jid === BOT)).toEqual([]);
    const answer = await runCommand(boss, OTHER_DOMAIN, CREATE_ACCOUNT, { action: "execute" });
    expect(answer.from).toBe(OTHER_DOMAIN);
    expect(strictErrorOf(answer.reply).condition).toBe("service-unavailable");
    expect(refusals()).toBe(refusedBefore);
    expect(moduleLogLines(world, "warn").length).toBe(warnedBefore);
  });
});

describe("with the bot refusing most requests (its rate limit)", () => {
  const LOG_INTERVAL_S = 10;
  let limited: Scenario;
  let user: TestUser;

  beforeAll(async () => {
    limited = await startScenario({
      inviteModule: true,
      inviteBot: BOT,
      // Longer than the 200 requests below take on a loaded machine: they fall in one interval.
      moduleConfig: `invites_bot_log_interval = ${LOG_INTERVAL_S}`,
    });
    await limited.startBot("bot", { RATE_LIMIT_BURST: "1", RATE_LIMIT_PER_SECOND: "1" });
    user = await limited.login("alice@localhost");
  });

  afterAll(async () => {
    await limited?.stop();
  });

  it("logs the failure once, then how many more there were, not 200 warnings", async () => {
    // One after the other, as an app asks: the bot answers the first and refuses the rest (1 request a second).
    let refused = 0;
    for (let i = 0; i < 200; i += 1) {
      if (!(await serverCommands(user, DOMAIN)).some((item) => item.node === INVITE)) refused += 1;
    }
    expect(refused).toBeGreaterThan(150);
    const warnings = moduleLogLines(limited, "warn");
    expect(warnings.filter((line) => line.includes("did not list its commands: "))).toHaveLength(1);
    const summary = await eventually(
      async () => {
        const line = moduleLogLines(limited, "warn").find((l) => l.includes("more time(s)"));
        expect(line).toBeDefined();
        return line ?? "";
      },
      (LOG_INTERVAL_S + 10) * 1000,
    );
    expect(summary).toContain(`did not list its commands, ${refused - 1} more time(s) in the last ${LOG_INTERVAL_S} s`);
  });
});

describe("a forged forwarded request", () => {
  it("is refused by the bot unless the server itself sent it", async () => {
    const before = await bot.app.service.listInvites(actorFor("admin@localhost", bot.app.service.policy));
    const forged = xml(
      "iq",
      { type: "set", to: BOT },
      xml(
        "delegation",
        { xmlns: "urn:xmpp:delegation:2" },
        xml(
          "forwarded",
          { xmlns: "urn:xmpp:forward:0" },
          xml(
            "iq",
            { xmlns: "jabber:client", type: "set", from: "admin@localhost/laptop", to: DOMAIN, id: "x1" },
            xml("command", { xmlns: NS_COMMANDS, node: CREATE_ACCOUNT, action: "complete" }),
          ),
        ),
      ),
    );
    expect(errorOf(await alice.requestRaw(forged))).toMatchObject({ type: "auth", condition: "forbidden" });
    const after = await bot.app.service.listInvites(actorFor("admin@localhost", bot.app.service.policy));
    expect(after.total).toBe(before.total);
  });
});

describe("with the bot offline", () => {
  it("the server lists none of its commands and answers them with a wait error that says why", async () => {
    await bot.stop();
    await eventually(async () => {
      expect((await serverCommands(alice, DOMAIN)).filter((item) => item.node === INVITE)).toEqual([]);
    }, 5_000);
    const answer = await runCommand(alice, DOMAIN, INVITE, { action: "execute" });
    expect(errorOf(answer.reply)).toEqual({
      type: "wait",
      condition: "recipient-unavailable",
      specific: undefined,
      text: "The invite service is offline at the moment. Please try again in a few minutes.",
    });
  });
});

describe("with the bot's Redis hanging", () => {
  let slow: Scenario;
  let proxy: RedisProxy;
  let user: TestUser;

  beforeAll(async () => {
    slow = await startScenario({ inviteModule: true, inviteBot: BOT });
    proxy = await startRedisProxy(slow.servers.redis.port);
    // The default REDIS_TIMEOUT_MS, not the test helper's.
    await slow.startBot("bot", { REDIS_URL: proxy.urlFor(slow.servers.redisUrl), REDIS_TIMEOUT_MS: "500" });
    user = await slow.login("alice@localhost");
  });

  afterAll(async () => {
    proxy?.release();
    await slow?.stop();
    await proxy?.stop();
  });

  it("#invite through the server still gets the bot's own clear error within Conversations' 2 s", async () => {
    proxy.hang();
    const answer = await runCommand(
      user,
      DOMAIN,
      INVITE,
      { action: "complete" },
      { timeoutMs: CONVERSATIONS_TIMEOUT_MS },
    );
    expect(strictErrorOf(answer.reply)).toMatchObject({ type: "wait", condition: "internal-server-error" });
    expect(strictErrorOf(answer.reply).text).toMatch(
      /^The invite store is not reachable right now, so no invite was created/u,
    );
  });
});
