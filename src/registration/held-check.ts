/**
 * The bot's side of usernames held for bound invites (src/invites/held-names.ts), where the bot makes the accounts
 * (as-admin.ts): a name held for another pending invite is refused before the invite is claimed, so the invite stays
 * as it was and the newcomer can pick another name. Prosody's module refuses the same in-band
 * (prosody/invites_redis_held.lib.lua).
 */
import { heldForAnother } from "../invites/held-names.js";
import type { InviteClaims } from "../invites/store.js";
import { StoreUnavailableError } from "../invites/store.js";
import { tokenHash } from "../invites/token.js";
import type { Logger } from "../logger.js";
import type { RegistrationResult } from "./registrar.js";

/** The refusal when `name` is held for an invite other than the token's own; undefined when it is free to use. */
export async function heldNameRefusal(
  claims: InviteClaims,
  token: string,
  name: string,
  log: Logger,
): Promise<Exclude<RegistrationResult, { ok: true }> | undefined> {
  const { boundTo } = claims;
  if (boundTo === undefined) return undefined;
  try {
    if (!(await heldForAnother({ boundTo: (local) => boundTo.call(claims, local) }, name, tokenHash(token)))) {
      return undefined;
    }
  } catch (error) {
    const what =
      error instanceof StoreUnavailableError ? "the invite store is not reachable" : (error as Error).message;
    log.warn("Web registration failed", { error: what });
    return { ok: false, reason: "unavailable" };
  }
  log.info("Refusing a web registration: the username is held for another invite", { username: name });
  return { ok: false, reason: "username-held" };
}
