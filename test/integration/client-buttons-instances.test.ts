/**
 * The apps' buttons with several bot instances (issue 24, "Several instances"): Prosody's mod_invites_bot is given
 * the bot's bare JID and asks one of its online resources (prosody/invites_bot_target.lib.lua), the leader when
 * there is one; SIGKILL that instance (the real process, src/main.ts) and the buttons keep working through the
 * other at once. One quota for both: what alice spends at one instance counts at the other. Prosody 0.12 and 13.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorOf } from "../helpers/adhoc-client.js";
import { eventually } from "../helpers/bot.js";
import {
  CONVERSATIONS_TIMEOUT_MS,
  conversationsCommands,
  INVITE,
  runCommand,
  serverCommands,
  uriJid,
} from "../helpers/client-replays.js";
import { invitesAnswer } from "../helpers/invites-healthy.js";
import { type MainRun, runMain } from "../helpers/main-process.js";
import { ADMIN_JIDS, type Scenario, startScenario } from "../helpers/scenario.js";
import { BOT_SIGNING_ENV } from "../helpers/signing.js";
import type { TestUser } from "../helpers/xmpp-user.js";

const DOMAIN = "localhost";
const BOT = `bot@${DOMAIN}`;
const QUOTA = 4;

let world: Scenario;
let alice: TestUser;
let bob: TestUser;
let admin: TestUser;
let cwd: string;
const instances = new Map<string, MainRun>();

beforeAll(async () => {
  world = await startScenario({ inviteModule: true, inviteBot: BOT });
  cwd = await mkdtemp(join(tmpdir(), "invite-bot-instances-"));
  [alice, bob, admin] = await world.loginAll([`alice@${DOMAIN}`, `bob@${DOMAIN}`, `admin@${DOMAIN}`]);
  await invitesAnswer(world);
  await Promise.all(["a", "b"].map((resource) => startInstance(resource)));
}, 120_000);

afterAll(async () => {
  for (const run of instances.values()) await run.kill();
  if (process.env.SHOW_PROSODY_LOG) process.stderr.write(world.servers.prosody.logTail(100_000));
  await world?.stop();
  if (cwd !== undefined) await rm(cwd, { recursive: true, force: true });
});

/** An instance as an admin runs it: the same account, a resource of its own. */
async function startInstance(resource: string): Promise<void> {
  const run = runMain(cwd, {
    XMPP_SERVICE: world.servers.service,
    XMPP_DOMAIN: DOMAIN,
    XMPP_USERNAME: "bot",
    XMPP_PASSWORD: "bot-password",
    XMPP_RESOURCE: resource,
    REDIS_URL: world.servers.redisUrl,
    ADMIN_JIDS,
    INVITE_QUOTA: String(QUOTA),
    LOG_LEVEL: "debug",
    ...BOT_SIGNING_ENV,
  });
  instances.set(`${BOT}/${resource}`, run);
  await run.online(30_000);
}

/** The instance the server lists (and asks) for `user` now: the jid of the last #invite item, as Conversations reads it. */
async function listedInstance(user: TestUser): Promise<string> {
  const jid = conversationsCommands(await serverCommands(user, DOMAIN)).get(INVITE) ?? "";
  expect(jid.startsWith(`${BOT}/`)).toBe(true);
  return jid;
}

/** #invite at the domain (Monal, yaxim, poezio): forwarded to an instance, within Conversations' 2 s. */
async function inviteAtDomain(user: TestUser) {
  return runCommand(user, DOMAIN, INVITE, { action: "complete" }, { timeoutMs: CONVERSATIONS_TIMEOUT_MS });
}

describe("the apps' buttons with two instances of the bot", () => {
  it("lists one online instance and runs the buttons there, at the domain and at the instance", async () => {
    const listed = await listedInstance(alice);
    expect(instances.has(listed)).toBe(true);
    const atDomain = await inviteAtDomain(alice);
    expect(atDomain.from).toBe(DOMAIN);
    expect(atDomain.status).toBe("completed");
    expect(uriJid(atDomain.values.uri)).toBe(`alice@${DOMAIN}`);
    const atInstance = await runCommand(alice, listed, INVITE, { action: "complete" });
    expect(atInstance.from).toBe(listed);
    expect(atInstance.status).toBe("completed");
  });

  it("spends one quota across both instances: the domain, then each instance's own JID, until it is used up", async () => {
    const [a, b] = [...instances.keys()];
    const targets = [DOMAIN, a ?? "", b ?? "", DOMAIN, a ?? "", b ?? ""];
    const outcomes: string[] = [];
    for (const to of targets) {
      const answer = await runCommand(bob, to, INVITE, { action: "complete" });
      outcomes.push(answer.status === "completed" ? "invite" : (errorOf(answer.reply).condition ?? "?"));
    }
    expect(outcomes.filter((outcome) => outcome === "invite")).toHaveLength(QUOTA);
    expect(outcomes.slice(0, QUOTA)).toEqual(Array(QUOTA).fill("invite"));
    expect(outcomes.slice(QUOTA).every((outcome) => outcome !== "invite")).toBe(true);
  });

  it("keeps working through the other instance when the one it pointed at is killed", async () => {
    const pointed = await listedInstance(alice);
    const other = [...instances.keys()].find((jid) => jid !== pointed) ?? "";
    await instances.get(pointed)?.kill();
    instances.delete(pointed);
    // Prosody sees the killed process's connection close; from then on every request goes to the other.
    await eventually(async () => expect(await listedInstance(alice)).toBe(other), 5_000);
    const atDomain = await inviteAtDomain(alice);
    expect(atDomain.status).toBe("completed");
    const atOther = await runCommand(alice, other, INVITE, { action: "complete" });
    expect(atOther.from).toBe(other);
    expect(atOther.status).toBe("completed");
    // Its own JID (Conversations' cached item) has no session: the server answers for it (RFC 6120 §10.5.3.2).
    expect(errorOf((await runCommand(alice, pointed, INVITE, { action: "complete" })).reply).condition).toBe(
      "service-unavailable",
    );
  });

  it("lists nothing and says the service is offline when no instance is left, and follows one that comes back", async () => {
    for (const run of instances.values()) await run.kill();
    instances.clear();
    await eventually(
      async () => expect((await serverCommands(admin, DOMAIN)).filter((i) => i.node === INVITE)).toEqual([]),
      5_000,
    );
    expect(errorOf((await inviteAtDomain(admin)).reply).condition).toBe("recipient-unavailable");
    await startInstance("c");
    expect(await listedInstance(admin)).toBe(`${BOT}/c`);
    expect((await inviteAtDomain(admin)).status).toBe("completed");
  });
});
