/** Store failures as the domain reports them: a StoreUnavailableError becomes InviteError("store-unavailable"). */
import { InviteError } from "../errors.js";
import { type HitCounter, StoreUnavailableError } from "./store.js";

/** Runs a store operation; its failure to reach the store says what did not happen (the default: nothing changed). */
export async function guarded<T>(operation: () => Promise<T>, notDone?: string): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof StoreUnavailableError) {
      throw new InviteError("store-unavailable", { cause: error, params: notDone === undefined ? {} : { notDone } });
    }
    throw error;
  }
}

/** The same counters, failing with store-unavailable when the store cannot count. */
export function guardedCounter(counter: HitCounter): HitCounter {
  return { hit: (key, windowMs) => guarded(() => counter.hit(key, windowMs)) };
}
