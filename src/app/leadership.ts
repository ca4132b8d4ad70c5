/**
 * Which of several bot instances leads (docs/instances.md): the one holding the leader lease in the store
 * (src/invites/leadership.ts). While online, a follower tries to take the lease every RENEW_EVERY_MS and the leader
 * renews it as often; a leader steps down at once, on its own monotonic clock, when it could not renew before the
 * lease it holds runs out in the store, so two instances never both lead. Its role sets the presence priority
 * (src/xmpp/presence.ts): only the leader is reached at the bot's bare JID. Without a lease in the store the
 * instance is the only one, and leads while online.
 */
import { type EventSink, silentSink } from "../events.js";
import type { HeldLease, LeaderLease } from "../invites/leadership.js";
import type { Logger } from "../logger.js";

export type LeaderRole = "leader" | "follower";

/** What leadership emits (src/events.ts). */
export interface LeadershipEvents {
  /** This instance began or stopped leading; `epoch`: the lease's fencing number while it leads. */
  "leadership-changed": { readonly role: LeaderRole; readonly holder: string; readonly epoch?: number };
}

/** How long a lease lasts in the store unless renewed: how long the instances may go without a leader. */
export const LEASE_TTL_MS = 5_000;
/** How often the leader renews and a follower tries to take the lease: three tries before a lease runs out. */
export const RENEW_EVERY_MS = 1_500;
/**
 * A leader stops this long before its lease runs out in the store. The store counts the TTL from when it got the
 * command, later than when it was sent, from which the leader counts; the margin covers a late timer and the time
 * the lower priority takes to reach the XMPP server before another instance may raise its own.
 */
export const STEP_DOWN_MARGIN_MS = 500;

/** Time for the lease: a clock that only goes forward, and timers (fakes in unit tests). */
export interface LeaseTimers {
  now(): number;
  /** Runs `run` after `ms`; returns what cancels it. */
  after(ms: number, run: () => void): () => void;
}

export const systemTimers: LeaseTimers = {
  now: () => performance.now(),
  after: (ms, run) => {
    const timer = setTimeout(run, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

export interface LeadershipOptions {
  /** The store's lease; undefined: this instance is the only one. */
  readonly lease: LeaderLease | undefined;
  /** This instance's name in the lease: its XMPP resource. */
  readonly holder: string;
  /** Told each change of role, after the event. */
  readonly onRole: (role: LeaderRole) => void;
  readonly log: Logger;
  readonly events?: EventSink<LeadershipEvents>;
  readonly timers?: LeaseTimers;
  readonly ttlMs?: number;
  readonly renewEveryMs?: number;
}

export class Leadership {
  #role: LeaderRole = "follower";
  #held: HeldLease | undefined;
  /** Bumped by resign(): an answer to an attempt of an earlier campaign changes nothing. */
  #campaign = 0;
  #running = false;
  #cancelNext: () => void = () => {};
  #cancelStepDown: () => void = () => {};
  #storeFailing = false;
  readonly #timers: LeaseTimers;
  readonly #ttlMs: number;
  readonly #renewEveryMs: number;
  readonly #events: EventSink<LeadershipEvents>;

  constructor(private readonly options: LeadershipOptions) {
    this.#timers = options.timers ?? systemTimers;
    this.#ttlMs = options.ttlMs ?? LEASE_TTL_MS;
    this.#renewEveryMs = options.renewEveryMs ?? RENEW_EVERY_MS;
    this.#events = options.events ?? silentSink();
  }

  get role(): LeaderRole {
    return this.#role;
  }

  /**
   * Starts competing for the lease (when the instance is online); does nothing when already competing. Resolves once
   * the first try is over, its role known.
   */
  async campaign(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    if (this.options.lease === undefined) {
      this.#become("leader");
      return;
    }
    await this.#attempt(this.#campaign);
  }

  /** Stops competing: steps down and gives the lease up, so another instance can take it at once. */
  async resign(): Promise<void> {
    this.#running = false;
    this.#campaign += 1;
    this.#cancelNext();
    const held = this.#held;
    this.#stepDown();
    if (held !== undefined && this.options.lease !== undefined) {
      await this.options.lease.release(this.options.holder, held).catch(() => undefined);
    }
  }

  async #attempt(campaign: number): Promise<void> {
    const lease = this.options.lease;
    if (lease === undefined) return;
    const { holder, log } = this.options;
    const held = this.#held;
    const sentAt = this.#timers.now();
    try {
      if (held === undefined) {
        const taken = await lease.acquire(holder, this.#ttlMs);
        if (campaign !== this.#campaign) {
          if (taken !== undefined) await lease.release(holder, taken).catch(() => undefined);
          return;
        }
        // An answer that came after the lease it gave would have run out is no lease: the next try takes it anew.
        if (taken !== undefined && this.#timers.now() < this.#deadline(sentAt)) this.#lead(taken, sentAt);
      } else {
        const renewed = await lease.renew(holder, held, this.#ttlMs);
        // Stepped down meanwhile (the answer came too late) or resigned: the answer is about a lease we dropped.
        if (campaign !== this.#campaign || this.#held !== held) return;
        if (renewed) this.#extend(sentAt);
        else {
          log.warn("Another instance holds the leader lease; following", { holder });
          this.#stepDown();
        }
      }
      if (this.#storeFailing) log.info("The leader lease can be used again");
      this.#storeFailing = false;
    } catch (error) {
      if (!this.#storeFailing) {
        log.warn("Cannot reach the leader lease in the store; a leader steps down when its lease runs out", {
          error: error instanceof Error ? error.message : String(error),
        });
      }
      this.#storeFailing = true;
    } finally {
      if (campaign === this.#campaign) {
        this.#cancelNext = this.#timers.after(this.#renewEveryMs, () => void this.#attempt(campaign));
      }
    }
  }

  #deadline(sentAt: number): number {
    return sentAt + this.#ttlMs - STEP_DOWN_MARGIN_MS;
  }

  #lead(held: HeldLease, sentAt: number): void {
    this.#held = held;
    this.#extend(sentAt);
    this.#become("leader", held.epoch);
  }

  /** The lease runs until `sentAt` + TTL in the store; this instance stops leading a margin before. */
  #extend(sentAt: number): void {
    this.#cancelStepDown();
    const left = this.#deadline(sentAt) - this.#timers.now();
    if (left <= 0) {
      this.#stepDown();
      return;
    }
    this.#cancelStepDown = this.#timers.after(left, () => {
      this.options.log.warn("The leader lease ran out before it could be renewed; following", {
        holder: this.options.holder,
      });
      this.#stepDown();
    });
  }

  #stepDown(): void {
    this.#cancelStepDown();
    this.#held = undefined;
    this.#become("follower");
  }

  #become(role: LeaderRole, epoch?: number): void {
    if (this.#role === role) return;
    this.#role = role;
    const { holder, log, onRole } = this.options;
    log.info(role === "leader" ? "Leading: answering chat at the bot's bare JID" : "Following: not leading", {
      holder,
      ...(epoch === undefined ? {} : { epoch }),
    });
    this.#events.emit("leadership-changed", { role, holder, ...(epoch === undefined ? {} : { epoch }) });
    onRole(role);
  }
}
