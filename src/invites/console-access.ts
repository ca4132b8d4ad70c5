/**
 * Who may use the web console and how they get in (docs/console.md): a one-time login link, asked for over XMPP
 * (the account proves itself by its session with the server), opened in a browser, becomes a login session. The
 * link's token and the session id are 18 random bytes each, like invite tokens (token.ts), and only their SHA-256
 * is stored (console-store.ts). Knows nothing of HTTP or XMPP: the web and the commands both come here.
 */
import { InviteError } from "../errors.js";
import type { ConsoleSession, ConsoleStore } from "./console-store.js";
import { type Clock, nowSeconds, systemClock } from "./expiry.js";
import { guarded } from "./guarded.js";
import { type Actor, actorFor, type Policy } from "./permissions.js";
import type { RelationsStore } from "./store.js";
import { generateToken, type RandomSource, TOKEN_PATTERN, tokenHash } from "./token.js";

/** How long a login link works: long enough to switch to a browser, short enough not to linger in a chat log. */
export const LOGIN_LINK_SECONDS = 600;
/** A session ends after this long without a request (each request moves its end on). */
export const SESSION_IDLE_SECONDS = 12 * 3600;
/** A session's end is written again only once it has moved on this much, not on every page. */
const RENEW_AFTER_SECONDS = 60;

export interface ConsoleAccessOptions {
  readonly store: ConsoleStore;
  readonly relations: Pick<RelationsStore, "inviteesOf">;
  readonly policy: Policy;
  /** The link that opens a login token (WEB_URL/console/login/TOKEN); undefined without WEB_URL. */
  readonly loginUrl: ((token: string) => string) | undefined;
  readonly clock?: Clock;
  readonly random?: RandomSource;
}

export interface LoginLink {
  readonly url: string;
  readonly validSeconds: number;
}

/** An open session: who it is (their permissions as of now) and the hash that names it in storage. */
export interface OpenSession {
  readonly actor: Actor;
  readonly hash: string;
  readonly session: ConsoleSession;
}

/**
 * Whether the bot serves this requester at all: users of its domain and its admins, the same people its commands
 * answer (mayManage in src/commands/manage-commands.ts) and its presence accepts.
 */
export function consoleServes(actor: Actor): boolean {
  return actor.localUser !== undefined || actor.isAdmin;
}

export class ConsoleAccess {
  readonly #options: ConsoleAccessOptions;
  readonly #clock: Clock;

  constructor(options: ConsoleAccessOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** Whether login links can be given at all (WEB_URL is set). */
  get available(): boolean {
    return this.#options.loginUrl !== undefined;
  }

  get policy(): Policy {
    return this.#options.policy;
  }

  /** A new one-time link for `actor`, bound to their bare JID; not-local-user for someone the bot does not serve. */
  async loginLink(actor: Actor): Promise<LoginLink | undefined> {
    const { loginUrl, store, random } = this.#options;
    if (!consoleServes(actor)) throw new InviteError("not-local-user");
    if (loginUrl === undefined) return undefined;
    const token = generateToken(random);
    await guarded(() => store.saveLogin(tokenHash(token), actor.jid, LOGIN_LINK_SECONDS * 1000), "no link was made");
    return { url: loginUrl(token), validSeconds: LOGIN_LINK_SECONDS };
  }

  /** Whose a login link is, without using it up: chat apps open links for their previews. */
  async loginFor(token: string): Promise<Actor | undefined> {
    if (!TOKEN_PATTERN.test(token)) return undefined;
    const jid = await guarded(() => this.#options.store.findLogin(tokenHash(token)));
    return jid === undefined ? undefined : actorFor(jid, this.#options.policy);
  }

  /**
   * Opens a session with a login link's token, which is used up by it (one step in storage: two browsers racing
   * with one link get one session). Undefined for a token used, expired, unknown or not a token at all, and for
   * someone the bot no longer serves. The session id is the cookie's value: returned here, never stored.
   */
  async logIn(token: string): Promise<{ sessionId: string; open: OpenSession } | undefined> {
    if (!TOKEN_PATTERN.test(token)) return undefined;
    const { store, random, policy } = this.#options;
    const jid = await guarded(() => store.consumeLogin(tokenHash(token)));
    if (jid === undefined) return undefined;
    const actor = actorFor(jid, policy);
    if (!consoleServes(actor)) return undefined;
    const sessionId = generateToken(random);
    const hash = tokenHash(sessionId);
    const now = nowSeconds(this.#clock);
    const session = { jid, created: now, expires: now + SESSION_IDLE_SECONDS };
    await guarded(() => store.saveSession(hash, session, SESSION_IDLE_SECONDS * 1000), "you were not logged in");
    return { sessionId, open: { actor, hash, session } };
  }

  /** The session of a cookie's id, its idle time started again; undefined when there is none (any more). */
  async sessionOf(sessionId: string | undefined): Promise<OpenSession | undefined> {
    if (sessionId === undefined || !TOKEN_PATTERN.test(sessionId)) return undefined;
    const { store, policy } = this.#options;
    const hash = tokenHash(sessionId);
    const found = await guarded(() => store.findSession(hash));
    const now = nowSeconds(this.#clock);
    if (found === undefined || found.expires <= now) return undefined;
    const actor = actorFor(found.jid, policy);
    if (!consoleServes(actor)) return undefined;
    let session = found;
    if (now + SESSION_IDLE_SECONDS - found.expires >= RENEW_AFTER_SECONDS) {
      session = { ...found, expires: now + SESSION_IDLE_SECONDS };
      await guarded(() => store.renewSession(hash, session, SESSION_IDLE_SECONDS * 1000));
    }
    return { actor, hash, session };
  }

  /** Ends one session (the console's "Log out"). */
  async logOut(open: OpenSession): Promise<void> {
    await guarded(() => this.#options.store.endSession(open.hash, open.session.jid));
  }

  /** Ends every console session of `actor` (chat `logout`); resolves with how many there were. */
  logOutEverywhere(actor: Actor): Promise<number> {
    return guarded(() => this.#options.store.endSessionsOf(actor.jid));
  }

  /** Who joined through `actor`'s own invites (their own relations: anyone may see whom they invited). */
  joinedThrough(actor: Actor): Promise<string[]> {
    return guarded(() => this.#options.relations.inviteesOf(actor.jid), "I cannot look it up");
  }
}
