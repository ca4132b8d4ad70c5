/**
 * Uses to give back that Redis has not taken yet: a give-back that failed, or a claim whose answer came after
 * REDIS_TIMEOUT_MS (or never: the link dropped), which may have taken a use that nobody will make an account with.
 * Each is tried again every second until Redis answers it. A give-back runs prosody/scripts/give_back.lua with the
 * claim's marker, so trying it twice, or for a claim that never ran, gives nothing back a second time.
 */
import type { Logger } from "../logger.js";

/** Resolves with whether a use went back (false: the claim had not taken one, or it went back before). */
export type GiveBack = () => Promise<boolean>;

const RETRY_MS = 1_000;

export class PendingGiveBacks {
  readonly #log: Logger;
  readonly #pending = new Map<GiveBack, string>();
  #timer: NodeJS.Timeout | undefined;

  constructor(log: Logger) {
    this.#log = log;
  }

  /** How many are still waiting for Redis. */
  get size(): number {
    return this.#pending.size;
  }

  /** Tries `giveBack` again until Redis answers it; `id` is the invite's short id, for the log. */
  add(giveBack: GiveBack, id: string): void {
    if (this.#pending.size === 0) {
      this.#log.warn("Giving an invite's use back once Redis takes it (a late claim, or a give-back not taken)", {
        id,
      });
    }
    this.#pending.set(giveBack, id);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#pending.size === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#retry();
    }, RETRY_MS);
    this.#timer.unref();
  }

  async #retry(): Promise<void> {
    for (const [giveBack, id] of [...this.#pending]) {
      try {
        const given = await giveBack();
        this.#pending.delete(giveBack);
        this.#log.info(given ? "Gave an invite's use back" : "Nothing to give back: the claim had taken no use", {
          id,
        });
      } catch {
        // Still no answer: the next round tries again.
      }
    }
    this.#schedule();
  }
}
