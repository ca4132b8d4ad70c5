/**
 * At most `perWindow` of something per key in a window of `windowMs` that opens with the key's first one; the rest
 * are only counted, and `onOverflow(key, count)` is called once when the window closes. However long a flood goes on,
 * it costs each key at most `perWindow` + 1 messages (or log lines) a window.
 */
export interface WindowCapOptions {
  readonly perWindow: number;
  readonly windowMs: number;
  readonly onOverflow: (key: string, count: number) => void;
}

interface Window {
  used: number;
  over: number;
  readonly timer: NodeJS.Timeout;
}

export class WindowCap {
  readonly #options: WindowCapOptions;
  readonly #windows = new Map<string, Window>();

  constructor(options: WindowCapOptions) {
    this.#options = options;
  }

  /** Whether this one may go out now; if not, it is counted for the summary at the window's close. */
  admit(key: string): boolean {
    let window = this.#windows.get(key);
    if (window === undefined) {
      const timer = setTimeout(() => this.#close(key), this.#options.windowMs);
      timer.unref();
      window = { used: 0, over: 0, timer };
      this.#windows.set(key, window);
    }
    if (window.used < this.#options.perWindow) {
      window.used += 1;
      return true;
    }
    window.over += 1;
    return false;
  }

  /** Closes every window now (on stop): the counts held back are reported at once rather than lost. */
  flush(): void {
    for (const key of [...this.#windows.keys()]) this.#close(key);
  }

  #close(key: string): void {
    const window = this.#windows.get(key);
    if (window === undefined) return;
    clearTimeout(window.timer);
    this.#windows.delete(key);
    if (window.over > 0) this.#options.onOverflow(key, window.over);
  }
}
