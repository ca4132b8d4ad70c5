/** The web console's store in this process's memory (src/invites/console-store.ts): for unit tests. */
import type { ConsoleSession, ConsoleStore } from "../invites/console-store.js";

interface Kept<T> {
  readonly value: T;
  readonly untilMs: number;
}

export class MemoryConsoleStore implements ConsoleStore {
  readonly #logins = new Map<string, Kept<string>>();
  readonly #sessions = new Map<string, Kept<ConsoleSession>>();

  constructor(private readonly clock: () => number = Date.now) {}

  async saveLogin(hash: string, jid: string, ttlMs: number): Promise<void> {
    this.#logins.set(hash, { value: jid, untilMs: this.clock() + ttlMs });
  }

  async findLogin(hash: string): Promise<string | undefined> {
    return this.#live(this.#logins, hash);
  }

  async consumeLogin(hash: string): Promise<string | undefined> {
    const kept = this.#live(this.#logins, hash);
    this.#logins.delete(hash);
    return kept;
  }

  async saveSession(hash: string, session: ConsoleSession, ttlMs: number): Promise<void> {
    this.#sessions.set(hash, { value: session, untilMs: this.clock() + ttlMs });
  }

  async findSession(hash: string): Promise<ConsoleSession | undefined> {
    return this.#live(this.#sessions, hash);
  }

  async renewSession(hash: string, session: ConsoleSession, ttlMs: number): Promise<void> {
    if (this.#live(this.#sessions, hash) !== undefined) await this.saveSession(hash, session, ttlMs);
  }

  async endSession(hash: string, _jid: string): Promise<void> {
    this.#sessions.delete(hash);
  }

  async endSessionsOf(jid: string): Promise<number> {
    let ended = 0;
    for (const [hash, kept] of this.#sessions) {
      if (kept.value.jid !== jid) continue;
      if (kept.untilMs > this.clock()) ended += 1;
      this.#sessions.delete(hash);
    }
    return ended;
  }

  #live<T>(map: Map<string, Kept<T>>, hash: string): T | undefined {
    const kept = map.get(hash);
    if (kept === undefined || kept.untilMs <= this.clock()) return undefined;
    return kept.value;
  }
}
