/**
 * Several bot instances on one Prosody and one Redis (docs/instances.md), each the real process (src/main.ts) with
 * its own default resource (from HOSTNAME): the leader alone is available at priority 0, so chat to the bot's bare
 * JID is answered once; every instance answers at its own full JID; when the leader is SIGKILLed another takes over
 * within 10 s, and the message sent while none led (stored offline by Prosody) is answered once, by the new leader.
 * Replies are counted by thread (the bot answers in the thread it was asked in).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { xml } from "@xmpp/xml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTACT_INVITE_NODE } from "../../src/commands/invite-commands.js";
import { leaderKey } from "../../src/storage/keys.js";
import { discoItemsIq, executeIq, NS_COMMANDS } from "../helpers/adhoc-client.js";
import { eventually } from "../helpers/bot.js";
import { askIn, watchInstances } from "../helpers/instance-watch.js";
import { type MainRun, runMain } from "../helpers/main-process.js";
import { ADMIN_JIDS, type Scenario, startScenario } from "../helpers/scenario.js";
import { BOT_SIGNING_ENV } from "../helpers/signing.js";
import type { TestUser } from "../helpers/xmpp-user.js";

const HOST = "localhost";
const BOT = `bot@${HOST}`;
const USERS = Array.from({ length: 10 }, (_, i) => `member${i}@${HOST}`);
/** The bound: another instance answers within this after the leader's death. */
const TAKEOVER_MS = 10_000;

let world: Scenario;
let cwd: string;
let admin: TestUser;
let users: TestUser[];
const runs: MainRun[] = [];

beforeAll(async () => {
  // Stream management as Debian's own prosody.cfg.lua enables it: a killed instance's session must not hibernate.
  world = await startScenario({ moreModules: ["smacks"] });
  for (const jid of USERS) {
    const name = jid.split("@")[0] as string;
    await world.servers.prosody.register(name, HOST, `${name}-password`);
  }
  cwd = await mkdtemp(join(tmpdir(), "invite-bot-instances-"));
  admin = await world.login(`admin@${HOST}`);
  users = await Promise.all(USERS.map((jid) => world.login(jid)));
  // The admin sees every instance's presence: the first instance online gets this request (Prosody keeps it) and
  // accepts it (src/xmpp/presence.ts).
  await admin.send(xml("presence", { to: BOT, type: "subscribe" }));
}, 120_000);

afterAll(async () => {
  for (const run of runs) await run.kill();
  await world?.stop();
  if (cwd !== undefined) await rm(cwd, { recursive: true, force: true });
});

/** An instance as an operator runs it: no XMPP_RESOURCE, its host named by HOSTNAME. */
function startInstance(host: string): MainRun {
  const run = runMain(cwd, {
    HOSTNAME: host,
    XMPP_SERVICE: world.servers.service,
    REGISTRATION: "server",
    XMPP_DOMAIN: HOST,
    XMPP_USERNAME: "bot",
    XMPP_PASSWORD: "bot-password",
    REDIS_URL: world.servers.redisUrl,
    ADMIN_JIDS,
    RATE_LIMIT_BURST: "10000",
    RATE_LIMIT_PER_SECOND: "10000",
    ...BOT_SIGNING_ENV,
  });
  runs.push(run);
  return run;
}

const { leaseHolder, lastPresence, leaderReady, repliesIn, answeredOnceBy } = watchInstances({
  bot: BOT,
  leaseKey: leaderKey(HOST, "bot"),
  redis: { get: (key) => world.redis.get(key) },
  observer: () => admin,
  askers: () => [admin, ...users],
});

/**
 * Each user asks every instance in `followers` at its full JID and waits for the answer: Prosody keeps each pair's
 * stanzas in order, so a follower that had got any earlier message to the bare JID would have answered it first.
 */
async function drain(followers: readonly string[], tag: string): Promise<void> {
  await Promise.all(
    users.flatMap((user, i) => followers.map((resource) => user.ask(`${BOT}/${resource}`, `help ${tag}-${i}`, 15_000))),
  );
}

for (const count of [2, 3]) {
  describe(`${count} instances`, () => {
    const resources = Array.from({ length: count }, (_, i) => `invites-node${count}-${i}`);
    const instances = new Map<string, MainRun>();

    afterAll(async () => {
      for (const run of instances.values()) await run.kill();
    });

    it("answer 200 chat messages to the bare JID exactly once, through the leader", async () => {
      await Promise.all(
        resources.map(async (resource) => {
          const run = startInstance(resource.replace(/^invites-/u, ""));
          instances.set(resource, run);
          await run.online(30_000);
        }),
      );
      const leader = await leaderReady(resources);

      const threads = users.flatMap((_, i) => Array.from({ length: 20 }, (_, k) => `n${count}-u${i}-m${k}`));
      await Promise.all(
        users.map(async (user, i) => {
          for (let k = 0; k < 20; k++) await askIn(user, BOT, `n${count}-u${i}-m${k}`);
        }),
      );
      await answeredOnceBy(threads, leader);
      await drain(
        resources.filter((resource) => resource !== leader),
        `drain${count}`,
      );
      await answeredOnceBy(threads, leader);
    }, 120_000);

    it("answer ad-hoc commands and disco at every instance's own full JID", async () => {
      for (const resource of resources) {
        const full = `${BOT}/${resource}`;
        const items = await admin.request(discoItemsIq(full, NS_COMMANDS));
        const jids = items
          .getChild("query")
          ?.getChildren("item")
          .map((item) => item.attrs.jid);
        expect(new Set(jids)).toEqual(new Set([full]));
        const result = await admin.request(executeIq(full, CONTACT_INVITE_NODE), 10_000);
        expect(result.getChild("command", NS_COMMANDS)?.attrs.status).toBe("completed");
      }
    }, 60_000);

    it("when the leader is SIGKILLed, another answers within 10 s, the message sent meanwhile once", async () => {
      const leader = await leaderReady(resources);
      const killedAt = Date.now();
      await instances.get(leader)?.kill();
      instances.delete(leader);
      // Prosody saw the session end (its last presence, not the unavailable one it sent on becoming leader).
      await eventually(async () => {
        if (lastPresence(`${BOT}/${leader}`)?.attrs.type !== "unavailable") throw new Error("still available");
      }, 10_000);
      // No instance leads now (the dead one's lease runs on): Prosody stores the message offline.
      const [first] = users as [TestUser];
      await askIn(first, BOT, `n${count}-while-none`);
      expect(await leaseHolder()).toBe(leader);

      const survivors = resources.filter((resource) => resource !== leader);
      await eventually(
        async () => {
          if (repliesIn(`n${count}-while-none`).length === 0) throw new Error("not answered yet");
        },
        TAKEOVER_MS,
        50,
      );
      expect(Date.now() - killedAt).toBeLessThanOrEqual(TAKEOVER_MS);
      const next = await leaderReady(survivors);
      expect(repliesIn(`n${count}-while-none`).map(({ from }) => from)).toEqual([`${BOT}/${next}`]);

      const after = users.flatMap((_, i) => [0, 1].map((k) => `n${count}-after-u${i}-m${k}`));
      await Promise.all(
        users.map(async (user, i) => {
          for (const k of [0, 1]) await askIn(user, BOT, `n${count}-after-u${i}-m${k}`);
        }),
      );
      await answeredOnceBy([...after, `n${count}-while-none`], next);
      await drain(
        survivors.filter((resource) => resource !== next),
        `drain-after${count}`,
      );
      await answeredOnceBy([...after, `n${count}-while-none`], next);
    }, 120_000);
  });
}
