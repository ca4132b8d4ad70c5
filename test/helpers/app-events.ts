/**
 * The app's typed events (src/app/events.ts) recorded from before start(), so a test awaits what happened (a
 * registrar chosen, a use settled) instead of polling the log for a line. Waiting resolves on the event itself.
 */
import type { AppEvents } from "../../src/app/events.js";
import type { AnyEvent, EventSource } from "../../src/events.js";

type Name = keyof AppEvents & string;

export interface WaitOptions<K extends Name> {
  /** Only events that match. */
  readonly matches?: (detail: AppEvents[K]) => boolean;
  /** Only events recorded from this mark on (`mark()`); from the start of recording by default. */
  readonly since?: number;
  readonly ms?: number;
}

export interface EventLog {
  /** Every event so far, in order. */
  readonly seen: readonly AnyEvent<AppEvents>[];
  /** A mark for `since`: what comes after now. */
  mark(): number;
  /** The details of the events named `name` (that match, since the mark). */
  all<K extends Name>(name: K, options?: Omit<WaitOptions<K>, "ms">): AppEvents[K][];
  /** The first such event, already recorded or the next one; rejects after `ms` (10 s), naming what was seen. */
  waitFor<K extends Name>(name: K, options?: WaitOptions<K>): Promise<AppEvents[K]>;
}

export function recordEvents(source: EventSource<AppEvents>): EventLog {
  const seen: AnyEvent<AppEvents>[] = [];
  const waiters = new Set<(event: AnyEvent<AppEvents>) => void>();
  source.onEach((event) => {
    seen.push(event);
    for (const waiter of [...waiters]) waiter(event);
  });
  const all = <K extends Name>(name: K, options: Omit<WaitOptions<K>, "ms"> = {}): AppEvents[K][] =>
    seen
      .slice(options.since ?? 0)
      .filter((event) => event.name === name)
      .map((event) => event.detail as AppEvents[K])
      .filter((detail) => options.matches?.(detail) ?? true);
  return {
    seen,
    mark: () => seen.length,
    all,
    waitFor<K extends Name>(name: K, options: WaitOptions<K> = {}): Promise<AppEvents[K]> {
      const [already] = all(name, options);
      if (already !== undefined) return Promise.resolve(already);
      const ms = options.ms ?? 10_000;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const names = seen.slice(options.since ?? 0).map((event) => event.name);
          reject(new Error(`no "${name}" event within ${ms} ms; seen: ${names.join(", ") || "none"}`));
        }, ms);
        const waiter = (event: AnyEvent<AppEvents>) => {
          if (event.name !== name || !(options.matches?.(event.detail as AppEvents[K]) ?? true)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(event.detail as AppEvents[K]);
        };
        waiters.add(waiter);
      });
    },
  };
}
