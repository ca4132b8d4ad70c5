/**
 * Typed events: what happened in the bot, for whatever watches it (tests, metrics), as data rather than log text.
 * Logs stay for people. A part declares the events it emits as a map (name → detail) and takes an `EventSink` of
 * that map; the app joins the maps into one `Events` (src/app/events.ts) and passes it down.
 */

/** Where a part emits its events. Emitting never throws and never waits for a listener. */
export interface EventSink<M extends object> {
  emit<K extends keyof M & string>(name: K, detail: M[K]): void;
}

/** One event of map `M`, as `onEach` listeners see it. */
export type AnyEvent<M extends object> = {
  [K in keyof M & string]: { readonly name: K; readonly detail: M[K] };
}[keyof M & string];

/** A sink that drops everything: the default of parts built without one. */
export function silentSink<M extends object>(): EventSink<M> {
  return { emit: () => {} };
}

type Listener<M extends object> = (event: AnyEvent<M>) => void;

/** The listening side, as the app hands it out. */
export interface EventSource<M extends object> {
  on<K extends keyof M & string>(name: K, listener: (detail: M[K]) => void): () => void;
  onEach(listener: Listener<M>): () => void;
}

export class Events<M extends object> implements EventSink<M>, EventSource<M> {
  readonly #listeners = new Set<Listener<M>>();
  readonly #onListenerError: (error: unknown) => void;

  /** `onListenerError`: a listener that throws is reported there and does not disturb the part that emitted. */
  constructor(onListenerError: (error: unknown) => void = () => {}) {
    this.#onListenerError = onListenerError;
  }

  /** Listens to the events named `name`; returns the function that stops listening. */
  on<K extends keyof M & string>(name: K, listener: (detail: M[K]) => void): () => void {
    return this.onEach((event) => {
      if (event.name === name) listener(event.detail as M[K]);
    });
  }

  /** Listens to every event; returns the function that stops listening. */
  onEach(listener: Listener<M>): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit<K extends keyof M & string>(name: K, detail: M[K]): void {
    const event = { name, detail } as AnyEvent<M>;
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }
}

/** What `heldEvents` returns: a source whose listeners get the held events first, once released. */
export interface HeldEvents<M extends object> extends EventSource<M> {
  /** Passes what was held to the listeners there are now, then each event as it comes. */
  release(): void;
  /** Stops listening to the source (and drops what is held). */
  forget(): void;
}

/**
 * `source`'s events from now on, held until `release()`: for a part whose listeners load later (the metrics load
 * while the XMPP session connects) and must count what happened meanwhile. At most `limit` are held.
 */
export function heldEvents<M extends object>(source: EventSource<M>, limit = 10_000): HeldEvents<M> {
  const relay = new Events<M>();
  let held: AnyEvent<M>[] | undefined = [];
  const forget = source.onEach((event) => {
    if (held === undefined) relay.emit(event.name, event.detail);
    else if (held.length < limit) held.push(event);
  });
  return {
    on: (name, listener) => relay.on(name, listener),
    onEach: (listener) => relay.onEach(listener),
    release() {
      const events = held ?? [];
      held = undefined;
      for (const event of events) relay.emit(event.name, event.detail);
    },
    forget() {
      held = undefined;
      forget();
    },
  };
}
