/**
 * The policy for users' invites (README, "Users' invites"; issue 25) through two bot instances on one Prosody (with
 * our module) and one Redis as deployed: so many pending at once (INVITE_MAX_PENDING), so many per period
 * (INVITE_QUOTA per INVITE_QUOTA_PERIOD), each reached by 20 parallel requests split over both instances and refused
 * exactly at its limit, not before; an account made through an invite too new to invite new people
 * (INVITE_MIN_ACCOUNT_AGE, from the registration the module recorded); the refusal names the limit and when the
 * next invite is possible; and a user's invite lasts no longer than INVITE_USER_MAX_TTL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTACT_INVITE_NODE as CONTACT } from "../../src/commands/invite-commands.js";
import { inviteId } from "../../src/invites/pending.js";
import { byInviterKey, joinedKey, recordKey, reservingKey } from "../../src/storage/keys.js";
import { tokenHash } from "../../src/storage/record.js";
import { errorOf, executeIq, formValues } from "../helpers/adhoc-client.js";
import type { TestBot } from "../helpers/bot.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import type { TestUser } from "../helpers/xmpp-user.js";

const HOST = "localhost";
const POLICY = {
  ALLOW_USER_INVITES: "true",
  INVITE_MIN_ACCOUNT_AGE: "86400",
  INVITE_QUOTA: "3",
  INVITE_QUOTA_PERIOD: "3600",
  INVITE_MAX_PENDING: "2",
  INVITE_USER_MAX_TTL: "7200",
};
const PARALLEL = 20;

let world: Scenario;
let instances: TestBot[];
let alice: TestUser;

beforeAll(async () => {
  world = await startScenario({ inviteModule: true });
  instances = await Promise.all([world.startBot("bot", POLICY), world.startBot("bot2", POLICY)]);
  alice = await world.login(`alice@${HOST}`);
}, 60_000);

afterAll(async () => {
  await world?.stop();
});

interface Outcome {
  token?: string;
  error?: ReturnType<typeof errorOf>;
}

/** `PARALLEL` contact invites asked at once, alternately of each instance. */
async function askAtOnce(user: TestUser): Promise<Outcome[]> {
  return Promise.all(
    Array.from({ length: PARALLEL }, async (_, i) => {
      const reply = await user.requestRaw(executeIq((instances[i % 2] as TestBot).jid, CONTACT), 15_000);
      if (reply.attrs.type === "error") return { error: errorOf(reply) };
      const uri = formValues(reply.getChild("command")?.getChild("x")).uri ?? "";
      return { token: /preauth=([\w-]+)/u.exec(uri)?.[1] ?? "" };
    }),
  );
}

const made = (outcomes: Outcome[]) => outcomes.flatMap(({ token }) => (token === undefined ? [] : [token]));
const refusals = (outcomes: Outcome[]) => outcomes.flatMap(({ error }) => (error === undefined ? [] : [error]));

describe("the policy for users' invites, over two instances", () => {
  const tokens: string[] = [];

  it("refuses past the most pending at once, exactly there, saying when the next is possible", async () => {
    const outcomes = await askAtOnce(alice);
    tokens.push(...made(outcomes));
    expect(tokens).toHaveLength(2);
    const refused = refusals(outcomes);
    expect(refused).toHaveLength(PARALLEL - 2);
    for (const error of refused) {
      expect(error).toMatchObject({ type: "wait", condition: "resource-constraint" });
      expect(error.text).toMatch(
        /^You have 2 invites waiting to be used, the most allowed at once; the next one is possible when one is used or revoked, or in 2 hours \(\w{3}, \d\d \w{3} \d{4} \d\d:\d\d UTC\) at the latest$/u,
      );
    }
    // Exactly the two invites are pending in Redis, and no place is left in flight.
    expect(await world.redis.zCard(byInviterKey(HOST, `alice@${HOST}`))).toBe(2);
    expect(await world.redis.zCard(reservingKey(HOST, `alice@${HOST}`))).toBe(0);
  });

  it("refuses an account made through an invite until it is old enough, at every request", async () => {
    // Registered with one of alice's invites: the module records when (the `joined` set).
    const [token] = tokens as [string];
    const name = "newcomer";
    expect((await world.registerWithInvite(token, name, `${name}-password`)).register.attrs.type).toBe("result");
    const joinedAt = await world.redis.zScore(joinedKey(HOST), `${name}@${HOST}`);
    expect(joinedAt).toBeGreaterThan(Date.now() / 1000 - 60);
    const newcomer = await world.login(`${name}@${HOST}`);
    const outcomes = await askAtOnce(newcomer);
    expect(made(outcomes)).toEqual([]);
    for (const error of refusals(outcomes)) {
      expect(error).toMatchObject({ type: "wait", condition: "resource-constraint" });
      expect(error.text).toMatch(
        /^Your account is too new to invite new people: it must be 1 day old first; the next invite is possible in 1 day \(/u,
      );
    }
    expect(await world.redis.zCard(reservingKey(HOST, `${name}@${HOST}`))).toBe(0);
    tokens.shift();
  });

  it("lasts no longer than INVITE_USER_MAX_TTL", async () => {
    const [token] = tokens as [string];
    const ttlMs = await world.redis.pTTL(recordKey(HOST, tokenHash(token)));
    expect(ttlMs).toBeGreaterThan(7_100_000);
    expect(ttlMs).toBeLessThanOrEqual(7_200_000);
  });

  it("frees a place when one is revoked; then refuses past the period's quota, naming the period", async () => {
    // One was used by the newcomer; the other is revoked.
    for (const token of tokens) {
      const answer = await alice.ask(instances[0]?.jid ?? "", `revoke ${inviteId(token)}`);
      expect(answer.getChildText("body")).toMatch(/^Revoked/u);
    }
    // Two pending places are free, but only one of the period's three is left.
    const outcomes = await askAtOnce(alice);
    expect(made(outcomes)).toHaveLength(1);
    const refused = refusals(outcomes);
    expect(refused).toHaveLength(PARALLEL - 1);
    for (const error of refused) {
      expect(error.text).toMatch(
        /^You have created as many invites as allowed in 1 hour; the next one is possible in 1 hour \(/u,
      );
    }
    expect((await alice.ask(instances[1]?.jid ?? "", "invite")).getChildText("body")).toMatch(
      /^Sorry, you have created as many invites as allowed in 1 hour\. You can create the next one in 1 hour \(/u,
    );
  });
});
