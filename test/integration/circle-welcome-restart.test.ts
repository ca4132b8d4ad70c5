/**
 * A bot killed while it welcomes a newcomer to a circle's group chat finishes at its next start (docs/circles.md,
 * "Group chats on join, everywhere"). On Prosody with our module, the module joins the newcomer to the circle and
 * writes a signed use event; the bot, reading it (src/notifications/consumer.ts), makes the newcomer a `member` of
 * the circle's chat (XEP-0045 §9.3) and invites them (XEP-0249) BEFORE it acknowledges the entry. Here the bot is
 * the real process (src/main.ts), reaching Prosody through a proxy that holds its affiliation request (the room never
 * sees it) or the room's answer (the bot never hears it), and is SIGKILLed there, with the node process `tsx` runs
 * it in (test/helpers/kill-process-tree.ts). The entry stays pending for its consumer, named after XMPP_RESOURCE
 * (docs/storage.md, "Use events"): the next process with the same configuration reads it first and does it all,
 * and the inviter is told once, the acknowledgement coming only after the welcome.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { xml } from "@xmpp/xml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventsKey } from "../../src/storage/keys.js";
import { EVENT_GROUP } from "../../src/storage/redis-events.js";
import { tokenOf } from "../helpers/adhoc-client.js";
import { eventually } from "../helpers/bot.js";
import { invitesAnswer } from "../helpers/invites-healthy.js";
import { killProcessTree } from "../helpers/kill-process-tree.js";
import { type MainRun, runMain } from "../helpers/main-process.js";
import { affiliated, createRoom } from "../helpers/muc.js";
import { uniqueName } from "../helpers/names.js";
import { prosodyMajorVersion } from "../helpers/prosody-server.js";
import { ADMIN_JIDS, type Scenario, startScenario } from "../helpers/scenario.js";
import { MUC_HOST } from "../helpers/servers.js";
import { BOT_SIGNING_ENV } from "../helpers/signing.js";
import { startXmppProxy, type XmppProxy } from "../helpers/xmpp-proxy.js";
import type { TestUser } from "../helpers/xmpp-user.js";

const HOST = "localhost";
const BOT = `bot@${HOST}`;
const ON_13 = prosodyMajorVersion() >= 13;
const CONFERENCE = "jabber:x:conference";
const MUC_ADMIN = "http://jabber.org/protocol/muc#admin";

let world: Scenario;
let proxy: XmppProxy;
let admin: TestUser;
let cwd: string;
const runs: MainRun[] = [];

beforeAll(async () => {
  world = await startScenario({ inviteModule: true, muc: true });
  proxy = await startXmppProxy(world.servers.prosody.port);
  cwd = await mkdtemp(join(tmpdir(), "invite-bot-welcome-"));
  admin = await world.login(`admin@${HOST}`);
  // Prosody's first calls to Redis on a busy machine may miss their 0.3 s: start once invite checks answer.
  await invitesAnswer(world);
}, 120_000);

afterAll(async () => {
  for (const run of runs) await run.kill();
  if (process.env.SHOW_PROSODY_LOG) process.stderr.write(world.servers.prosody.logTail(100_000));
  await proxy?.stop();
  await world?.stop();
  if (cwd !== undefined) await rm(cwd, { recursive: true, force: true });
});

/** The bot as an admin runs it, through the proxy; the same configuration each time, so the same consumer name. */
function startBotProcess(): MainRun {
  const run = runMain(cwd, {
    XMPP_SERVICE: proxy.service,
    XMPP_DOMAIN: HOST,
    XMPP_USERNAME: "bot",
    XMPP_PASSWORD: "bot-password",
    XMPP_RESOURCE: "invites",
    REDIS_URL: world.servers.redisUrl,
    ADMIN_JIDS,
    LOG_LEVEL: "debug",
    ...BOT_SIGNING_ENV,
  });
  runs.push(run);
  return run;
}

async function ask(body: string): Promise<string> {
  return (await admin.ask(`${BOT}/invites`, body, 15_000)).getChildText("body") ?? "";
}

/** The stream's entries delivered to a consumer of the bot's group and not acknowledged: consumer → count. */
async function pendingByConsumer(): Promise<Record<string, number>> {
  const summary = await world.redis.xPending(eventsKey(HOST), EVENT_GROUP);
  return Object.fromEntries((summary.consumers ?? []).map(({ name, deliveriesCounter }) => [name, deliveriesCounter]));
}

/** Sets `jid`'s affiliation in `room` as its owner (XEP-0045 §9.4 for `none`). */
async function affiliate(owner: TestUser, room: string, jid: string, affiliation: string): Promise<void> {
  await owner.request(
    xml("iq", { type: "set", to: room }, xml("query", { xmlns: MUC_ADMIN }, xml("item", { affiliation, jid }))),
  );
}

function pidOf(run: MainRun): number {
  if (run.child.pid === undefined) throw new Error(`the bot process did not start:\n${run.output()}`);
  return run.child.pid;
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/gu, "\\$&");

/**
 * What the proxy holds once the bot sends the newcomer's affiliation request: the request itself (the room never
 * sees it), or the room's answers (the room granted it, the bot never heard).
 */
const HOLDS = [
  { direction: "requests", when: "before the room saw its request" },
  { direction: "answers", when: "before it heard the room's answer" },
] as const;

describe(`a bot killed while it welcomes a newcomer to a circle's chat, Prosody ${ON_13 ? "13" : "0.12"}`, () => {
  for (const { direction, when } of HOLDS) {
    it(`killed ${when}: makes them a member, invites them and tells the inviter once, at its next start`, async () => {
      const first = startBotProcess();
      await first.online(30_000);
      // The circle's chat: a room the admin made (and so can read the member list of), the bot its owner too.
      const room = `${uniqueName("kitchen")}@${MUC_HOST}`;
      await createRoom(admin, room, [BOT]);
      const circle = uniqueName("Family");
      expect(await ask(`circle create ${circle}`)).toMatch(
        new RegExp(`^Created the circle ${circle} \\(id [\\w-]{12}\\)\\.`, "u"),
      );
      expect(await ask(`circle add alice@${HOST} to ${circle}`)).toMatch(/^Added\./u);
      expect(await ask(`circle add-chat ${room} to ${circle}`)).toBe(
        `Added the group chat ${room} to ${circle}; its 1 member is a member of it.`,
      );
      const invite = await ask(`invite account to ${circle}`);
      expect(invite).toMatch(new RegExp(`Whoever registers with it joins ${circle}\\.$`, "u"));
      const name = uniqueName("zoe");
      const newcomer = `${name}@${HOST}`;

      // From the bot's affiliation request for the newcomer on, what goes one way is held, and never delivered.
      const held = proxy.holdAfter(
        new RegExp(`${escaped(MUC_ADMIN)}[^>]*>\\s*<item [^>]*jid=["']${escaped(newcomer)}["']`, "u"),
        direction,
      );
      expect((await world.registerWithInvite(tokenOf(invite), name, `${name}-password`)).register.attrs.type).toBe(
        "result",
      );
      await held;
      await killProcessTree(pidOf(first));
      // The kernel closed the dead bot's sockets: what the proxy held is never delivered.
      await eventually(async () => expect(proxy.connections()).toBe(0));

      // The entry is pending for the killed consumer, named after XMPP_RESOURCE; nobody was told.
      expect(await pendingByConsumer()).toEqual({ invites: 1 });
      const notice = `${newcomer} joined ${circle} through your invite.`;
      expect(admin.received.filter((stanza) => stanza.getChildText("body") === notice)).toEqual([]);
      // On Prosody our module made the newcomer a member already (docs/circles.md, "Joining, on Prosody"). Taken back,
      // as in a room of another server, the membership seen after the restart is the restarted bot's own.
      expect(await affiliated(admin, room, "member")).toContain(newcomer);
      await affiliate(admin, room, newcomer, "none");
      expect(await affiliated(admin, room, "member")).not.toContain(newcomer);
      const zoe = await world.login(newcomer);

      const second = startBotProcess();
      await second.online(30_000);

      const invitation = await zoe.nextMessage({ from: BOT, child: { name: "x", xmlns: CONFERENCE } }, 20_000);
      expect(invitation.getChild("x", CONFERENCE)?.attrs).toMatchObject({
        jid: room,
        reason: `You joined ${circle}: this is its group chat.`,
      });
      expect(await affiliated(admin, room, "member")).toEqual([`alice@${HOST}`, newcomer].sort());
      await admin.nextMessage({ from: BOT, body: notice }, 20_000);
      await eventually(async () => expect(await pendingByConsumer()).toEqual({}));
      // Acknowledged; a reply the bot sends now comes after every notice it sent before (RFC 6120 §10.1): one notice.
      expect(await ask("circles")).toMatch(new RegExp(`^Circles \\(\\d+\\):\\n[^]*• ${circle} `, "u"));
      expect(admin.received.filter((stanza) => stanza.getChildText("body") === notice)).toHaveLength(1);
      expect(second.output()).toContain("Invited a newcomer to a group chat");

      second.child.kill("SIGTERM");
      expect(await second.exited).toBe(0);
    }, 120_000);
  }
});
