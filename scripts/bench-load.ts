/**
 * The load generator: one @xmpp/client session per side, one code path for both. Each request is the
 * XEP-0050 contact-invite command (`urn:xmpp:invite#invite`, action `execute`) sent as an IQ set; it is
 * timed from send to the answer, and counts only if the answer is a `completed` command whose result form
 * carries an `xmpp:` URI for this very user. Anything else stops the run (a failure must never look fast).
 */
import { type Client, client, xml } from "@xmpp/client";
import type { Element } from "@xmpp/xml";

export const CONTACT_INVITE_NODE = "urn:xmpp:invite#invite";
const NS_COMMANDS = "http://jabber.org/protocol/commands";
const NS_DATA_FORMS = "jabber:x:data";
const REQUEST_TIMEOUT_MS = 30_000;

export interface InviteClient {
  /** e.g. `alice@localhost` */
  readonly jid: string;
  /** Where the command goes: the bot's full JID, or the server's domain for Prosody's own command. */
  readonly target: string;
  /** Invites this client has successfully created. */
  readonly created: number;
  /** Creates one invite; resolves with the round trip in milliseconds. */
  createInvite(): Promise<number>;
  /** Creates one invite; resolves with its token. */
  createInviteToken(): Promise<string>;
  /** An XEP-0199 ping to the same target: the round trip of a request that does no work there. */
  ping(): Promise<number>;
  stop(): Promise<void>;
}

export interface ClientOptions {
  service: string;
  domain: string;
  username: string;
  password: string;
  target: string;
  /** The session's resource (default `bench`): one user may measure two targets at once. */
  resource?: string;
}

/** The XEP-0050 contact-invite command, executed at `target` (the bot's full JID or a server's domain). */
export function contactInviteIq(target: string): Element {
  return xml(
    "iq",
    { type: "set", to: target },
    xml("command", { xmlns: NS_COMMANDS, node: CONTACT_INVITE_NODE, action: "execute" }),
  );
}

export async function connectInviteClient(options: ClientOptions): Promise<InviteClient> {
  const { service, domain, username, password, target, resource = "bench" } = options;
  const jid = `${username}@${domain}`;
  const xmpp: Client = client({ service, domain, username, password, resource });
  xmpp.reconnect.stop();
  const errors: Error[] = [];
  xmpp.on("error", (error: Error) => errors.push(error));
  try {
    await withTimeout(xmpp.start(), 15_000, `logging in as ${jid}`);
  } catch (error) {
    await xmpp.stop().catch(() => {});
    throw new Error(`could not log in as ${jid} at ${service}: ${(error as Error).message}`);
  }
  // A contact invite that does not register an account (both sides run with user invites off, Prosody's default):
  // "xmpp:alice@host?roster;preauth=TOKEN", without ";ibr=y".
  const uriPattern = new RegExp(`^xmpp:${escapeRegExp(jid)}\\?roster;preauth=[\\w-]{8,}$`, "u");
  let created = 0;
  /** One invite: its token and the round trip. */
  const create = async (): Promise<{ token: string; ms: number }> => {
    const started = performance.now();
    let answer: Element;
    try {
      answer = await xmpp.iqCaller.request(contactInviteIq(target), REQUEST_TIMEOUT_MS);
    } catch (error) {
      const seen = errors.length > 0 ? ` (client errors: ${errors.map((e) => e.message).join("; ")})` : "";
      throw new Error(`${jid} → ${target}: the invite command failed: ${describe(error)}${seen}`);
    }
    const elapsed = performance.now() - started;
    const uri = completedUri(answer);
    if (uri === undefined || !uriPattern.test(uri)) {
      throw new Error(`${jid} → ${target}: not a completed invite: ${answer.toString()}`);
    }
    created += 1;
    return { token: uri.slice(uri.indexOf("preauth=") + "preauth=".length), ms: elapsed };
  };
  return {
    jid,
    target,
    get created() {
      return created;
    },
    createInvite: async () => (await create()).ms,
    createInviteToken: async () => (await create()).token,
    async ping() {
      const iq = xml("iq", { type: "get", to: target }, xml("ping", { xmlns: "urn:xmpp:ping" }));
      const started = performance.now();
      try {
        await xmpp.iqCaller.request(iq, REQUEST_TIMEOUT_MS);
      } catch (error) {
        throw new Error(`${jid} → ${target}: ping failed: ${describe(error)}`);
      }
      return performance.now() - started;
    },
    async stop() {
      if (xmpp.status === "offline") return;
      await withTimeout(xmpp.stop(), 3_000, "stop").catch(() => undefined);
    },
  };
}

/** The `uri` field of a completed command's result form, if that is what `iq` is. */
function completedUri(iq: Element): string | undefined {
  const command = iq.getChild("command", NS_COMMANDS);
  if (iq.attrs.type !== "result" || command?.attrs.status !== "completed") return undefined;
  const form = command.getChild("x", NS_DATA_FORMS);
  const field = form?.getChildren("field").find((f) => f.attrs.var === "uri");
  return field?.getChildText("value") ?? undefined;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const condition = (error as Error & { condition?: string }).condition;
    return condition === undefined ? error.message : `${condition}: ${error.message}`;
  }
  return String(error);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/gu, "\\$&");
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------------------------------------
// Measurements

export interface LatencyResult {
  count: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

export interface ThroughputResult {
  count: number;
  seconds: number;
  perSecond: number;
  /** True when the time cap, not the count, ended the run. */
  capped: boolean;
  /** Latency under load (each request's own round trip). */
  p50: number;
  p99: number;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? Number.NaN;
}

/**
 * `count` rounds; in each round every operation runs once and is awaited, one after the other. One request is
 * in flight at a time, and background noise on the machine falls on every side alike instead of on whichever
 * side happened to run while it lasted.
 */
export async function roundsOf(
  operations: ReadonlyArray<() => Promise<number>>,
  count: number,
): Promise<LatencyResult[]> {
  const times = operations.map((): number[] => []);
  for (let i = 0; i < count; i++) {
    for (const [index, operation] of operations.entries()) times[index]?.push(await operation());
  }
  return times.map(summarize);
}

/** Sequential invite latency of several clients, interleaved (see roundsOf). */
export function sequentialEach(users: readonly InviteClient[], count: number): Promise<LatencyResult[]> {
  return roundsOf(
    users.map((user) => () => user.createInvite()),
    count,
  );
}

function summarize(times: number[]): LatencyResult {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: sorted.reduce((sum, t) => sum + t, 0) / Math.max(1, sorted.length),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

export interface LoadOptions {
  /** Requests kept in flight. */
  concurrency: number;
  /** Stop issuing after this many requests... */
  count: number;
  /** ...or after this many seconds, whichever comes first (in-flight requests are still awaited). */
  maxSeconds: number;
  /** Called now and then with the number completed so far. */
  progress?: (done: number, seconds: number) => void;
}

/** Closed loop: `concurrency` workers, each sending its next request when its previous one is answered. */
export async function closedLoop(user: InviteClient, options: LoadOptions): Promise<ThroughputResult> {
  const { concurrency, count, maxSeconds, progress } = options;
  const times: number[] = [];
  const started = performance.now();
  const deadline = started + maxSeconds * 1000;
  let issued = 0;
  let capped = false;
  let lastReport = started;
  const worker = async (): Promise<void> => {
    for (;;) {
      if (issued >= count) return;
      if (performance.now() >= deadline) {
        capped = true;
        return;
      }
      issued += 1;
      times.push(await user.createInvite());
      const now = performance.now();
      if (progress !== undefined && now - lastReport > 5_000) {
        lastReport = now;
        progress(times.length, (now - started) / 1000);
      }
    }
  };
  // allSettled, so that every in-flight request is over before an error propagates.
  const results = await Promise.allSettled(Array.from({ length: concurrency }, worker));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed !== undefined) throw failed.reason;
  const seconds = (performance.now() - started) / 1000;
  const summary = summarize(times);
  return {
    count: times.length,
    seconds,
    perSecond: times.length / seconds,
    capped,
    p50: summary.p50,
    p99: summary.p99,
  };
}
