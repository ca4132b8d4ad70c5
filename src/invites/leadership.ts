/**
 * The leader lease port (docs/instances.md): several bot instances on one store elect one of them, the one that
 * answers chat at the bot's bare JID. The lease is short, renewed by its holder only, and fenced: each time it is
 * taken it gets a number (its epoch) greater than every earlier one, so a holder that lost it cannot renew it by
 * mistake after another took it.
 */

/** The lease as one instance holds it. */
export interface HeldLease {
  /** The fencing number this taking got; greater than that of every earlier taking. */
  readonly epoch: number;
}

export interface LeaderLease {
  /**
   * Takes the lease for `holder` (the instance's resource) for `ttlMs` if nobody holds it, or if `holder` itself held
   * it before (a restarted instance with the same resource), with a new epoch; undefined when another holds it.
   */
  acquire(holder: string, ttlMs: number): Promise<HeldLease | undefined>;
  /** Extends the lease to `ttlMs` from now if `holder` still holds it with this epoch; false when it does not. */
  renew(holder: string, lease: HeldLease, ttlMs: number): Promise<boolean>;
  /** Gives the lease up if `holder` still holds it with this epoch, so another can take it at once. */
  release(holder: string, lease: HeldLease): Promise<void>;
}
