/**
 * The bot as the registration hook, for servers that cannot consume our invites themselves (docs/servers.md):
 * the bot claims the invite atomically in Redis (src/storage/redis-claims.ts: the same outcomes as our Prosody
 * module), creates the account with XEP-0133 `add-user` as a server administrator, gives the use back when the
 * server refuses, makes inviter and invitee mutual contacts, and records the use for notifications and
 * who-invited-whom. Password reset links use `change-user-password` for their own account only. Each exchange has
 * one deadline (docs/web.md's 10 s); when add-user's answer misses it, the server is asked whether the account
 * exists before the use is kept or given back (unsettled-uses.ts). An invite marked for an admin's approval is held
 * before creation instead (held-registration.ts).
 */
import type { CircleStore } from "../circles/store.js";
import type { EventSink } from "../events.js";
import type { ApprovalStore, HeldAccountMaker } from "../invites/approvals.js";
import { boundUsernameOf } from "../invites/record.js";
import type { ClaimedInvite, InviteClaims } from "../invites/store.js";
import type { UsernameRule } from "../invites/username.js";
import { normaliseLocal } from "../jid.js";
import type { Logger } from "../logger.js";
import { accountExists } from "./account-exists.js";
import { accountOn } from "./account-jid.js";
import {
  ADD_USER,
  ADMIN_TIMEOUT_MS,
  type AdminAnswer,
  AdminOutcomeUnknown,
  CHANGE_USER_PASSWORD,
  type IqRequest,
  runAdminCommand,
} from "./admin-commands.js";
import { refusedRegistration } from "./admin-refusals.js";
import { afterRegistration } from "./after-registration.js";
import { type ClaimedUseDeps, withClaim } from "./claimed-use.js";
import type { ContactMaker } from "./contacts.js";
import { heldNameRefusal } from "./held-check.js";
import { awaitingApproval, heldAccountMaker, heldForApproval, holdRegistration } from "./held-registration.js";
import type { Registrar, RegistrationEvents, RegistrationRequest, RegistrationResult } from "./registrar.js";
import { UnsettledSweep } from "./unsettled-sweep.js";
import { UnsettledUses } from "./unsettled-uses.js";

export interface AdminRegistrarOptions {
  readonly domain: string;
  readonly claims: InviteClaims;
  /** IQs over the bot's own session. */
  readonly request: IqRequest;
  /** How inviter and invitee become contacts (the HTTP API, or the new account itself). */
  readonly contacts: ContactMaker;
  /** ejabberd's API, if any: the contacts of a join the sweep finishes, whose password is gone (unsettled-sweep.ts). */
  readonly apiContacts?: ContactMaker | undefined;
  /** The circles an invite's newcomer joins (circle-join.ts); none joined without it. */
  readonly circles?: Pick<CircleStore, "find" | "addMember">;
  /** The accounts waiting for an admin (held-registration.ts); an invite marked for approval needs it. */
  readonly approvals?: ApprovalStore | undefined;
  readonly log: Logger;
  readonly events?: EventSink<RegistrationEvents>;
  /** The username rule new accounts follow (src/invites/username.ts); checked before anything is claimed. */
  readonly usernameRule?: UsernameRule;
  /** One deadline for each XEP-0133 exchange, `execute` to the last answer; ADMIN_TIMEOUT_MS by default. */
  readonly timeoutMs?: number;
  /** How long a claim may stay unsettled before the sweep settles it (unsettled-sweep.ts); 60 s by default. */
  readonly settleAfterMs?: number;
}

export class AdminRegistrar implements Registrar {
  readonly #options: AdminRegistrarOptions;
  readonly #exchange: { readonly timeoutMs: number };
  readonly #unsettled: UnsettledUses;
  readonly #sweep: UnsettledSweep;
  /** Claims handed to #unsettled: neither kept nor given back by the request that took them. */
  readonly #settling = new WeakSet<ClaimedInvite>();
  readonly #claimed: ClaimedUseDeps;
  /** Makes the accounts it held for an admin, on approval (held-registration.ts). */
  readonly heldMaker: HeldAccountMaker;

  constructor(options: AdminRegistrarOptions) {
    this.#options = options;
    this.#exchange = { timeoutMs: options.timeoutMs ?? ADMIN_TIMEOUT_MS };
    this.#claimed = { claims: options.claims, log: options.log, settling: this.#settling };
    this.heldMaker = heldAccountMaker({ ...options, timeoutMs: this.#exchange.timeoutMs });
    this.#unsettled = new UnsettledUses({
      exists: (jid) => accountExists(options.request, options.domain, jid, this.#exchange.timeoutMs),
      attemptTimeoutMs: this.#exchange.timeoutMs,
      log: options.log,
      events: options.events,
    });
    this.#sweep = new UnsettledSweep({
      claims: options.claims,
      uses: this.#unsettled,
      log: options.log,
      ...(options.settleAfterMs === undefined ? {} : { everyMs: options.settleAfterMs }),
      ...(options.circles === undefined ? {} : { join: { circles: options.circles, contacts: options.apiContacts } }),
    });
  }

  /** Starts settling the uses an earlier run (or an earlier outage) left unsettled, and every minute from now on. */
  start(): void {
    this.#sweep.start();
  }

  stop(): void {
    this.#sweep.stop();
  }

  /** Registrations still waiting to learn whether their account was made. */
  get unsettled(): number {
    return this.#unsettled.size;
  }

  async register(request: RegistrationRequest): Promise<RegistrationResult> {
    // The one username rule and the account's JID, before the invite is claimed or the server asked.
    const account = accountOn(this.#options.domain, request.username, this.#options.usernameRule);
    if (account === undefined) return { ok: false, reason: "username-invalid" };
    const { claims, approvals, log } = this.#options;
    const held =
      (await heldNameRefusal(claims, request.token, account.name, log)) ??
      (await awaitingApproval(approvals, account.jid, log).catch(
        () => ({ ok: false, reason: "unavailable" }) as const,
      ));
    if (held !== undefined) return held;
    const purpose = { kind: "registered", invitee: account.jid } as const;
    return withClaim(this.#claimed, { ...request, username: account.name }, purpose, async (claim, name, log) => {
      const { record } = claim;
      if (typeof record.additional_data?.allow_reset === "string" || !record.allow_registration) {
        return { ok: false, reason: "invite-invalid" };
      }
      const bound = boundUsernameOf(record);
      if (bound !== undefined && normaliseLocal(bound) !== name) return { ok: false, reason: "wrong-username" };
      const { domain } = this.#options;
      const { jid } = account;
      if (heldForApproval(claim)) return holdRegistration(this.#options.approvals, claim, jid, request.password, log);
      let answer: AdminAnswer;
      try {
        const values = { accountjid: jid, password: request.password, "password-verify": request.password };
        answer = await runAdminCommand(this.#options.request, domain, ADD_USER, values, this.#exchange);
      } catch (error) {
        if (!(error instanceof AdminOutcomeUnknown)) throw error;
        this.#settleLater(claim, jid, request.password, log, error);
        return { ok: false, reason: "unavailable" };
      }
      if (!answer.ok) return refusedRegistration(answer, log);
      log.info("Account created for a web registration (XEP-0133)", { jid });
      // The use is recorded when the claim is kept (redis-unsettled.ts): once, after the contacts are made.
      await afterRegistration(this.#options, claim.record, jid, request.password, log);
      return { ok: true };
    });
  }

  async resetPassword(request: RegistrationRequest): Promise<RegistrationResult> {
    // The account exists: the rule without lookalikes, and never another host's JID.
    const account = accountOn(this.#options.domain, request.username);
    if (account === undefined) return { ok: false, reason: "username-invalid" };
    return withClaim(this.#claimed, { ...request, username: account.name }, undefined, async (claim, name, log) => {
      const reset = claim.record.additional_data?.allow_reset;
      if (typeof reset !== "string" || normaliseLocal(reset) !== name) return { ok: false, reason: "invite-invalid" };
      const { domain } = this.#options;
      // Without an answer in time the link is given back: it can only set this account's password again.
      const answer = await runAdminCommand(
        this.#options.request,
        domain,
        CHANGE_USER_PASSWORD,
        { accountjid: account.jid, password: request.password },
        this.#exchange,
      );
      if (!answer.ok) {
        return answer.condition === "item-not-found"
          ? { ok: false, reason: "invite-invalid" }
          : refusedRegistration(answer, log);
      }
      log.info("Password set with a reset link (XEP-0133)", { jid: account.jid });
      return { ok: true };
    });
  }

  /** add-user's answer did not come: whether the account exists decides, once the server says (unsettled-uses.ts). */
  #settleLater(claim: ClaimedInvite, jid: string, password: string, log: Logger, error: Error): void {
    log.warn("No answer to add-user in time: asking the server whether the account exists before the use is settled", {
      jid,
      error: error.message,
    });
    this.#settling.add(claim);
    this.#unsettled.add({
      jid,
      // The password stays in memory until then, for the contacts made from the new account (contacts.ts).
      made: async () => {
        await afterRegistration(this.#options, claim.record, jid, password, log);
        await claim.keep();
      },
      notMade: () => claim.giveBack(),
    });
  }
}
