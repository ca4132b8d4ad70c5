/**
 * Accounts waiting for an admin (APPROVE_USER_INVITED, README "Approval"; issue 25, point 3): an account made through
 * a non-admin's invite, whose signed record carries `additional_data.approval` (creation.ts), is held until an admin
 * answers `approve NAME` or `reject NAME`. The ports live here; Redis keeps the list (src/storage/redis-approvals.ts,
 * docs/storage.md "Accounts awaiting approval"), so every instance and a restart see the same one.
 *
 * How an account is held depends on who makes it (the use event's `held`, signed with it):
 * - `disabled`: Prosody 13 with our module made it and disabled it at once (usermanager.disable_user);
 * - `no-login`: Prosody 0.12 with our module made it and refuses its resource binding while it is on the list;
 * - `pending`: the bot makes the accounts (ejabberd): nothing is made yet; the registration waits in Redis, its
 *   password encrypted, for at most HELD_REGISTRATION_TTL, and its name is kept from anyone else meanwhile.
 */
import type { AccountOutcome } from "./account-control.js";
import type { InviteRecord } from "./record.js";

/** How an account is held (the use event's `held` field). */
export const HOLD_WAYS = ["disabled", "no-login", "pending"] as const;
export type HoldWay = (typeof HOLD_WAYS)[number];

/** How long the bot keeps a registration it holds before creation (ejabberd): 7 days. */
export const HELD_REGISTRATION_TTL_SECONDS = 7 * 86_400;

/** One account on the list, as verified (its entry is the signed use event, src/storage/redis-approvals.ts). */
export interface HeldAccount {
  /** The newcomer's bare JID. */
  readonly jid: string;
  readonly inviter: string | undefined;
  /** The invite's short id. */
  readonly invite: string | undefined;
  /** When it registered, Unix seconds. */
  readonly at: number;
  readonly way: HoldWay;
}

/** What the bot needs to make a `pending` account on approval: kept encrypted (src/storage/held-secret.ts). */
export interface HeldRegistration {
  readonly password: string;
  /** The invite's record as the registration read it (contacts and circles are made from it). */
  readonly record: InviteRecord;
}

export interface ApprovalStore {
  /** Every held account, oldest first; a `pending` one past its time is left out (and dropped). */
  list(): Promise<readonly HeldAccount[]>;
  get(jid: string): Promise<HeldAccount | undefined>;
  /** The held registration of a `pending` account, decrypted; undefined when there is none (or it expired). */
  registration(jid: string): Promise<HeldRegistration | undefined>;
  /** Holds a registration before creation (the bot as the hook): the entry with its encrypted secret. */
  hold(account: HeldAccount & { readonly way: "pending" }, registration: HeldRegistration): Promise<void>;
  /** Takes the account off the list; true when it was on it (of two admins answering at once, one removes it). */
  remove(jid: string): Promise<boolean>;
}

/** Makes a `pending` account on approval (src/registration/held-registration.ts: add-user, contacts, circles). */
export interface HeldAccountMaker {
  create(jid: string, registration: HeldRegistration): Promise<AccountOutcome>;
}

/** The inviter's message about the admin's answer (src/notifications/approval-notices.ts words it). */
export type ApprovalTell = (inviter: string, jid: string, approved: boolean) => Promise<void>;
