/**
 * Chat keywords for clients without an ad-hoc UI, registered like ad-hoc
 * commands (a duplicate keyword throws). One incoming message gets at most one
 * reply; messages that must never be answered are dropped first.
 */
import type { Element } from "@xmpp/xml";
import { bareJid } from "../jid.js";
import { normaliseChatText } from "./parse.js";

export interface ChatKeyword<Ctx> {
  /** Normalised phrase, e.g. "invite account". */
  readonly keyword: string;
  /** One line for `help`. */
  readonly help: string;
  /** Whether `help` shows it to this requester. */
  allowed(ctx: Ctx): boolean;
  /** The reply text. Refusals are replies too. */
  run(ctx: Ctx): Promise<string>;
}

export interface ChatRouterOptions<Ctx> {
  readonly contextFor: (from: string) => Ctx;
  readonly onError: (error: unknown, ctx: Ctx) => string;
  /** The hint for anything we do not understand, given what this requester may do. */
  readonly hint: (ctx: Ctx) => string;
  readonly helpText: (ctx: Ctx, lines: readonly string[]) => string;
}

/** Longest body we try to read as a keyword; anything longer is not a keyword anyway. */
const MAX_KEYWORD_BODY = 200;

export class ChatRouter<Ctx> {
  readonly #keywords = new Map<string, ChatKeyword<Ctx>>();
  readonly #options: ChatRouterOptions<Ctx>;

  constructor(options: ChatRouterOptions<Ctx>) {
    this.#options = options;
  }

  register(keyword: ChatKeyword<Ctx>): this {
    if (keyword.keyword === "help" || this.#keywords.has(keyword.keyword)) {
      throw new Error(`Chat keyword registered twice: ${keyword.keyword}`);
    }
    this.#keywords.set(keyword.keyword, keyword);
    return this;
  }

  /** The reply to a message body from `from` (full JID). */
  async reply(from: string, body: string): Promise<string> {
    const ctx = this.#options.contextFor(from);
    const text = body.length > MAX_KEYWORD_BODY ? "" : normaliseChatText(body);
    if (text === "help") return this.#help(ctx);
    const keyword = this.#keywords.get(text);
    if (keyword === undefined) return this.#options.hint(ctx);
    try {
      return await keyword.run(ctx);
    } catch (error) {
      return this.#options.onError(error, ctx);
    }
  }

  #help(ctx: Ctx): string {
    const lines = [...this.#keywords.values()].filter((k) => k.allowed(ctx)).map((k) => `${k.keyword} — ${k.help}`);
    return this.#options.helpText(ctx, lines);
  }
}

/**
 * Why a message must not be answered, or undefined when it may be: never
 * errors, groupchat or headlines (RFC 6121 §5.2.2, XEP-0045), never without a
 * body (chat states, receipts), never ourselves or a server (no bot loops).
 */
export function reasonToIgnore(stanza: Element, selfBare: string): string | undefined {
  const type = stanza.attrs.type ?? "normal";
  if (type !== "chat" && type !== "normal") return `type ${type}`;
  const from = stanza.attrs.from;
  if (from === undefined) return "no sender";
  const bare = bareJid(from);
  if (!bare.includes("@")) return "sent by a server";
  if (bare === selfBare) return "sent by myself";
  const body = stanza.getChildText("body");
  if (body === null || body.trim() === "") return "no body";
  return undefined;
}
