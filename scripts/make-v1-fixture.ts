/**
 * One-off: writes test/fixtures/v1-store/store.json with the layout-v1 code of commit d151811
 * (the bot's RedisInviteStore and the v1 Prosody module), for the v2 migration test.
 * Run once with `npx tsx scripts/make-v1-fixture.ts`; kept in history, not in the tree.
 */
import { writeFileSync } from "node:fs";
import { xml } from "@xmpp/xml";
import { createInviteUri, executeIq, tokenOf } from "../test/helpers/adhoc-client.js";
import { eventually } from "../test/helpers/bot.js";
import { registerWithToken } from "../test/helpers/ibr-client.js";
import { startScenario } from "../test/helpers/scenario.js";
import { actorFor } from "../src/invites/permissions.js";

const world = await startScenario({ inviteModule: true });
try {
  const bot = await world.startBot("bot", { ALLOW_USER_INVITES: "true", INVITE_QUOTA: "50" });
  const [admin, alice, bob] = await world.loginAll(["admin@localhost", "alice@localhost", "bob@localhost"]);
  const service = bot.app.service;
  const policy = service.policy;
  const adminActor = actorFor("admin@localhost", policy);
  const aliceActor = actorFor("alice@localhost", policy);
  // Pending invites of every kind.
  await service.createAccountInvite(adminActor, "admin@localhost/fixture", { note: "plain account" });
  await service.createAccountInvite(adminActor, "admin@localhost/fixture", { username: "frank" });
  await service.createAccountInvite(adminActor, "admin@localhost/fixture", { maxUses: 3, note: "club" });
  await service.createAccountInvite(adminActor, "admin@localhost/fixture", { rosterSubscription: true });
  await service.createPasswordResetInvite(adminActor, "admin@localhost/fixture", "bob@localhost");
  await service.createContactInvite(aliceActor, "alice@localhost/fixture"); // may register (ALLOW_USER_INVITES)
  const contactOnly = await world.startBot("bot2", { ALLOW_USER_INVITES: "false" });
  await contactOnly.app.service.createContactInvite(aliceActor, "alice@localhost/fixture");
  const bobContact = await contactOnly.app.service.createContactInvite(actorFor("bob@localhost", policy), "bob@localhost/x");
  // A counted invite with one use taken, through Prosody: an event, relations.
  const counted = await service.createAccountInvite(adminActor, "admin@localhost/fixture", { maxUses: 2 });
  await registerWithToken({ port: world.servers.prosody.port, domain: "localhost", token: counted.invite.token, username: "gina", password: "gina-pw" });
  await eventually(async () => {
    const groups = await world.redis.xInfoGroups("invite-events:localhost");
    const group = groups[0] as { pending?: number; "last-delivered-id"?: string } | undefined;
    if (group === undefined || group["last-delivered-id"] === "0-0" || group.pending !== 0) throw new Error("not told yet");
  }, 20_000);
  // Stop the bots: the next uses stay in the stream for the migrated bot to tell.
  await Promise.all(world.bots.map((b) => b.stop()));
  world.bots.length = 0;
  const used = await createFromAdhocLater();
  await registerWithToken({ port: world.servers.prosody.port, domain: "localhost", token: used, username: "hank", password: "hank-pw" });
  await bob.send(xml("presence", { to: "bob@localhost", type: "subscribe" }));
  await admin.send(xml("presence", { to: "bob@localhost", type: "subscribe" }, xml("preauth", { xmlns: "urn:xmpp:pars:0", token: bobContact.invite.token })));
  await eventually(async () => {
    if ((await world.redis.xLen("invite-events:localhost")) < 3) throw new Error("events not there yet");
  });
  // One entry delivered to the consumer "invites" and not acknowledged (a bot that died while sending).
  await world.redis.xReadGroup("xmpp-invite-bot", "invites", { key: "invite-events:localhost", id: ">" }, { COUNT: 1 });

  async function createFromAdhocLater(): Promise<string> {
    const b = await world.startBot("bot3", { ALLOW_USER_INVITES: "true" });
    const uri = await createInviteUri(alice, b.jid, "urn:xmpp:invite#invite");
    void executeIq;
    await b.stop();
    return tokenOf(uri);
  }

  const keys: string[] = [];
  for await (const batch of world.redis.scanIterator({ MATCH: "*", COUNT: 1000 })) keys.push(...batch);
  keys.sort();
  const dump: unknown[] = [];
  for (const key of keys) {
    const type = await world.redis.type(key);
    const pttl = await world.redis.pTTL(key);
    if (type === "string") dump.push({ key, type, pttl, value: await world.redis.get(key) });
    else if (type === "set") dump.push({ key, type, pttl, members: (await world.redis.sMembers(key)).sort() });
    else if (type === "zset") dump.push({ key, type, pttl, members: await world.redis.zRangeWithScores(key, 0, -1) });
    else if (type === "stream") {
      const entries = await world.redis.xRange(key, "-", "+");
      const groups = await world.redis.xInfoGroups(key);
      const pending = await world.redis.xPendingRange(key, "xmpp-invite-bot", "-", "+", 100);
      dump.push({ key, type, pttl, entries, groups, pending });
    } else throw new Error(`unexpected type ${type} of ${key}`);
  }
  const fixture = { madeAtMs: Date.now(), madeWith: "d151811 (layout v1)", host: "localhost", keys: dump };
  writeFileSync("test/fixtures/v1-store/store.json", `${JSON.stringify(fixture, null, 1)}\n`);
  console.log(`wrote ${dump.length} keys`);
} finally {
  await world.stop();
}
