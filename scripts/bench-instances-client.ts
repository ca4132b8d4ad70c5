/**
 * The instances phase's load (docs/benchmarks.md, "Several instances and Redis Sentinel or Cluster"): one
 * @xmpp/client session per client, each sending the XEP-0050 contact-invite command (`urn:xmpp:invite#invite`,
 * `execute`) to the full JID it is given, the next one when the last is answered (a closed loop).
 *
 * Unlike bench-load.ts's client, a request has three outcomes, since a failover is measured through it: a completed
 * invite for this very user; the store's clean "try again" (XEP-0086 type `wait`, `internal-server-error`, the
 * catalogue's text: src/errors/domain-errors.ts "store-unavailable"); anything else, which stops the run.
 */
import { type Client, client } from "@xmpp/client";
import type { Element } from "@xmpp/xml";
import { contactInviteIq, percentile, withTimeout } from "./bench-load.js";

const NS_COMMANDS = "http://jabber.org/protocol/commands";
const NS_DATA_FORMS = "jabber:x:data";
/** Far above REDIS_TIMEOUT_MS (500 ms): the bot answers every request within it, or something is wrong. */
const REQUEST_TIMEOUT_MS = 15_000;

export interface Outcome {
  ok: boolean;
  /** performance.now() when the answer came. */
  doneAt: number;
  ms: number;
}

export interface LoadClient {
  readonly jid: string;
  /** One invite at `target`; resolves with a success or a clean "try again", rejects on anything else. */
  createInvite(target: string): Promise<Outcome>;
  stop(): Promise<void>;
}

export async function connectLoadClient(service: string, domain: string, username: string, password: string) {
  const jid = `${username}@${domain}`;
  const xmpp: Client = client({ service, domain, username, password, resource: "bench" });
  xmpp.reconnect.stop();
  xmpp.on("error", () => {});
  await withTimeout(xmpp.start(), 30_000, `logging in as ${jid}`);
  const uriPattern = new RegExp(`^xmpp:${jid.replace(/[.]/gu, "\\.")}\\?roster;preauth=[\\w-]{8,}$`, "u");
  return {
    jid,
    async createInvite(target: string): Promise<Outcome> {
      const started = performance.now();
      let answer: Element;
      try {
        answer = await xmpp.iqCaller.request(contactInviteIq(target), REQUEST_TIMEOUT_MS);
      } catch (error) {
        const doneAt = performance.now();
        if (isTryAgain(error)) return { ok: false, doneAt, ms: doneAt - started };
        throw new Error(`${jid} → ${target}: not the clean "try again": ${String(error)}`);
      }
      const doneAt = performance.now();
      const uri = uriOf(answer);
      if (uri === undefined || !uriPattern.test(uri)) {
        throw new Error(`${jid} → ${target}: not a completed invite: ${answer.toString()}`);
      }
      return { ok: true, doneAt, ms: doneAt - started };
    },
    async stop() {
      if (xmpp.status !== "offline") await withTimeout(xmpp.stop(), 3_000, "stop").catch(() => undefined);
    },
  } satisfies LoadClient;
}

/** The store-unavailable answer: `<error type="wait"><internal-server-error/><text>… try again …</text>`. */
function isTryAgain(error: unknown): boolean {
  const stanza = error as { name?: string; type?: string; condition?: string; text?: string };
  return (
    stanza.name === "StanzaError" &&
    stanza.type === "wait" &&
    stanza.condition === "internal-server-error" &&
    /try again/u.test(stanza.text ?? "")
  );
}

function uriOf(iq: Element): string | undefined {
  const command = iq.getChild("command", NS_COMMANDS);
  if (iq.attrs.type !== "result" || command?.attrs.status !== "completed") return undefined;
  const field = command
    .getChild("x", NS_DATA_FORMS)
    ?.getChildren("field")
    .find((f) => f.attrs.var === "uri");
  return field?.getChildText("value") ?? undefined;
}

export interface LoadRun {
  started: number;
  seconds: number;
  outcomes: Outcome[];
  /** Successful invites per second, their p50 and p95 latency. */
  perSecond: number;
  p50: number;
  p95: number;
  failed: number;
}

/**
 * Client i asks `targets[i % targets.length]` (round robin over the instances' full JIDs), each its next request when
 * the last is answered, until `done()` says so. Every worker finishes its request in flight before the run ends.
 */
export async function loadUntil(
  clients: readonly LoadClient[],
  targets: readonly string[],
  done: (outcomes: readonly Outcome[]) => boolean,
): Promise<LoadRun> {
  const outcomes: Outcome[] = [];
  const started = performance.now();
  let stop = false;
  const worker = async (client: LoadClient, target: string): Promise<void> => {
    while (!stop && !done(outcomes)) {
      try {
        outcomes.push(await client.createInvite(target));
      } catch (error) {
        stop = true;
        throw error;
      }
    }
  };
  const results = await Promise.allSettled(
    clients.map((client, i) => worker(client, targets[i % targets.length] as string)),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed !== undefined) throw failed.reason;
  const seconds = (performance.now() - started) / 1000;
  const times = outcomes.filter((o) => o.ok).map((o) => o.ms);
  const sorted = times.sort((a, b) => a - b);
  return {
    started,
    seconds,
    outcomes,
    perSecond: sorted.length / seconds,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    failed: outcomes.length - sorted.length,
  };
}

/** Runs for `seconds`. */
export function loadFor(clients: readonly LoadClient[], targets: readonly string[], seconds: number) {
  const until = performance.now() + seconds * 1000;
  return loadUntil(clients, targets, () => performance.now() >= until);
}
