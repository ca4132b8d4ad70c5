/**
 * `npm run test:compose`'s part for docker-compose.instances.yml (README, "Two bot instances"; docs/instances.md),
 * on the stack the rest of the script has running: the second bot joins, both are healthy and exactly one leads
 * (each one's GET /healthz, asked inside its container); chat to the bot's bare JID is answered once, by the
 * leader; `docker compose kill` of the leader's container, and within 10 s the other one leads and answers; the
 * killed one, started again, comes back as a follower.
 */
import { xml } from "@xmpp/client";
import type { Element } from "@xmpp/xml";
import type { TestUser } from "../test/helpers/xmpp-user.js";

/** The two bot services; each one's host name, hence its resource `invites-SERVICE` (docker-compose.yml). */
const BOTS = ["bot", "bot-2"] as const;
type Bot = (typeof BOTS)[number];

/** docs/instances.md: 5 s of lease, at most 1.5 s to the next try, then the presence. */
const TAKEOVER_MS = 10_000;
/** A leader is chosen within about 2 s of a login (docs/instances.md); room for a slow machine. */
const LEADER_WAIT_MS = 20_000;

export interface Stack {
  domain: string;
  /** `docker compose -p PROJECT -f docker-compose.yml -f docker-compose.instances.yml ARGS`; throws on failure. */
  compose(args: readonly string[], timeoutMs?: number): Promise<string>;
  /** Resolves once every service is healthy; checks it and throws when one is not within the time allowed. */
  healthy(what: string): Promise<void>;
  check(what: string, ok: boolean, detail?: string): void;
}

/** The bot's GET /healthz, asked from inside its container (docs/operations.md; the image has no curl). */
const ASK_HEALTHZ =
  "fetch('http://127.0.0.1:9090/healthz').then(async (r) => process.stdout.write(await r.text()), " +
  "(e) => { process.stdout.write(String(e)); process.exitCode = 1; })";

/** `bot`'s role by its /healthz (`leader`, `follower`, `single`), or what was wrong. */
async function roleOf(stack: Stack, bot: Bot): Promise<string> {
  const body = await stack
    .compose(["exec", "-T", bot, "node", "-e", ASK_HEALTHZ])
    .catch((error: Error) => error.message);
  try {
    return String((JSON.parse(body) as { role?: unknown }).role);
  } catch {
    return `unreadable /healthz: ${body.trim()}`;
  }
}

async function roles(stack: Stack): Promise<Record<Bot, string>> {
  const [first, second] = await Promise.all(BOTS.map((bot) => roleOf(stack, bot)));
  return { bot: first ?? "", "bot-2": second ?? "" };
}

/** Polls both bots' /healthz until one says `leader` and the other `follower`: the leader, and what they said. */
async function oneLeader(stack: Stack): Promise<{ leader?: Bot; said: string }> {
  const deadline = Date.now() + LEADER_WAIT_MS;
  let said = "";
  for (;;) {
    const now = await roles(stack);
    said = BOTS.map((bot) => `${bot}: ${now[bot]}`).join(", ");
    const leaders = BOTS.filter((bot) => now[bot] === "leader");
    const followers = BOTS.filter((bot) => now[bot] === "follower");
    if (leaders.length === 1 && followers.length === 1) return { leader: leaders[0], said };
    if (Date.now() > deadline) return { said };
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

let threads = 0;

/** Sends `body` to `to` in a thread of its own; the thread's name. */
async function say(user: TestUser, to: string, body: string): Promise<string> {
  const thread = `instances-${++threads}`;
  await user.send(xml("message", { to, type: "chat" }, xml("body", {}, body), xml("thread", {}, thread)));
  return thread;
}

function repliesIn(user: TestUser, thread: string): Element[] {
  return user.received.filter((stanza) => stanza.is("message") && stanza.getChildText("thread") === thread);
}

/** Polls `bot`'s /healthz until it says `leader`; whether it did before `deadline`. */
async function leadsBy(stack: Stack, bot: Bot, deadline: number): Promise<boolean> {
  while (Date.now() < deadline) {
    if ((await roleOf(stack, bot)) === "leader") return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

/**
 * The second bot of docker-compose.instances.yml, on the running stack (its `compose` already names both files);
 * `user` is logged in and may ask the bot for invites. Leaves both bots running, one leading.
 */
export async function checkTwoInstances(stack: Stack, user: TestUser): Promise<void> {
  const { check, compose } = stack;
  const bare = `invites@${stack.domain}`;
  const full = (bot: Bot) => `${bare}/invites-${bot}`;

  await compose(["up", "-d", "--build", "bot-2"], 20 * 60_000);
  await stack.healthy("with docker-compose.instances.yml");
  const first = await oneLeader(stack);
  check("two bots: exactly one leads, by its /healthz", first.leader !== undefined, first.said);
  const leader = first.leader;
  if (leader === undefined) return;
  const follower = BOTS.find((bot) => bot !== leader) ?? "bot-2";

  const asked = await say(user, bare, "invite");
  const answered = await user.nextMessage({ from: bare, type: "chat", thread: asked }, 20_000).catch(() => undefined);
  check(
    "chat to the bot's bare JID is answered by the leader, at its resource invites-HOSTNAME",
    answered?.attrs.from === full(leader),
    `answer from ${String(answered?.attrs.from)}, leader ${full(leader)}`,
  );
  // Prosody keeps one sender's stanzas to one session in order: had the follower been given the message to the
  // bare JID, it would have answered it before this one (test/integration/instances.test.ts does the same).
  await user.ask(full(follower), "help", 20_000);
  const replies = repliesIn(user, asked).map((stanza) => String(stanza.attrs.from));
  check("chat to the bot's bare JID is answered once", replies.length === 1, replies.join(", "));

  // Sent at once after the kill: the bot never asks for a resumable session (src/xmpp/no-resumption.ts), so Prosody's
  // mod_smacks ends the killed bot's session instead of keeping it, available, for smacks_hibernation_time; the
  // message waits offline until the other bot leads (docs/instances.md).
  const killedAt = Date.now();
  await compose(["kill", leader]);
  const meanwhile = await say(user, bare, "invite");
  const took = await leadsBy(stack, follower, killedAt + TAKEOVER_MS);
  const taken = await user
    .nextMessage({ from: bare, type: "chat", thread: meanwhile }, Math.max(1, killedAt + TAKEOVER_MS - Date.now()))
    .catch(() => undefined);
  check(
    `after \`docker compose kill ${leader}\`, ${follower} leads and answers chat within ${TAKEOVER_MS / 1000} s`,
    took && taken?.attrs.from === full(follower),
    `${took ? "leads" : "does not lead"}; ${taken === undefined ? "no answer" : `answer from ${taken.attrs.from}`}` +
      ` ${Date.now() - killedAt} ms after the kill`,
  );

  await compose(["start", leader]);
  await stack.healthy(`after starting ${leader} again`);
  const back = await oneLeader(stack);
  check(`${leader}, back, follows; ${follower} still leads`, back.leader === follower, back.said);
}
