/**
 * Starting something in several steps (servers, then their accounts, then clients) so that a failed step leaves
 * nothing running: what the earlier steps started is stopped, newest first, before the error is thrown, and the
 * error says which step failed.
 */

export interface StartSteps {
  /**
   * Runs one step. `undo` stops what it started; it runs only if a later step (or the code between steps) fails.
   * A step that fails must itself leave nothing running.
   */
  step<T>(what: string, run: () => Promise<T> | T, undo?: (started: T) => Promise<unknown> | unknown): Promise<T>;
}

/** A start failed; `cause` is the error of the step that failed. */
export class StartFailed extends Error {
  override name = "StartFailed";
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs `build` with steps (those run side by side joined with allSettledOrThrow, so that none is still starting when
 * the undoing begins); if it throws, undoes every step that succeeded and throws a StartFailed saying
 * `<name>: <step> failed: <reason>` (and which undo failed as well, if one did).
 */
export async function startInSteps<T>(name: string, build: (steps: StartSteps) => Promise<T>): Promise<T> {
  const undos: { what: string; undo: () => Promise<unknown> | unknown }[] = [];
  let failedStep: string | undefined;
  const steps: StartSteps = {
    async step(what, run, undo) {
      let started: Awaited<ReturnType<typeof run>>;
      try {
        started = await run();
      } catch (error) {
        failedStep ??= what;
        throw error;
      }
      if (undo !== undefined) undos.push({ what, undo: () => undo(started) });
      return started;
    },
  };
  try {
    return await build(steps);
  } catch (error) {
    const leftovers: string[] = [];
    for (const { what, undo } of undos.reverse()) {
      try {
        await undo();
      } catch (undoError) {
        leftovers.push(`undoing "${what}" failed too: ${messageOf(undoError)}`);
      }
    }
    const where = failedStep === undefined ? "" : ` ${failedStep} failed:`;
    throw new StartFailed([`${name}:${where} ${messageOf(error)}`, ...leftovers].join("\n"), { cause: error });
  }
}

/** Like Promise.all, but settles only once every promise has: no step run side by side is still starting. */
export async function allSettledOrThrow<T extends readonly unknown[]>(
  promises: readonly [...{ [K in keyof T]: Promise<T[K]> }],
): Promise<T> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (failed !== undefined) throw failed.reason;
  return results.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
