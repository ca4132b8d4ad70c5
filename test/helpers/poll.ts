/** Polling with a deadline, for servers that become ready asynchronously. */

/**
 * Calls `check` every `intervalMs` until it returns true; throws the error built by
 * `onTimeout` after `timeoutMs`. If `check` throws, that error is rethrown at once
 * (use it for conditions that can never recover, such as the process having exited).
 */
export async function pollUntil(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  onTimeout: () => Error,
  intervalMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() >= deadline) throw onTimeout();
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
