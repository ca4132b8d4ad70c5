/** One deadline for a whole exchange of several steps: each step is raced against the same timer. */
export interface Deadline {
  /** `promise`, or a rejection "no answer within N ms" once the deadline has passed. */
  within<T>(promise: Promise<T>): Promise<T>;
  /** Stops the timer; call it when the exchange is over, whatever its outcome. */
  clear(): void;
}

export function startDeadline(timeoutMs: number): Deadline {
  let timer: NodeJS.Timeout | undefined;
  const passed = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), Math.max(0, timeoutMs));
  });
  passed.catch(() => {}); // nobody may be waiting when it passes
  return {
    within: (promise) => Promise.race([promise, passed]),
    clear: () => clearTimeout(timer),
  };
}
