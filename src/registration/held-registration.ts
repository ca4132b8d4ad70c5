/**
 * Approval where the bot makes the accounts (APPROVE_USER_INVITED; src/invites/approvals.ts, `pending`): a web
 * registration through an invite marked for approval is held before creation. Its use is claimed and kept as usual
 * (its use event, marked `held`, asks the admins: src/notifications/), the registration goes into the list with the
 * password encrypted (src/storage/held-secret.ts), and its name is refused to anyone else while it waits. On
 * approval the account is made with add-user, then its contacts and circles (after-registration.ts); on rejection
 * nothing is made, and the invite's use stays spent, as an account that was made and deleted would leave it.
 */
import type { AccountOutcome } from "../invites/account-control.js";
import type { ApprovalStore, HeldAccountMaker, HeldRegistration } from "../invites/approvals.js";
import { inviterOf } from "../invites/record.js";
import type { ClaimedInvite } from "../invites/store.js";
import type { Logger } from "../logger.js";
import { ADD_USER, type IqRequest, runAdminCommand } from "./admin-commands.js";
import { type AfterRegistrationDeps, afterRegistration } from "./after-registration.js";
import type { RegistrationResult } from "./registrar.js";

/** Whether a claimed invite's account waits for an admin: the mark in its signed record (src/invites/creation.ts). */
export function heldForApproval(claim: ClaimedInvite): boolean {
  return claim.record.additional_data?.approval === true;
}

/** A name on the list is taken meanwhile: refused as a taken one is, before anything is claimed. */
export async function awaitingApproval(
  approvals: ApprovalStore | undefined,
  jid: string,
  log: Logger,
): Promise<Exclude<RegistrationResult, { ok: true }> | undefined> {
  if (approvals === undefined || (await approvals.get(jid)) === undefined) return undefined;
  log.info("Refusing a web registration: the username waits for an admin's approval", { jid });
  return { ok: false, reason: "username-taken" };
}

/** Holds the registration of `jid` instead of making the account; the claim is kept by the caller. */
export async function holdRegistration(
  approvals: ApprovalStore | undefined,
  claim: ClaimedInvite,
  jid: string,
  password: string,
  log: Logger,
): Promise<RegistrationResult> {
  if (approvals === undefined) {
    log.error("An invite marked for approval cannot be held: the store keeps no list of held accounts", { jid });
    return { ok: false, reason: "unavailable" };
  }
  const account = { jid, inviter: inviterOf(claim.record), invite: claim.id, at: Math.floor(Date.now() / 1000) };
  await approvals.hold({ ...account, way: "pending" }, { password, record: claim.record });
  log.info("Web registration held for an admin's approval", { jid });
  return { ok: true };
}

export interface HeldMakerOptions extends AfterRegistrationDeps {
  readonly request: IqRequest;
  readonly domain: string;
  readonly timeoutMs: number;
  readonly log: Logger;
}

/** Makes a held account on approval: add-user, as the registration would have, then its contacts and circles. */
export function heldAccountMaker(options: HeldMakerOptions): HeldAccountMaker {
  return {
    async create(jid: string, { password, record }: HeldRegistration): Promise<AccountOutcome> {
      const values = { accountjid: jid, password, "password-verify": password };
      const exchange = { timeoutMs: options.timeoutMs };
      const answer = await runAdminCommand(options.request, options.domain, ADD_USER, values, exchange);
      if (!answer.ok) return { ok: false, why: `the server refused: ${answer.text ?? answer.condition}` };
      options.log.info("Account created on an admin's approval (XEP-0133)", { jid });
      await afterRegistration(options, record, jid, password, options.log);
      return { ok: true };
    },
  };
}
