/**
 * Debian's default prosody.cfg.lua enables Prosody's mod_invites_adhoc, whose commands have the bot's two nodes.
 * Next to it, mod_invites_bot hides them: the domain lists and runs the bot's alone, and the log says so once per
 * start. Both load orders, each pinned by test/fixtures/prosody/mod_load_in_order.lua (Prosody itself loads
 * modules_enabled in an order that changes from one start to the next).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Element } from "@xmpp/xml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inviteId } from "../../src/invites/pending.js";
import { actorFor } from "../../src/invites/permissions.js";
import { quotaKey } from "../../src/storage/keys.js";
import { discoInfoIq, errorOf, NS_DISCO_INFO, tokenOf } from "../helpers/adhoc-client.js";
import { eventually, type TestBot } from "../helpers/bot.js";
import { CREATE_ACCOUNT, INVITE, runCommand, serverCommands, submitted } from "../helpers/client-replays.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import type { TestUser } from "../helpers/xmpp-user.js";

const BOT = "bot@localhost/invites";
const DOMAIN = "localhost";
const BOTS_NODES = new Set([INVITE, CREATE_ACCOUNT]);
const CONTACT_INVITE = "Create new contact invite";

/** The bot's items in the domain's command list. */
async function botsItems(user: TestUser) {
  return (await serverCommands(user, DOMAIN)).filter((item) => BOTS_NODES.has(item.node));
}

/** The identities and features of a node's disco#info at `to` (name and attributes), or the error's condition. */
async function nodeInfo(user: TestUser, to: string, node: string): Promise<Record<string, string>[] | string> {
  const reply = await user.requestRaw(discoInfoIq(to, node));
  if (reply.attrs.type !== "result") return errorOf(reply).condition ?? "?";
  const children = reply.getChild("query", NS_DISCO_INFO)?.getChildElements() ?? [];
  return children.map((child: Element) => ({ element: child.name, ...child.attrs }));
}

/** mod_invites_bot's lines in Prosody's log about mod_invites_adhoc (on any host). */
function noticesAboutInvitesAdhoc(scenario: Scenario): string[] {
  const log = readFileSync(join(scenario.servers.prosody.dir, "prosody.log"), "utf8");
  return log.split("\n").filter((line) => /:invites_bot\s/u.test(line) && line.includes("mod_invites_adhoc"));
}

describe.each([
  { when: "before", loadInOrder: ["invites_adhoc", "invites_bot"] },
  { when: "after", loadInOrder: ["invites_bot", "invites_adhoc"] },
])("Prosody's mod_invites_adhoc loaded $when mod_invites_bot", ({ loadInOrder }) => {
  let world: Scenario;
  let bot: TestBot;
  let admin: TestUser;
  let alice: TestUser;

  beforeAll(async () => {
    world = await startScenario({ inviteModule: true, inviteBot: BOT, moreModules: ["invites_adhoc"], loadInOrder });
    bot = await world.startBot("bot");
    [admin, alice] = await world.loginAll(["admin@localhost", "alice@localhost"]);
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

  it("the domain lists each of the bot's commands as without mod_invites_adhoc: at the domain, then at the bot", async () => {
    expect(await botsItems(alice)).toEqual([
      { jid: DOMAIN, node: INVITE, name: CONTACT_INVITE },
      { jid: BOT, node: INVITE, name: CONTACT_INVITE },
    ]);
    const forAdmin = await botsItems(admin);
    expect(forAdmin).toHaveLength(4);
    for (const node of BOTS_NODES) {
      expect(forAdmin.filter((item) => item.node === node).map((item) => item.jid)).toEqual([DOMAIN, BOT]);
    }
  });

  it("describes each node at the domain as the bot does (XEP-0050 §2.2), once", async () => {
    const atDomain = await nodeInfo(alice, DOMAIN, INVITE);
    expect(atDomain).toEqual(await nodeInfo(alice, BOT, INVITE));
    expect((atDomain as Record<string, string>[]).filter((child) => child.element === "identity")).toHaveLength(1);
  });

  it("#invite executed at the domain is the bot's", async () => {
    const quotaBefore = await world.redis.zCard(quotaKey(DOMAIN, "alice@localhost"));
    const answer = await runCommand(alice, DOMAIN, INVITE, { action: "execute" });
    expect(answer.from).toBe(DOMAIN);
    expect(answer.status).toBe("completed");
    await expectBotsInvite(answer.values.uri, "alice@localhost");
    expect(await world.redis.zCard(quotaKey(DOMAIN, "alice@localhost"))).toBe(quotaBefore + 1);
  });

  it("#create-account executed at the domain is the bot's, stage after stage", async () => {
    const first = await runCommand(admin, DOMAIN, CREATE_ACCOUNT, { action: "execute" });
    expect(first.status).toBe("executing");
    const done = await runCommand(
      admin,
      DOMAIN,
      CREATE_ACCOUNT,
      { action: "complete", sessionid: first.sessionid ?? "" },
      { form: submitted({}) },
    );
    expect(done.status).toBe("completed");
    await expectBotsInvite(done.values.uri, "admin@localhost");
  });

  it("says once in Prosody's log that it hides mod_invites_adhoc's commands, and what to remove", () => {
    const notices = noticesAboutInvitesAdhoc(world);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/\slocalhost:invites_bot\twarn\t.*Remove "invites_adhoc" from modules_enabled/u);
  });

  it("with the bot offline, neither its commands nor mod_invites_adhoc's are offered at the domain", async () => {
    await bot.stop();
    await eventually(async () => {
      expect(await botsItems(admin)).toEqual([]);
    }, 5_000);
    expect(await botsItems(alice)).toEqual([]);
    expect(await nodeInfo(alice, DOMAIN, INVITE)).toBe("item-not-found");
    expect(errorOf((await runCommand(alice, DOMAIN, INVITE, { action: "execute" })).reply)).toMatchObject({
      type: "wait",
      condition: "recipient-unavailable",
    });
  });
});
