/** A real XMPP client logged in to the private Prosody, for playing a user in integration tests. */
import { type Client, xml } from "@xmpp/client";
import type { Element } from "@xmpp/xml";
import { xmppClient } from "../../src/xmpp/xmpp-client.js";
import {
  describeMatcher,
  type MessageMatcher,
  matchesMessage,
  matchesPresence,
  type PresenceMatcher,
} from "./stanza-match.js";

export interface ConnectUserOptions {
  /** e.g. `xmpp://127.0.0.1:PORT` (plain TCP; the test server allows auth without TLS). */
  service: string;
  domain: string;
  username: string;
  password: string;
  /** Defaults to a unique `test-xxxxxx`, so that two logins to one account do not kick each other out. */
  resource?: string;
  /**
   * Send initial `<presence/>` once online and wait until the server has processed it (default true);
   * Prosody's echo of it is not returned by nextPresence().
   */
  presence?: boolean;
  /**
   * Fetch the roster once online, as real clients do (default true). Prosody only forwards
   * `subscribed`/`unsubscribe`/`unsubscribed` presences and roster pushes to sessions that did.
   */
  roster?: boolean;
  /** Let xmpp.js reconnect by itself after a disconnect (default false: tests stay deterministic). */
  reconnect?: boolean;
  /** Time allowed for connecting and logging in (default 10 s). */
  timeoutMs?: number;
}

export interface TestUser {
  xmpp: Client;
  /** Full JID, as bound by the server. */
  jid: string;
  /** Bare JID (`user@domain`). */
  bareJid: string;
  /** Every stanza received so far, oldest first. */
  readonly received: readonly Element[];
  /** Errors the client emitted (e.g. connection lost). */
  readonly errors: readonly Error[];
  /** Sends an IQ and resolves with the result IQ; a stanza error rejects (StanzaError, with `condition`). */
  request(iq: Element, timeoutMs?: number): Promise<Element>;
  /** Sends an IQ and resolves with whatever IQ answers it, `type="result"` or `type="error"`. */
  requestRaw(iq: Element, timeoutMs?: number): Promise<Element>;
  /**
   * Resolves with the oldest not-yet-consumed `<message>` matching `matcher` (including ones that
   * arrived before the call) and consumes it. The matcher names the sender and the content, never "any message".
   */
  nextMessage(matcher: MessageMatcher, timeoutMs?: number): Promise<Element>;
  /** Like nextMessage, for `<presence>`: by sender and type. */
  nextPresence(matcher: PresenceMatcher, timeoutMs?: number): Promise<Element>;
  /**
   * Sends `body` to `to` as a chat message in a thread of its own and resolves with the answer from `to` in that
   * thread (the bot answers in the thread it was asked in): never a message `to` sent about something else.
   */
  ask(to: string, body: string, timeoutMs?: number): Promise<Element>;
  /** Fetches the roster: the `<query xmlns="jabber:iq:roster">` element. */
  roster(): Promise<Element>;
  send(element: Element): Promise<void>;
  /** Sends a `<message type="chat">` with a body. */
  sendChat(to: string, body: string): Promise<void>;
  /** Closes the stream; safe to call twice or after the server went away. */
  stop(): Promise<void>;
}

const DEFAULT_WAIT_MS = 5000;

interface Waiter {
  test(stanza: Element): boolean;
  resolve(stanza: Element): void;
}

/** Connects and logs in as `username@domain`; rejects with a clear error if that fails. */
export async function connectUser(options: ConnectUserOptions): Promise<TestUser> {
  const { service, domain, username, password } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const xmpp = xmppClient({ service, domain, username, password, resource: options.resource ?? uniqueResource() });
  if (options.reconnect !== true) xmpp.reconnect.stop();
  // Acknowledge roster pushes (they stay visible in `received`).
  xmpp.iqCallee.set("jabber:iq:roster", "query", () => ({}));

  const received: Element[] = [];
  const errors: Error[] = [];
  const unconsumed: Element[] = [];
  const waiters = new Set<Waiter>();

  xmpp.on("error", (error: Error) => {
    errors.push(error);
  });
  xmpp.on("stanza", (stanza: Element) => {
    received.push(stanza);
    if (stanza.name !== "message" && stanza.name !== "presence") return;
    for (const waiter of waiters) {
      if (waiter.test(stanza)) {
        waiters.delete(waiter);
        waiter.resolve(stanza);
        return;
      }
    }
    unconsumed.push(stanza);
  });

  const stop = async (): Promise<void> => {
    if (xmpp.status === "offline") return;
    // xmpp.stop() waits for the server's stream close and socket close; bound it if the server is gone.
    await withTimeout(xmpp.stop(), 3000, "stop").catch(() => undefined);
  };

  const who = `${username}@${domain}`;
  let fullJid: string;
  try {
    const bound = await withTimeout(xmpp.start(), timeoutMs, `logging in as ${who} at ${service}`);
    fullJid = bound.toString();
  } catch (error) {
    await stop();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`could not log in as ${who} at ${service}: ${reason}`);
  }

  const next = (
    kind: "message" | "presence",
    test: (stanza: Element) => boolean,
    what: string,
    waitMs: number,
  ): Promise<Element> => {
    const index = unconsumed.findIndex(test);
    const found = index === -1 ? undefined : unconsumed.splice(index, 1)[0];
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<Element>((resolve, reject) => {
      const waiter: Waiter = {
        test,
        resolve: (stanza) => {
          clearTimeout(timer);
          resolve(stanza);
        },
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        const others = unconsumed.filter((stanza) => stanza.name === kind).map((stanza) => stanza.toString());
        reject(
          new Error(
            `${fullJid} timed out after ${waitMs} ms waiting for ${what}` +
              (others.length > 0 ? `; unconsumed ${kind}s:\n${others.join("\n")}` : `; no other ${kind} arrived`),
          ),
        );
      }, waitMs);
      waiters.add(waiter);
    });
  };

  const requestRaw = async (iq: Element, waitMs = DEFAULT_WAIT_MS): Promise<Element> => {
    const id = iq.attrs.id ?? `raw-${Math.random().toString(36).slice(2)}`;
    iq.attrs.id = id;
    let resolveAnswer: (stanza: Element) => void = () => undefined;
    const answer = new Promise<Element>((resolve) => {
      resolveAnswer = resolve;
    });
    const onStanza = (stanza: Element): void => {
      const type = stanza.attrs.type;
      if (stanza.name === "iq" && stanza.attrs.id === id && (type === "result" || type === "error"))
        resolveAnswer(stanza);
    };
    xmpp.on("stanza", onStanza);
    try {
      await xmpp.send(iq);
      return await withTimeout(answer, waitMs, `the answer to ${iq.toString()} sent by ${fullJid}`);
    } finally {
      xmpp.removeListener("stanza", onStanza);
    }
  };

  const user: TestUser = {
    xmpp,
    jid: fullJid,
    bareJid: who,
    received,
    errors,
    request: (iq, waitMs = DEFAULT_WAIT_MS) => xmpp.iqCaller.request(iq, waitMs),
    requestRaw,
    nextMessage: (matcher, waitMs = DEFAULT_WAIT_MS) =>
      next("message", (stanza) => matchesMessage(stanza, matcher), describeMatcher("message", matcher), waitMs),
    nextPresence: (matcher, waitMs = DEFAULT_WAIT_MS) =>
      next("presence", (stanza) => matchesPresence(stanza, matcher), describeMatcher("presence", matcher), waitMs),
    async ask(to, body, waitMs = DEFAULT_WAIT_MS) {
      const thread = `ask-${++askCounter}`;
      await xmpp.send(xml("message", { to, type: "chat" }, xml("body", {}, body), xml("thread", {}, thread)));
      return user.nextMessage({ from: to, type: "chat", thread }, waitMs);
    },
    roster: async () => {
      const result = await user.request(xml("iq", { type: "get" }, xml("query", { xmlns: "jabber:iq:roster" })));
      const query = result.getChild("query", "jabber:iq:roster");
      if (query === undefined) throw new Error(`roster result without <query/>: ${result.toString()}`);
      return query;
    },
    send: (element) => xmpp.send(element),
    sendChat: (to, body) => xmpp.send(xml("message", { to, type: "chat" }, xml("body", {}, body))),
    stop,
  };

  if (options.roster !== false) await user.roster();
  if (options.presence !== false) {
    await xmpp.send(xml("presence"));
    // Prosody handles a session's stanzas in order: once this ping is answered, we are available,
    // so messages sent to our bare JID from now on are delivered, not stored offline.
    await user.request(xml("iq", { type: "get", to: domain }, xml("ping", { xmlns: "urn:xmpp:ping" })));
    // Prosody echoes the initial presence to the sender (before the ping result); drop it so that
    // nextPresence() waits for other entities. It stays in `received`.
    const echo = unconsumed.findIndex((stanza) => stanza.name === "presence" && stanza.attrs.from === fullJid);
    if (echo !== -1) unconsumed.splice(echo, 1);
  }
  return user;
}

let resourceCounter = 0;
/** Numbers the threads of ask(), unique within the process. */
let askCounter = 0;

/** `test-<pid>-<n>`: unique within the run. */
function uniqueResource(): string {
  resourceCounter += 1;
  return `test-${process.pid}-${resourceCounter}`;
}

/** Rejects with "timed out after N ms waiting for <what>" unless `promise` settles first. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Whether `jid` (user@domain) can log in at `service` with `password` now; the session is closed again at once. */
export async function canLogIn(service: string, jid: string, password: string, timeoutMs = 5_000): Promise<boolean> {
  const [username = "", domain = ""] = jid.split("@");
  try {
    const user = await connectUser({ service, domain, username, password, timeoutMs });
    await user.stop();
    return true;
  } catch {
    return false;
  }
}

/** The subscription (RFC 6121 §2.1.2.5) of `jid` in a roster result, undefined when `jid` is not in it. */
export function subscriptionOf(roster: Element, jid: string): string | undefined {
  return roster.getChildren("item").find((item) => item.attrs.jid === jid)?.attrs.subscription;
}

/** XEP-0379 §3: a subscription request that carries an invite token, as an app sends it after opening a contact invite. */
export function subscribeWithInvite(user: TestUser, to: string, token: string): Promise<void> {
  return user.send(xml("presence", { to, type: "subscribe" }, xml("preauth", { xmlns: "urn:xmpp:pars:0", token })));
}
