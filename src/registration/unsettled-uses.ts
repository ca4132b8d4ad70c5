/**
 * Registrations whose outcome the bot did not hear (docs/servers.md, "No answer"): add-user's `complete` went out
 * and no answer came in time, or the link failed. The invite's use stays taken until the server says whether the
 * account exists: then the use stands (and is recorded), or it is given back. Never both, never neither: the
 * server is asked again, a little later each time, until it answers.
 */
import { type EventSink, silentSink } from "../events.js";
import type { Logger } from "../logger.js";
import { startDeadline } from "./deadline.js";
import type { RegistrationEvents } from "./registrar.js";

export interface UnsettledUse {
  /** The account whose existence settles it. */
  readonly jid: string;
  /** The account exists: the use stands. */
  made(): Promise<void>;
  /** No such account: the use goes back. */
  notMade(): Promise<void>;
}

export interface UnsettledUsesOptions {
  /** Whether the account exists (src/registration/account-exists.ts); rejects when the server does not say. */
  readonly exists: (jid: string) => Promise<boolean>;
  readonly log: Logger;
  readonly events?: EventSink<RegistrationEvents> | undefined;
  /** Bound of one question; then it counts as unanswered. */
  readonly attemptTimeoutMs: number;
  /** Waits between questions: the first, doubling up to the last. */
  readonly retryMs?: { readonly first: number; readonly max: number };
}

const DEFAULT_RETRY = { first: 1_000, max: 30_000 };

export class UnsettledUses {
  readonly #options: UnsettledUsesOptions;
  #open = 0;

  constructor(options: UnsettledUsesOptions) {
    this.#options = options;
  }

  /** How many are still waiting for the server's answer. */
  get size(): number {
    return this.#open;
  }

  /** Starts settling `use` at once: its question goes out after the request whose answer was missed. */
  add(use: UnsettledUse): void {
    this.#open += 1;
    void this.#attempt(use, (this.#options.retryMs ?? DEFAULT_RETRY).first);
  }

  async #attempt(use: UnsettledUse, nextWaitMs: number): Promise<void> {
    const { log, events = silentSink<RegistrationEvents>() } = this.#options;
    let exists: boolean;
    try {
      exists = await this.#within(this.#options.exists(use.jid));
    } catch (error) {
      log.warn("Could not find out yet whether the account was made; asking the server again", {
        jid: use.jid,
        inMs: nextWaitMs,
        error: (error as Error).message,
      });
      const timer = setTimeout(() => {
        void this.#attempt(use, Math.min(nextWaitMs * 2, (this.#options.retryMs ?? DEFAULT_RETRY).max));
      }, nextWaitMs);
      // The bot may stop meanwhile: the question does not keep the process alive.
      timer.unref();
      return;
    }
    this.#open -= 1;
    try {
      if (exists) {
        log.info("Registration settled: the account exists: the use stands", { jid: use.jid });
        await use.made();
        events.emit("use-settled", { jid: use.jid, outcome: "stands" });
      } else {
        log.info("Registration settled: no such account: the use is given back", { jid: use.jid });
        await use.notMade();
        events.emit("use-settled", { jid: use.jid, outcome: "given-back" });
      }
    } catch (error) {
      log.error("Could not finish settling a registration", { jid: use.jid, error: (error as Error).message });
    }
  }

  /** One question within `attemptTimeoutMs` (deadline.ts); then it counts as unanswered. */
  async #within<T>(promise: Promise<T>): Promise<T> {
    const deadline = startDeadline(this.#options.attemptTimeoutMs);
    try {
      return await deadline.within(promise);
    } finally {
      deadline.clear();
    }
  }
}
