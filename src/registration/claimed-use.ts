/**
 * One use of an invite claimed in Redis for the bot's own registration (as-admin.ts): claimed first, then kept when
 * the account was made, given back when not, or left to the unsettled uses when nobody knows yet.
 */
import { type ClaimedInvite, type ClaimPurpose, type InviteClaims, StoreUnavailableError } from "../invites/store.js";
import { normaliseLocal } from "../jid.js";
import { type Logger, redactToken } from "../logger.js";
import type { RegistrationRequest, RegistrationResult } from "./registrar.js";

export interface ClaimedUseDeps {
  readonly claims: InviteClaims;
  readonly log: Logger;
  /** Claims handed to the unsettled uses: neither kept nor given back by the request that took them. */
  readonly settling: WeakSet<ClaimedInvite>;
}

/** Claims the invite, runs `use`, and keeps the use when it succeeded, gives it back when not (or hands it on). */
export async function withClaim(
  deps: ClaimedUseDeps,
  request: RegistrationRequest,
  purpose: ClaimPurpose | undefined,
  use: (claim: ClaimedInvite, name: string, log: Logger) => Promise<RegistrationResult>,
): Promise<RegistrationResult> {
  const log = deps.log.child({ invite: redactToken(request.token) });
  const name = normaliseLocal(request.username);
  let claimed: ClaimedInvite | undefined;
  let result: RegistrationResult = { ok: false, reason: "unavailable" };
  try {
    const outcome = await deps.claims.claim(request.token, purpose);
    if (!outcome.ok) return { ok: false, reason: "invite-invalid" };
    claimed = outcome.claim;
    result = await use(claimed, name, log);
    return result;
  } catch (error) {
    const what =
      error instanceof StoreUnavailableError ? "the invite store is not reachable" : (error as Error).message;
    log.warn("Web registration failed", { error: what });
    return { ok: false, reason: "unavailable" };
  } finally {
    if (claimed !== undefined && result.ok) await claimed.keep().catch(() => {});
    if (claimed !== undefined && !result.ok && !deps.settling.has(claimed)) {
      await claimed.giveBack().catch((error: unknown) =>
        log.error("Could not give an invite's use back after a refused registration", {
          id: claimed?.id,
          error: (error as Error).message,
        }),
      );
    }
  }
}
