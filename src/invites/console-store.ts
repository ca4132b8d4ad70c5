/**
 * The web console's storage port (docs/console.md): one-time login links and login sessions, each named by the
 * SHA-256 of its secret (token.ts's tokenHash), never by the secret itself, like invites (docs/security.md). Made
 * by src/storage/redis-console.ts (shared by every bot instance) and src/storage/memory-console.ts (unit tests);
 * both follow test/helpers/console-store-contract.ts.
 */

/** A console session as stored: whose it is, and when it started and ends (Unix seconds). */
export interface ConsoleSession {
  /** Bare JID of the person logged in. */
  readonly jid: string;
  readonly created: number;
  /** The end of its idle time: moved on by each use (renewSession). */
  readonly expires: number;
}

export interface ConsoleStore {
  /** Keeps a login link's token hash for `jid` for `ttlMs`. */
  saveLogin(hash: string, jid: string, ttlMs: number): Promise<void>;
  /** The JID of a login link, leaving it usable (the page that asks "Log in as …?"). */
  findLogin(hash: string): Promise<string | undefined>;
  /** The JID of a login link, removed in the same step: a second consumer (or a later one) gets undefined. */
  consumeLogin(hash: string): Promise<string | undefined>;
  /** Keeps a session for `ttlMs`, and notes it among its JID's sessions (for endSessionsOf). */
  saveSession(hash: string, session: ConsoleSession, ttlMs: number): Promise<void>;
  findSession(hash: string): Promise<ConsoleSession | undefined>;
  /** Gives a session that still exists a new end; one ended meanwhile stays ended. */
  renewSession(hash: string, session: ConsoleSession, ttlMs: number): Promise<void>;
  /** Ends one session of `jid`. */
  endSession(hash: string, jid: string): Promise<void>;
  /** Ends every session of `jid`; resolves with how many there were. */
  endSessionsOf(jid: string): Promise<number>;
}
