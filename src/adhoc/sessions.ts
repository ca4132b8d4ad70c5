/**
 * Open multi-stage command sessions (XEP-0050 §3.3). A session belongs to the
 * full JID that started it and to one node; it ends when the command completes,
 * is canceled, or after ten idle minutes. Each requester has a few at most, so a
 * flood of half-finished commands cannot grow memory without bound.
 */
import { newSessionId } from "./session-id.js";

export interface Session {
  readonly node: string;
  readonly owner: string;
  readonly state: unknown;
  readonly expiresAt: number;
}

export interface SessionLimits {
  readonly idleMs: number;
  readonly perOwner: number;
}

const DEFAULT_LIMITS: SessionLimits = { idleMs: 10 * 60_000, perOwner: 5 };

export class AdhocSessions {
  readonly #sessions = new Map<string, Session>();
  readonly #limits: SessionLimits;
  readonly #now: () => number;

  constructor(limits: Partial<SessionLimits> = {}, now: () => number = Date.now) {
    this.#limits = { ...DEFAULT_LIMITS, ...limits };
    this.#now = now;
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** Opens a session and returns its id; the requester's oldest session goes if they have too many. */
  open(owner: string, node: string, state: unknown, id: string = newSessionId()): string {
    this.#prune();
    // A session moving on to its next stage keeps its place and evicts nobody.
    const mine = [...this.#sessions].filter(([key, session]) => key !== id && session.owner === owner);
    for (const [oldId] of mine.slice(0, Math.max(0, mine.length - this.#limits.perOwner + 1))) {
      this.#sessions.delete(oldId);
    }
    this.#sessions.set(id, { node, owner, state, expiresAt: this.#now() + this.#limits.idleMs });
    return id;
  }

  /** The live session with this id, if it belongs to this owner and node. */
  find(id: string, owner: string, node: string): Session | undefined {
    const session = this.#sessions.get(id);
    if (session === undefined || session.owner !== owner || session.node !== node) return undefined;
    if (session.expiresAt <= this.#now()) {
      this.#sessions.delete(id);
      return undefined;
    }
    return session;
  }

  close(id: string): void {
    this.#sessions.delete(id);
  }

  #prune(): void {
    const now = this.#now();
    for (const [id, session] of this.#sessions) {
      if (session.expiresAt <= now) this.#sessions.delete(id);
    }
  }
}
