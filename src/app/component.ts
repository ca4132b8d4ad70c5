/** A part of the app with work at start or stop (either may be async); a start that answers false ends the start. */
export interface Component {
  start?(): unknown;
  stop?(): unknown;
}

/**
 * Stops `parts` one after the other, in this order, once: a later call gets the first call's promise. Two callers
 * may ask at once (a start that could not listen, and main's onFatal), and two stops of one XMPP stream crash
 * @xmpp/connection (data read after its parser is gone).
 */
export function stopOnce(parts: readonly Component[]): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= (async () => {
      for (const part of parts) await part.stop?.();
    })();
    return stopping;
  };
}
