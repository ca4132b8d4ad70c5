/** A bounded wait on a promise whose outcome the caller reads itself, or does not need. */

/** Resolves once `promise` has settled (either way) or after `ms`, whichever comes first; never rejects. */
export async function settledOrAfter(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([promise.then(noop, noop), elapsed]);
  } finally {
    clearTimeout(timer);
  }
}

function noop(): void {}
