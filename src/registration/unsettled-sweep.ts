/**
 * The bot's sweep of uses it claimed and never settled (docs/storage.md, "Unsettled uses"): a bot that stopped
 * between a registration's claim and its record (or that gave up waiting for Redis) leaves the use's entry in
 * Redis. Every `everyMs`, from the start, the entries older than that are handed to UnsettledUses, which asks the
 * server whether the account exists: then the use is recorded, once, or given back. Prosody's module sweeps its
 * own entries the same way (prosody/invites_redis_unsettled.lib.lua); each side leaves the other's alone.
 *
 * A use that stands joins the circles its record names first (circle-join.ts), as the run that stopped would have
 * done before keeping it: a join it never began, or left half done, is finished, and nobody is added twice. The
 * account's password is long gone: contacts are made through ejabberd's API only, and without one the account
 * becomes a member and nothing more (as an existing account's join does: existing-join.ts).
 */
import type { InviteClaims, UnsettledClaim } from "../invites/store.js";
import type { Logger } from "../logger.js";
import { type CircleJoinDeps, joinCircles } from "./circle-join.js";
import type { UnsettledUses } from "./unsettled-uses.js";

/** How long a claim may stay unsettled before the sweep settles it, and how often it looks. */
export const SETTLE_AFTER_MS = 60_000;

export interface UnsettledSweepOptions {
  readonly claims: InviteClaims;
  readonly uses: UnsettledUses;
  readonly log: Logger;
  readonly everyMs?: number;
  /** The circles a use that stands joins, and ejabberd's API for the contacts (or undefined); none without it. */
  readonly join?: Pick<CircleJoinDeps, "circles" | "contacts">;
}

export class UnsettledSweep {
  readonly #options: UnsettledSweepOptions;
  /** Claim ids handed to UnsettledUses and not finished: a later sweep does not hand them again. */
  readonly #settling = new Set<string>();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: UnsettledSweepOptions) {
    this.#options = options;
  }

  /** Sweeps at once, then every `everyMs`. */
  start(): void {
    if (this.#timer !== undefined) return;
    const every = this.#options.everyMs ?? SETTLE_AFTER_MS;
    let sweeping = false;
    const run = (): void => {
      // One sweep at a time: with Redis slow, a sweep can take longer than the interval.
      if (sweeping) return;
      sweeping = true;
      this.sweep()
        .catch((error: unknown) =>
          this.#options.log.debug("Unsettled uses not swept this time", { error: (error as Error).message }),
        )
        .finally(() => {
          sweeping = false;
        });
    };
    this.#timer = setInterval(run, every);
    this.#timer.unref();
    run();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Hands every unsettled claim old enough to UnsettledUses; resolves with how many it handed on. */
  async sweep(): Promise<number> {
    const found = await this.#options.claims.unsettled(this.#options.everyMs ?? SETTLE_AFTER_MS);
    let handed = 0;
    for (const claim of found) {
      if (this.#settling.has(claim.claimId)) continue;
      this.#settling.add(claim.claimId);
      handed += 1;
      this.#options.log.info("Settling a use left unsettled (the bot stopped, or Redis was away, after its claim)", {
        id: claim.id,
        jid: claim.invitee,
      });
      this.#options.uses.add({
        jid: claim.invitee,
        made: () =>
          this.#finish(claim, async () => {
            await this.#joinCircles(claim);
            await claim.keep();
          }),
        notMade: () => this.#finish(claim, () => claim.giveBack()),
      });
    }
    return handed;
  }

  /** The circles of the claim's record, joined before the use is kept (joinCircles never throws). */
  async #joinCircles(claim: UnsettledClaim): Promise<void> {
    const { join, log } = this.#options;
    if (join === undefined) return;
    const deps = { ...join, log: log.child({ invite: claim.id, jid: claim.invitee }), resumed: true };
    await joinCircles(deps, claim.record, claim.invitee, "");
  }

  async #finish(claim: UnsettledClaim, settle: () => Promise<void>): Promise<void> {
    try {
      await settle();
    } finally {
      // Settled, or to be found by the next sweep (the store did not answer).
      this.#settling.delete(claim.claimId);
    }
  }
}
