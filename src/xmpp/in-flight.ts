/**
 * Graceful stop (issue #5): requests being handled when SIGTERM arrives are
 * finished and answered; requests arriving after that are told to come back.
 */

export class InFlight {
  readonly #pending = new Set<Promise<unknown>>();
  #closing = false;

  get closing(): boolean {
    return this.#closing;
  }

  get size(): number {
    return this.#pending.size;
  }

  /** Follows a request until it settles. */
  track<T>(work: Promise<T>): Promise<T> {
    this.#pending.add(work);
    const forget = () => this.#pending.delete(work);
    work.then(forget, forget);
    return work;
  }

  /** Stops taking requests and waits for the ones under way, at most `timeoutMs`. */
  async drain(timeoutMs: number): Promise<boolean> {
    this.#closing = true;
    const deadline = Date.now() + timeoutMs;
    while (this.#pending.size > 0 && Date.now() < deadline) {
      const timeout = new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())));
      await Promise.race([Promise.allSettled([...this.#pending]), timeout]);
    }
    // Let the replies of what just settled be written before the stream closes.
    await new Promise((resolve) => setImmediate(resolve));
    return this.#pending.size === 0;
  }
}
