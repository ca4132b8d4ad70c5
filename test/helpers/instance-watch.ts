/**
 * What a test of several bot instances watches (docs/instances.md), on Prosody or ejabberd alike: who holds the
 * leader lease in Redis, the priority each instance is at as a user subscribed to the bot sees it (RFC 6121
 * §8.5.2.1.1: the bare JID's messages go to priority 0 only), and the bot's replies, counted by thread (the bot
 * answers in the thread it was asked in).
 */
import { xml } from "@xmpp/xml";
import { expect } from "vitest";
import { eventually } from "./bot.js";
import type { TestUser } from "./xmpp-user.js";

export interface InstanceWatchOptions {
  /** The bot's bare JID. */
  readonly bot: string;
  /** The leader lease's key (src/storage/keys.ts leaderKey) and a Redis client to read it with. */
  readonly leaseKey: string;
  readonly redis: { get(key: string): Promise<string | null> };
  /** A user subscribed to the bot's presence: it sees each instance's priority. */
  readonly observer: () => TestUser;
  /** Everyone who may have asked the bot something. */
  readonly askers: () => readonly TestUser[];
}

export interface InstanceWatch {
  /** The resource the lease names (`EPOCH:RESOURCE`), or undefined while nobody holds it. */
  leaseHolder(): Promise<string | undefined>;
  /** The latest presence the observer got from `full`. */
  lastPresence(full: string): ReturnType<TestUser["received"]["at"]>;
  /** Resolves once one of `resources` holds the lease and the server has it at priority 0, the others at -1. */
  leaderReady(resources: readonly string[]): Promise<string>;
  /** Every `<message>` from the bot in `thread`, to any of the askers. */
  repliesIn(thread: string): { from: string; body: string }[];
  /** The threads asked: each answered exactly once, all by `leader`. */
  answeredOnceBy(threads: readonly string[], leader: string): Promise<void>;
}

/** A chat message to `to` in `thread` (`help` unless `body` says otherwise). */
export function askIn(user: TestUser, to: string, thread: string, body = "help"): Promise<void> {
  return user.send(xml("message", { to, type: "chat" }, xml("body", {}, body), xml("thread", {}, thread)));
}

export function watchInstances(options: InstanceWatchOptions): InstanceWatch {
  const { bot, leaseKey, redis, observer, askers } = options;
  const leaseHolder = async () => {
    const value = await redis.get(leaseKey);
    return value === null ? undefined : value.slice(value.indexOf(":") + 1);
  };
  const lastPresence = (full: string) =>
    observer()
      .received.filter((stanza) => stanza.is("presence") && stanza.attrs.from === full)
      .at(-1);
  const repliesIn = (thread: string) =>
    askers().flatMap((user) =>
      user.received
        .filter((stanza) => stanza.is("message") && stanza.getChildText("thread") === thread)
        .map((stanza) => ({ from: String(stanza.attrs.from), body: stanza.getChildText("body") ?? "" })),
    );
  return {
    leaseHolder,
    lastPresence,
    repliesIn,
    leaderReady: (resources) =>
      eventually(async () => {
        const holder = await leaseHolder();
        if (holder === undefined || !resources.includes(holder)) throw new Error(`no leader among ${resources}`);
        for (const resource of resources) {
          const presence = lastPresence(`${bot}/${resource}`);
          const priority = presence?.attrs.type === undefined ? presence?.getChildText("priority") : undefined;
          if (priority !== (resource === holder ? "0" : "-1"))
            throw new Error(`${resource} is at priority ${priority}`);
        }
        return holder;
      }, 20_000),
    async answeredOnceBy(threads, leader) {
      await eventually(async () => {
        const missing = threads.filter((thread) => repliesIn(thread).length === 0);
        if (missing.length > 0) throw new Error(`${missing.length} of ${threads.length} not answered`);
      }, 30_000);
      const replies = threads.map((thread) => repliesIn(thread));
      expect(replies.filter((answers) => answers.length !== 1)).toEqual([]);
      expect(new Set(replies.flat().map((reply) => reply.from))).toEqual(new Set([`${bot}/${leader}`]));
    },
  };
}
