/**
 * The bot as the registration hook, for servers that cannot consume our invites themselves (docs/servers.md):
 * the bot claims the invite atomically in Redis (src/storage/redis-claims.ts: the same outcomes as our Prosody
 * module), creates the account with XEP-0133 `add-user` as a server administrator, gives the use back when the
 * server refuses, makes inviter and invitee mutual contacts, and records the use for notifications and
 * who-invited-whom. Password reset links use `change-user-password` for their own account only.
 */
import { type Clock, nowSeconds, systemClock } from "../invites/expiry.js";
import { boundUsernameOf, inviterOf } from "../invites/record.js";
import { type ClaimedInvite, type InviteClaims, StoreUnavailableError } from "../invites/store.js";
import { normaliseLocal } from "../jid.js";
import { type Logger, redactToken } from "../logger.js";
import { ADD_USER, type AdminAnswer, CHANGE_USER_PASSWORD, type IqRequest, runAdminCommand } from "./admin-commands.js";
import type { ContactMaker } from "./contacts.js";
import type { Registrar, RegistrationFailure, RegistrationRequest, RegistrationResult } from "./registrar.js";

export interface AdminRegistrarOptions {
  readonly domain: string;
  readonly claims: InviteClaims;
  /** IQs over the bot's own session. */
  readonly request: IqRequest;
  /** How inviter and invitee become contacts (the HTTP API, or the new account itself). */
  readonly contacts: ContactMaker;
  readonly log: Logger;
  readonly clock?: Clock;
}

/** What a server's refusal means (both XEP-0133 answer styles). */
export function adminFailureOf(answer: Exclude<AdminAnswer, { ok: true }>): RegistrationFailure {
  const text = answer.text ?? "";
  if (answer.condition === "conflict" || (answer.condition === "note" && /exist|already|taken|in use/iu.test(text))) {
    return "username-taken";
  }
  if (["jid-malformed", "not-acceptable", "bad-request"].includes(answer.condition)) return "username-invalid";
  if (answer.condition === "note" && /invalid|jid|username/iu.test(text)) return "username-invalid";
  if (answer.condition === "note" && /password/iu.test(text)) return "password-refused";
  return "unavailable";
}

export class AdminRegistrar implements Registrar {
  readonly #options: AdminRegistrarOptions;

  constructor(options: AdminRegistrarOptions) {
    this.#options = options;
  }

  async register(request: RegistrationRequest): Promise<RegistrationResult> {
    return this.#withClaim(request, async (claim, name, log) => {
      const { record } = claim;
      if (typeof record.additional_data?.allow_reset === "string" || !record.allow_registration) {
        return { ok: false, reason: "invite-invalid" };
      }
      const bound = boundUsernameOf(record);
      if (bound !== undefined && normaliseLocal(bound) !== name) return { ok: false, reason: "wrong-username" };
      const { domain } = this.#options;
      const jid = `${name}@${domain}`;
      const answer = await runAdminCommand(this.#options.request, domain, ADD_USER, {
        accountjid: jid,
        password: request.password,
        "password-verify": request.password,
      });
      if (!answer.ok) return this.#refused(answer, log);
      log.info("Account created for a web registration (XEP-0133)", { jid });
      await this.#afterRegistration(claim, jid, request.password, log);
      return { ok: true };
    });
  }

  async resetPassword(request: RegistrationRequest): Promise<RegistrationResult> {
    return this.#withClaim(request, async (claim, name, log) => {
      const reset = claim.record.additional_data?.allow_reset;
      if (typeof reset !== "string" || normaliseLocal(reset) !== name) return { ok: false, reason: "invite-invalid" };
      const { domain } = this.#options;
      const answer = await runAdminCommand(this.#options.request, domain, CHANGE_USER_PASSWORD, {
        accountjid: `${name}@${domain}`,
        password: request.password,
      });
      if (!answer.ok) {
        return answer.condition === "item-not-found"
          ? { ok: false, reason: "invite-invalid" }
          : this.#refused(answer, log);
      }
      log.info("Password set with a reset link (XEP-0133)", { jid: `${name}@${domain}` });
      return { ok: true };
    });
  }

  /** Claims the invite, runs `use`, and gives the use back unless it succeeded. */
  async #withClaim(
    request: RegistrationRequest,
    use: (claim: ClaimedInvite, name: string, log: Logger) => Promise<RegistrationResult>,
  ): Promise<RegistrationResult> {
    const log = this.#options.log.child({ invite: redactToken(request.token) });
    const name = normaliseLocal(request.username);
    let claimed: ClaimedInvite | undefined;
    let result: RegistrationResult = { ok: false, reason: "unavailable" };
    try {
      const outcome = await this.#options.claims.claim(request.token);
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
      if (claimed !== undefined && !result.ok) {
        await claimed.giveBack().catch((error: unknown) =>
          log.error("Could not give an invite's use back after a refused registration", {
            id: claimed?.id,
            error: (error as Error).message,
          }),
        );
      }
    }
  }

  #refused(answer: Exclude<AdminAnswer, { ok: true }>, log: Logger): RegistrationResult {
    const reason = adminFailureOf(answer);
    log.info("The server refused the account", { condition: answer.condition, text: answer.text, reason });
    if (answer.condition === "forbidden" || answer.condition === "not-authorized") {
      log.error("The server does not let the bot run XEP-0133 admin commands: make its account a server admin", {
        text: answer.text,
      });
    }
    return {
      ok: false,
      reason,
      ...(answer.text === undefined || reason !== "password-refused" ? {} : { serverText: answer.text }),
    };
  }

  async #afterRegistration(claim: ClaimedInvite, jid: string, password: string, log: Logger): Promise<void> {
    const inviter = inviterOf(claim.record);
    if (claim.record.type === "roster" && inviter !== undefined) {
      await this.#options.contacts.makeMutual(inviter, jid, password).catch((error: unknown) =>
        log.warn("Could not make inviter and invitee contacts", {
          inviter,
          invitee: jid,
          error: (error as Error).message,
        }),
      );
    }
    const clock = this.#options.clock ?? systemClock;
    await this.#options.claims
      .recordUse({ kind: "registered", inviter, invitee: jid, invite: claim.id, at: nowSeconds(clock) })
      .catch((error: unknown) =>
        log.warn("Could not record the invite's use", { id: claim.id, error: (error as Error).message }),
      );
  }
}
