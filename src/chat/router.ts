/**
 * Chat keywords for clients without an ad-hoc UI, registered like ad-hoc
 * commands (a duplicate keyword throws). One incoming message gets at most one
 * reply; messages that must never be answered were dropped before (reasonToIgnore in src/xmpp/messages.ts).
 */
import { normaliseChatText } from "./parse.js";

export interface ChatKeyword<Ctx> {
  /** Normalised phrase, e.g. "invite account". */
  readonly keyword: string;
  /** One line for `help`. */
  readonly help: string;
  /** Whether `help` shows it to this requester. */
  allowed(ctx: Ctx): boolean;
  /** Whether words may follow the keyword; they reach `run` as typed. */
  readonly takesArguments?: boolean;
  /** The reply text. Refusals are replies too. */
  run(ctx: Ctx, args: string): Promise<string>;
}

export interface ChatRouterOptions<Ctx> {
  readonly contextFor: (from: string) => Ctx;
  readonly onError: (error: unknown, ctx: Ctx) => string;
  /** The hint for anything we do not understand, given what this requester may do. */
  readonly hint: (ctx: Ctx) => string;
  readonly helpText: (ctx: Ctx, lines: readonly string[]) => string;
}

/** Longest body we try to read as a keyword; anything longer is not a keyword anyway. */
const MAX_KEYWORD_BODY = 400;
/** Keywords are at most this many words ("invite account"). */
const MAX_KEYWORD_WORDS = 3;

/** What follows the first `count` words of `body`, as typed. */
function restAfterWords(body: string, count: number): string {
  const match = new RegExp(`^\\s*(?:\\S+\\s+){${count}}`, "u").exec(body);
  return match === null ? "" : body.slice(match[0].length).trim();
}

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
    if (body.length > MAX_KEYWORD_BODY) return this.#options.hint(ctx);
    if (normaliseChatText(body) === "help") return this.#help(ctx);
    const match = this.#match(body);
    if (match === undefined) return this.#options.hint(ctx);
    try {
      return await match.keyword.run(ctx, match.args);
    } catch (error) {
      return this.#options.onError(error, ctx);
    }
  }

  /** The longest keyword the message starts with; only keywords that take arguments may have more words. */
  #match(body: string): { keyword: ChatKeyword<Ctx>; args: string } | undefined {
    const words = body.trim().split(/\s+/u);
    for (let count = Math.min(words.length, MAX_KEYWORD_WORDS); count > 0; count -= 1) {
      const keyword = this.#keywords.get(normaliseChatText(words.slice(0, count).join(" ")));
      if (keyword === undefined) continue;
      const args = restAfterWords(body, count);
      if (args === "" || keyword.takesArguments) return { keyword, args };
    }
    return undefined;
  }

  #help(ctx: Ctx): string {
    const lines = [...this.#keywords.values()].filter((k) => k.allowed(ctx)).map((k) => `${k.keyword} — ${k.help}`);
    return this.#options.helpText(ctx, lines);
  }
}
