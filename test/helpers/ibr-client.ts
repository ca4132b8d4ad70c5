/**
 * A minimal raw XMPP client for unauthenticated in-band registration with an invite token:
 * XEP-0077 (jabber:iq:register), XEP-0445 (`urn:xmpp:ibr-token:0` stream feature) and the
 * XEP-0379/XEP-0401 `<preauth xmlns='urn:xmpp:pars:0'/>` IQ, over plain TCP to 127.0.0.1
 * (the test Prosody runs with c2s_require_encryption = false, so no STARTTLS).
 *
 * xmpp.js cannot be used for this: its client always authenticates before it resolves.
 */
import { connect, type Socket } from "node:net";
import xmlModule, { type Element, xml } from "@xmpp/xml";

export const NS_STREAM = "http://etherx.jabber.org/streams";
export const NS_STREAM_ERRORS = "urn:ietf:params:xml:ns:xmpp-streams";
export const NS_REGISTER = "jabber:iq:register";
export const NS_IBR_TOKEN = "urn:xmpp:ibr-token:0";
export const NS_PARS = "urn:xmpp:pars:0";

export interface IbrSession {
  /** The <stream:features/> element received after opening the stream. */
  features: Element;
  /** True if features contain <register xmlns='urn:xmpp:ibr-token:0'/>. */
  offersTokenRegistration: boolean;
  /** Sends <iq type='set'><preauth xmlns='urn:xmpp:pars:0' token='…'/></iq>; resolves with the reply IQ (result or error). */
  preauth(token: string, timeoutMs?: number): Promise<Element>;
  /** The same preauth IQ with `children` inside `<preauth/>` (e.g. a relay proof, made right or wrong). */
  preauthWith(token: string, children: readonly Element[], timeoutMs?: number): Promise<Element>;
  /** Sends a jabber:iq:register set with username+password; resolves with the reply IQ (result or error). */
  register(username: string, password: string, timeoutMs?: number): Promise<Element>;
  /** Sends a jabber:iq:register get; resolves with the reply. */
  registrationForm(timeoutMs?: number): Promise<Element>;
  close(): Promise<void>;
  /**
   * Destroys the connection at once, without `</stream:stream>` and without waiting for anything: an app that hangs
   * up as soon as it has its answer. Called right after an awaited reply, it runs before the socket reads again.
   */
  abort(): void;
}

export interface OpenIbrSessionOptions {
  /** c2s port on 127.0.0.1. */
  port: number;
  /** The `to` of the stream header, i.e. the host to register on. */
  domain: string;
  /** Time allowed for connecting and receiving the stream features; default for later IQs too (10 s). */
  timeoutMs?: number;
  /** The loopback address to connect from (e.g. 127.0.0.2, for a second client address); the kernel's choice by default. */
  localAddress?: string;
}

export interface RegisterWithTokenOptions {
  port: number;
  domain: string;
  token: string;
  username: string;
  password: string;
  timeoutMs?: number;
}

/** The server sent `<stream:error/>`, closed the stream or dropped the connection. */
export class IbrStreamError extends Error {
  /** The stream error condition (e.g. `host-unknown`), or undefined for a plain close. */
  readonly condition: string | undefined;
  readonly text: string | undefined;
  constructor(message: string, condition?: string, text?: string) {
    super(message);
    this.name = "IbrStreamError";
    this.condition = condition;
    this.text = text;
  }
}

const DEFAULT_TIMEOUT_MS = 10_000;
const CLOSE_TIMEOUT_MS = 3000;

/** The parts of @xmpp/xml's Parser (an EventEmitter over ltx) used here; not in src/types/xmpp.d.ts. */
interface StreamParser {
  on(event: "start" | "element" | "end", listener: (element: Element) => void): void;
  on(event: "error", listener: (error: Error) => void): void;
  write(data: string): void;
}
const Parser = (xmlModule as unknown as { Parser: new () => StreamParser }).Parser;

interface Waiter {
  what: string;
  test(element: Element): boolean;
  resolve(element: Element): void;
  reject(error: Error): void;
}

/** The defined condition and text of a `<stream:error/>`. */
function streamErrorOf(element: Element): { condition: string | undefined; text: string | undefined } {
  const children = element.getChildElements();
  const condition = children.find((c) => c.attrs.xmlns === NS_STREAM_ERRORS && c.name !== "text")?.name;
  const text = element.getChildText("text", NS_STREAM_ERRORS) ?? undefined;
  return { condition, text };
}

function describe(elements: readonly Element[]): string {
  if (elements.length === 0) return "nothing";
  const shown = elements.slice(-5).map((element) => element.toString());
  const skipped = elements.length - shown.length;
  return (skipped > 0 ? `${skipped} earlier element(s), then:\n` : "") + shown.join("\n");
}

/** Connects to 127.0.0.1:port, opens a stream to `domain` and waits for its features. */
export async function openIbrSession(options: OpenIbrSessionOptions): Promise<IbrSession> {
  const { port, domain } = options;
  const defaultTimeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const where = `127.0.0.1:${port} (stream to ${domain})`;

  const parser = new Parser();
  /** Top-level elements not yet claimed by a waiter, oldest first. */
  const unclaimed: Element[] = [];
  /** Every top-level element received, for error messages. */
  const received: Element[] = [];
  const waiters = new Set<Waiter>();
  /** Set once the stream is over; later waits fail with it at once. */
  let failure: Error | undefined;
  let streamHeader: Element | undefined;
  let streamEnded = false;
  let socketClosed = false;
  let nextId = 0;

  /** An Error saying what was waited for, why it will not come, and all that was received. */
  const overError = (cause: Error, what: string): Error =>
    new Error(`${where}: ${cause.message} ${what}; received so far: ${describe(received)}`, { cause });

  /** Records why the stream is over (the first reason wins) and rejects every pending wait. */
  const fail = (error: Error): void => {
    failure ??= error;
    for (const waiter of waiters) {
      waiters.delete(waiter);
      waiter.reject(overError(failure, `while waiting for ${waiter.what}`));
    }
  };

  const deliver = (element: Element): void => {
    for (const waiter of waiters) {
      if (waiter.test(element)) {
        waiters.delete(waiter);
        waiter.resolve(element);
        return;
      }
    }
    unclaimed.push(element);
  };

  /** Resolves with the first unclaimed element (past or future) passing `test`, and claims it. */
  const waitFor = (what: string, test: (element: Element) => boolean, timeoutMs: number): Promise<Element> => {
    const index = unclaimed.findIndex(test);
    const found = index === -1 ? undefined : unclaimed.splice(index, 1)[0];
    if (found !== undefined) return Promise.resolve(found);
    if (failure !== undefined) {
      return Promise.reject(overError(failure, `(the stream is over), so cannot wait for ${what}`));
    }
    return new Promise<Element>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(
          new Error(
            `${where}: timed out after ${timeoutMs} ms waiting for ${what}; received so far: ${describe(received)}`,
          ),
        );
      }, timeoutMs);
      const waiter: Waiter = {
        what,
        test,
        resolve: (element) => {
          clearTimeout(timer);
          resolve(element);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      waiters.add(waiter);
    });
  };

  parser.on("start", (element) => {
    streamHeader = element;
    deliver(element);
  });
  parser.on("element", (element) => {
    received.push(element);
    if (element.is("error", NS_STREAM)) {
      const { condition, text } = streamErrorOf(element);
      fail(
        new IbrStreamError(
          `server sent stream error <${condition ?? "?"}/>${text === undefined ? "" : ` (${text})`}`,
          condition,
          text,
        ),
      );
      return;
    }
    deliver(element);
  });
  parser.on("end", () => {
    streamEnded = true;
    fail(new IbrStreamError("server closed the stream"));
  });
  parser.on("error", (error) => {
    fail(new IbrStreamError(`cannot parse the server's XML: ${error.message}`));
    socket.destroy();
  });

  const socket: Socket = connect({
    host: "127.0.0.1",
    port,
    ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
  });
  socket.setEncoding("utf8");
  socket.on("data", (data: string) => parser.write(data));
  socket.on("error", (error) => fail(new IbrStreamError(`socket error: ${error.message}`)));
  socket.on("close", () => {
    socketClosed = true;
    fail(new IbrStreamError("connection closed"));
  });

  const write = (data: string): Promise<void> =>
    new Promise((resolve, reject) => {
      if (failure !== undefined) {
        reject(new Error(`${where}: ${failure.message}; cannot send ${data}`, { cause: failure }));
        return;
      }
      socket.write(data, (error) => (error ? reject(error) : resolve()));
    });

  /**
   * Rejects pending waits, closes our stream, waits (bounded) for the server's close, then ends
   * the socket (destroying it if it lingers).
   */
  let closing: Promise<void> | undefined;
  const closeOnce = async (): Promise<void> => {
    const streamOpen = !streamEnded && !socketClosed && failure === undefined;
    fail(new IbrStreamError("the session was closed by close()"));
    if (socketClosed) return;
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    if (streamOpen) {
      const ended = new Promise<void>((resolve) => parser.on("end", () => resolve()));
      socket.write("</stream:stream>");
      let timer: NodeJS.Timeout | undefined;
      const giveUp = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
      });
      await Promise.race([ended, closed, giveUp]);
      clearTimeout(timer);
    }
    if (socketClosed) return;
    socket.end();
    const timer = setTimeout(() => socket.destroy(), CLOSE_TIMEOUT_MS);
    await closed;
    clearTimeout(timer);
  };
  const close = (): Promise<void> => {
    closing ??= closeOnce();
    return closing;
  };

  const openTimeoutMs = defaultTimeoutMs;
  let features: Element;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`timed out after ${openTimeoutMs} ms waiting for a TCP connection to 127.0.0.1:${port}`));
      }, openTimeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once("error", (error) => {
        clearTimeout(timer);
        reject(new Error(`cannot connect to 127.0.0.1:${port}: ${error.message}`, { cause: error }));
      });
    });
    const header = xml("stream:stream", {
      to: domain,
      version: "1.0",
      "xml:lang": "en",
      xmlns: "jabber:client",
      "xmlns:stream": NS_STREAM,
    });
    // `<stream:stream ...>` left open: drop the "/>" of the serialized empty element.
    await write(`<?xml version='1.0'?>${header.toString().slice(0, -2)}>`);
    const started = Date.now();
    await waitFor("the <stream:stream> header", (element) => element === streamHeader, openTimeoutMs);
    features = await waitFor(
      "<stream:features/>",
      (element) => element.is("features", NS_STREAM),
      Math.max(1, openTimeoutMs - (Date.now() - started)),
    );
  } catch (error) {
    socket.destroy();
    throw error;
  }

  /** Sends an IQ with a fresh id and resolves with the result or error IQ of the same id. */
  const iq = async (type: "get" | "set", child: Element, what: string, timeoutMs: number): Promise<Element> => {
    nextId += 1;
    const id = `ibr-${nextId}`;
    const stanza = xml("iq", { type, id }, child);
    const answer = waitFor(
      `the reply to ${what} (iq id ${id})`,
      (element) =>
        element.name === "iq" &&
        element.attrs.id === id &&
        (element.attrs.type === "result" || element.attrs.type === "error"),
      timeoutMs,
    );
    // The stream is over: `answer` already rejected, saying so.
    if (failure !== undefined) return answer;
    // Avoid an unhandled rejection if the write fails first.
    answer.catch(() => undefined);
    await write(stanza.toString());
    return answer;
  };

  return {
    features,
    offersTokenRegistration: features.getChild("register", NS_IBR_TOKEN) !== undefined,
    preauth: (token, timeoutMs = defaultTimeoutMs) =>
      iq("set", xml("preauth", { xmlns: NS_PARS, token }), "the preauth IQ", timeoutMs),
    preauthWith: (token, children, timeoutMs = defaultTimeoutMs) =>
      iq("set", xml("preauth", { xmlns: NS_PARS, token }, ...children), "the preauth IQ", timeoutMs),
    register: (username, password, timeoutMs = defaultTimeoutMs) =>
      iq(
        "set",
        xml("query", { xmlns: NS_REGISTER }, xml("username", {}, username), xml("password", {}, password)),
        `the registration of ${username}`,
        timeoutMs,
      ),
    registrationForm: (timeoutMs = defaultTimeoutMs) =>
      iq("get", xml("query", { xmlns: NS_REGISTER }), "the registration form request", timeoutMs),
    close,
    abort: () => {
      fail(new IbrStreamError("the session was aborted by abort()"));
      socket.destroy();
    },
  };
}

/**
 * The invite URI and token in the output of the command line's invite command (commandLineInviteArgs): Prosody
 * 0.12's `prosodyctl mod_invites generate HOST` prints one line `xmpp:HOST?register;preauth=TOKEN`, 13's
 * `prosodyctl shell invite create_account HOST` the line `OK: xmpp:HOST?register;preauth=TOKEN`; either possibly
 * after config warnings that prosodyctl also prints to stdout. Throws, quoting the output, if there is none.
 */
export function inviteFromProsodyctl(output: string): { uri: string; token: string } {
  for (const line of output.split("\n")) {
    const match = /^(?:OK:\s*)?(xmpp:[^?\s]+\?register;preauth=([A-Za-z0-9_-]+))\s*$/.exec(line.trim());
    if (match?.[1] !== undefined && match[2] !== undefined) return { uri: match[1], token: match[2] };
  }
  throw new Error(`no xmpp:…?register;preauth=TOKEN line in prosodyctl output:\n${output}`);
}

/** Opens a session, sends the preauth IQ and then the registration (whatever the preauth reply), closes. */
export async function registerWithToken(
  options: RegisterWithTokenOptions,
): Promise<{ preauth: Element; register: Element }> {
  const session = await openIbrSession({ port: options.port, domain: options.domain, timeoutMs: options.timeoutMs });
  try {
    const preauth = await session.preauth(options.token);
    const register = await session.register(options.username, options.password);
    return { preauth, register };
  } finally {
    await session.close();
  }
}
