/**
 * The tree rules of the policy for users' invites (README, "Users' invites"; issue 25) through two bot instances on
 * one Prosody (with our module) and one Redis as deployed: a whole invite tree within INVITE_TREE_MAX, counting
 * the registrations its pending invites can still make (a counted invite's uses left, read back from `used:` after a
 * real registration), reached by 20 parallel requests split over both instances and refused exactly there; a tree
 * full of accounts; the most uses a user's invite may have (INVITE_USER_MAX_USES); and a chain held to
 * INVITE_CHAIN_PACE behind an inviter who just registered. Each refusal names its rule and when the next is possible.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTACT_INVITE_NODE as CONTACT } from "../../src/commands/invite-commands.js";
import { inviteId } from "../../src/invites/pending.js";
import { reservingKey } from "../../src/storage/keys.js";
import { errorOf, executeIq, formValues } from "../helpers/adhoc-client.js";
import type { TestBot } from "../helpers/bot.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import type { TestUser } from "../helpers/xmpp-user.js";

const HOST = "localhost";
const POLICY = {
  ALLOW_USER_INVITES: "true",
  INVITE_MIN_ACCOUNT_AGE: "0",
  INVITE_CHAIN_PACE: "3600",
  INVITE_TREE_MAX: "3",
  INVITE_MAX_PENDING: "20",
  INVITE_QUOTA: "100",
  INVITE_USER_MAX_USES: "3",
};
const PARALLEL = 20;
const TREE_FULL_WAIT =
  /^Your invite tree is full: at most 3 accounts may come from it, counting the invites waiting to be used; the next invite is possible when one of them is used up or revoked, or in \d+ \w+ \(\w{3}, \d\d \w{3} \d{4} \d\d:\d\d UTC\) at the latest$/u;

let world: Scenario;
let instances: TestBot[];

beforeAll(async () => {
  world = await startScenario({ inviteModule: true });
  instances = await Promise.all([world.startBot("bot", POLICY), world.startBot("bot2", POLICY)]);
}, 60_000);

afterAll(async () => {
  await world?.stop();
});

const botJid = (i: number) => (instances[i % 2] as TestBot).jid;
const tokenOf = (text: string | undefined) => /preauth=([\w-]+)/u.exec(text ?? "")?.[1];

/** `PARALLEL` ad-hoc contact invites asked at once, alternately of each instance: the tokens made, the refusals. */
async function askAtOnce(user: TestUser) {
  const replies = await Promise.all(
    Array.from({ length: PARALLEL }, (_, i) => user.requestRaw(executeIq(botJid(i), CONTACT), 15_000)),
  );
  const tokens = replies.flatMap((reply) =>
    reply.attrs.type === "error" ? [] : [tokenOf(formValues(reply.getChild("command")?.getChild("x")).uri) ?? ""],
  );
  const refusals = replies.filter((reply) => reply.attrs.type === "error").map((reply) => errorOf(reply));
  for (const refusal of refusals) expect(refusal).toMatchObject({ type: "wait", condition: "resource-constraint" });
  return { tokens, refusals };
}

/** The same in chat, `invite uses N`, alternately of each instance. */
async function chatAtOnce(user: TestUser, text: string) {
  const bodies = await Promise.all(
    Array.from({ length: PARALLEL }, async (_, i) => (await user.ask(botJid(i), text, 15_000)).getChildText("body")),
  );
  return {
    tokens: bodies.flatMap((body) => (body?.startsWith("Here is your invite:") ? [tokenOf(body) ?? ""] : [])),
    refusals: bodies.filter((body) => !body?.startsWith("Here is your invite:")),
  };
}

async function register(token: string, name: string): Promise<TestUser> {
  const { register: answer } = await world.registerWithInvite(token, name, `${name}-password`);
  expect(answer.toString()).toContain('type="result"');
  return world.login(`${name}@${HOST}`);
}

describe("the tree rules of users' invites, over two instances", () => {
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  const alices: string[] = [];

  it("gives a tree exactly its budget of invites, then refuses saying when one frees up", async () => {
    alice = await world.login(`alice@${HOST}`);
    const { tokens, refusals } = await askAtOnce(alice);
    expect(tokens).toHaveLength(3);
    alices.push(...tokens);
    expect(refusals).toHaveLength(PARALLEL - 3);
    for (const { text } of refusals) expect(text).toMatch(TREE_FULL_WAIT);
    expect(await world.redis.zCard(reservingKey(HOST, `alice@${HOST}`))).toBe(0);
  });

  it("counts the account an invite made and the invites still pending, for everyone in the tree", async () => {
    bob = await register(alices[0] as string, "newbie");
    const { tokens, refusals } = await askAtOnce(bob);
    expect(tokens).toEqual([]);
    for (const { text } of refusals) expect(text).toMatch(TREE_FULL_WAIT);
  });

  it("holds a user's invite to INVITE_USER_MAX_USES, and counts each of its uses against the tree", async () => {
    expect((await bob.ask(botJid(0), "invite uses 4")).getChildText("body")).toBe(
      "Sorry, an invite of yours may have from 1 to 3 uses. Nothing was created.",
    );
    for (const token of alices.slice(1)) {
      expect((await alice.ask(botJid(1), `revoke ${inviteId(token)}`)).getChildText("body")).toMatch(/^Revoked/u);
    }
    // bob's account is 1 of 3: one invite for 2 people fits, and no more.
    const { tokens, refusals } = await chatAtOnce(bob, "invite uses 2");
    expect(tokens).toHaveLength(1);
    expect(refusals).toHaveLength(PARALLEL - 1);
    for (const text of refusals) expect(text).toMatch(/^Sorry, your invite tree is full: at most 3 accounts/u);
    alices.splice(0, alices.length, ...tokens);
  });

  it("counts a counted invite's uses left after a registration, then a tree full of accounts", async () => {
    carol = await register(alices[0] as string, "newbie2");
    // bob and carol, and the 1 use left of bob's invite: still full.
    expect((await alice.ask(botJid(0), "invite")).getChildText("body")).toMatch(
      /^Sorry, your invite tree is full: .* You can invite again when one of those invites is revoked, or in \d+ \w+ \(/u,
    );
    await register(alices[0] as string, "newbie3");
    expect((await alice.ask(botJid(1), "invite")).getChildText("body")).toBe(
      "Sorry, your invite tree is full: at most 3 accounts may come from the invites of you, whoever invited you, and everyone they brought in, counting the invites still waiting to be used. Ask an administrator to invite further.",
    );
  });

  it("holds an account back while its inviter registered less than INVITE_CHAIN_PACE ago", async () => {
    // carol's inviter, bob, registered moments ago.
    const { tokens, refusals } = await askAtOnce(carol);
    expect(tokens).toEqual([]);
    for (const { text } of refusals) {
      expect(text).toMatch(
        /^Whoever invited you registered less than 1 hour ago, and invites may not chain faster than that; the next invite is possible in (1 hour|59 minutes) \(/u,
      );
    }
  });

  it("holds no admin to any of it", async () => {
    const admin = await world.login(`admin@${HOST}`);
    expect((await admin.ask(botJid(0), "invite uses 50")).getChildText("body")).toMatch(/^Here is your invite:/u);
  });
});
