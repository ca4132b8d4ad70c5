/**
 * What follows an account the bot made as the hook (as-admin.ts, and held-registration.ts on an admin's approval):
 * inviter and invitee mutual contacts for a contact invite that registers, and the circles the invite names.
 */
import type { CircleStore } from "../circles/store.js";
import { type InviteRecord, inviterOf } from "../invites/record.js";
import type { Logger } from "../logger.js";
import { joinCircles } from "./circle-join.js";
import type { ContactMaker } from "./contacts.js";

export interface AfterRegistrationDeps {
  /** How inviter and invitee become contacts (the HTTP API, or the new account itself). */
  readonly contacts: ContactMaker;
  /** The circles an invite's newcomer joins (circle-join.ts); none joined without it. */
  readonly circles?: Pick<CircleStore, "find" | "addMember"> | undefined;
}

export async function afterRegistration(
  deps: AfterRegistrationDeps,
  record: InviteRecord,
  jid: string,
  password: string,
  log: Logger,
): Promise<void> {
  const inviter = inviterOf(record);
  if (record.type === "roster" && inviter !== undefined) {
    await deps.contacts.makeMutual(inviter, jid, password).catch((error: unknown) =>
      log.warn("Could not make inviter and invitee contacts", {
        inviter,
        invitee: jid,
        error: (error as Error).message,
      }),
    );
  }
  if (deps.circles !== undefined) {
    await joinCircles({ circles: deps.circles, contacts: deps.contacts, log }, record, jid, password);
  }
}
