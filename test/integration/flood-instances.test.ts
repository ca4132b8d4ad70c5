/**
 * One flood budget for two bot instances (issue 24, "Several instances"): two resources of the bot's account on the
 * private Prosody, each with the flood gate of src/xmpp/flood-control.ts and the budget shared through the Redis
 * backend's HitCounter (src/xmpp/shared-flood.ts), the bot's ACL user on a Redis as deployed. A user's requests
 * spread over both are refused where one instance would refuse them; with Redis halted, each instance goes on with
 * its own bucket and says so once; alone (the other resource gone, as the server's presence says: own-resources.ts),
 * an instance asks Redis nothing. (The quota, in Redis already, is shown shared in client-buttons-instances.test.ts.)
 */
import { xml } from "@xmpp/xml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import type { RedisBackend } from "../../src/storage/redis-backend.js";
import { attachFloodControl } from "../../src/xmpp/flood-control.js";
import { InFlight } from "../../src/xmpp/in-flight.js";
import { NS } from "../../src/xmpp/namespaces.js";
import { type OwnResources, trackOwnResources } from "../../src/xmpp/own-resources.js";
import { RateLimiter } from "../../src/xmpp/rate-limit.js";
import { SharedFloodBudget } from "../../src/xmpp/shared-flood.js";
import { eventually } from "../helpers/bot.js";
import { readyRedisBackend } from "../helpers/contract-backends.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import { connectUser, type TestUser } from "../helpers/xmpp-user.js";

const BURST = 5;
/** How long an instance decides alone after a failed count (5 s in the app). */
const SKIP_MS = 1_000;
const NS_PROBE = "urn:example:flood-probe";
let world: Scenario;
let backend: RedisBackend;
const instances: { jid: string; user: TestUser; logs: string[]; own: OwnResources }[] = [];
let alice: TestUser;
let bob: TestUser;
let admin: TestUser;

beforeAll(async () => {
  world = await startScenario();
  backend = await readyRedisBackend(world.servers.redisUrl, "localhost", 500);
  for (const resource of ["a", "b"]) {
    const user = await connectUser({
      service: world.servers.service,
      domain: "localhost",
      username: "bot",
      password: "bot-password",
      resource,
    });
    const logs: string[] = [];
    const log = createLogger("debug", { write: (line: string) => logs.push(line) });
    // One refill of the bucket takes an hour: nothing comes back during the test.
    const rate = { burst: BURST, perSecond: 1 / 3600 };
    // As the app wires it (src/app/xmpp-side.ts): shared while the server says another resource is online.
    const own = trackOwnResources(user.xmpp);
    const shared = new SharedFloodBudget(backend.hits, {
      ...rate,
      log,
      skipAfterFailureMs: SKIP_MS,
      needed: own.anyOther,
    });
    attachFloodControl(user.xmpp, new RateLimiter(rate), new InFlight(), log, undefined, shared);
    user.xmpp.iqCallee.get(NS_PROBE, "query", () => xml("query", { xmlns: NS_PROBE }));
    instances.push({ jid: `bot@localhost/${resource}`, user, logs, own });
  }
  // Each learns of the other from the server (RFC 6121 §4.2.2, §4.4.2): the app tracks from before its first
  // presence; here each was online before its tracker, so each announces itself again for the other to hear.
  for (const { user } of instances) await user.send(xml("presence"));
  await eventually(async () => expect(instances.every(({ own }) => own.anyOther())).toBe(true));
  [alice, bob, admin] = await world.loginAll(["alice@localhost", "bob@localhost", "admin@localhost"]);
});

afterAll(async () => {
  await Promise.allSettled(instances.map(({ user }) => user.stop()));
  await backend?.stop();
  await world?.stop();
});

/** `count` requests of `user`, to both instances in turn: "ok" or the error's condition, in order. */
async function flood(user: TestUser, count: number): Promise<string[]> {
  const answers: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const to = instances[i % instances.length]?.jid ?? "";
    const reply = await user.requestRaw(xml("iq", { type: "get", to }, xml("query", { xmlns: NS_PROBE })));
    const condition = reply
      .getChild("error")
      ?.getChildElements()
      .find((c) => c.attrs.xmlns === NS.stanzas)?.name;
    answers.push(reply.attrs.type === "result" ? "ok" : (condition ?? "?"));
  }
  return answers;
}

describe("the flood budget of two instances", () => {
  it("is one: a user's requests spread over both are refused after the burst of one", async () => {
    const answers = await flood(alice, 2 * BURST);
    expect(answers).toEqual([...Array(BURST).fill("ok"), ...Array(BURST).fill("resource-constraint")]);
  });

  it("falls back to each instance's own bucket while Redis is halted, logging it once, and shares it again after", async () => {
    await world.servers.redis.halt();
    try {
      const started = Date.now();
      const answers = await flood(bob, 2 * BURST + 2);
      // One count waits for Redis (REDIS_TIMEOUT_MS at most, here 500 ms); the others do not ask it.
      expect(Date.now() - started).toBeLessThan(2 * 500 + 500);
      // Each instance alone: its own burst, and the requests are answered at once, not after Redis's timeout.
      expect(answers.filter((answer) => answer === "ok")).toHaveLength(2 * BURST);
      expect(answers.slice(-2)).toEqual(["resource-constraint", "resource-constraint"]);
    } finally {
      await world.servers.redis.start();
    }
    for (const { logs } of instances) {
      expect(logs.filter((line) => line.includes("in this instance alone"))).toHaveLength(1);
    }
    // Back: once the pause after the failure is over, the next request is counted in Redis again (each poll takes
    // one of admin's BURST tokens of the instance's own bucket: few polls, once the backend is connected again).
    await eventually(() => backend.relations.whoInvited("probe@localhost"), 15_000);
    const [first] = instances;
    await eventually(
      async () => {
        await admin.requestRaw(xml("iq", { type: "get", to: first?.jid }, xml("query", { xmlns: NS_PROBE })));
        expect(first?.logs.filter((line) => line.includes("across instances again"))).toHaveLength(1);
      },
      4 * SKIP_MS,
      SKIP_MS,
    );
    expect(await world.redis.keys("invite:{localhost}:web-hits:xmpp:admin@localhost")).toHaveLength(1);
  });

  it("asks Redis nothing once the other instance is gone, its own bucket alone deciding", async () => {
    const [first, second] = instances;
    await second?.user.stop();
    await eventually(async () => expect(first?.own.anyOther()).toBe(false));
    await world.servers.prosody.register("carol", "localhost", "carol-password");
    const carol = await world.login("carol@localhost");
    const answers: string[] = [];
    for (let i = 0; i < BURST + 1; i += 1) {
      const reply = await carol.requestRaw(
        xml("iq", { type: "get", to: first?.jid }, xml("query", { xmlns: NS_PROBE })),
      );
      answers.push(String(reply.attrs.type));
    }
    expect(answers).toEqual([...Array(BURST).fill("result"), "error"]);
    expect(await world.redis.keys("invite:{localhost}:web-hits:xmpp:carol@localhost")).toEqual([]);
  });
});
