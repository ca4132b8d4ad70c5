/**
 * The bot's Redis work that must happen and has not yet: a give-back that failed, or a claim whose answer came after
 * REDIS_TIMEOUT_MS (or never: the link dropped), which may have taken a use that nobody will make an account with;
 * and the record of a use whose account was made (settle.lua) that Redis did not answer. Each is tried again every
 * second until Redis answers it. Both scripts act once whatever the number of tries: a give-back only with the
 * claim's marker, a record only while the claim's entry is there (docs/storage.md, "Unsettled uses").
 */
import type { Logger } from "../logger.js";

/** Resolves with whether it acted (false: done before, or nothing to do), rejects while Redis does not answer. */
export type RedisWork = () => Promise<boolean>;

/** What a piece of work is, for the log. */
export type WorkKind = "give-back" | "record";

const RETRY_MS = 1_000;

const WAITING: Record<WorkKind, string> = {
  "give-back": "Giving an invite's use back once Redis takes it (a late claim, or a give-back not taken)",
  record: "Recording an invite's use once Redis takes it (its account is made)",
};
const DONE: Record<WorkKind, [acted: string, idle: string]> = {
  "give-back": ["Gave an invite's use back", "Nothing to give back: the claim had taken no use"],
  record: ["Recorded an invite's use", "Nothing to record: the use was settled before"],
};

export class PendingRedisWork {
  readonly #log: Logger;
  readonly #pending = new Map<RedisWork, { id: string; kind: WorkKind }>();
  #timer: NodeJS.Timeout | undefined;

  constructor(log: Logger) {
    this.#log = log;
  }

  /** Tries `work` again until Redis answers it; `id` is the invite's short id, for the log. */
  add(work: RedisWork, id: string, kind: WorkKind = "give-back"): void {
    if (this.#pending.size === 0) this.#log.warn(WAITING[kind], { id });
    this.#pending.set(work, { id, kind });
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
    for (const [work, { id, kind }] of [...this.#pending]) {
      try {
        const acted = await work();
        this.#pending.delete(work);
        const [done, idle] = DONE[kind];
        this.#log.info(acted ? done : idle, { id });
      } catch {
        // Still no answer: the next round tries again.
      }
    }
    this.#schedule();
  }
}
