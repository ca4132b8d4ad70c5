/**
 * Creating invites: Prosody's `create_account` / `create_contact` (mod_invites.lua)
 * with the bot's permission rules in front. Knows nothing of XMPP or Redis.
 */

import { randomUUID } from "node:crypto";
import { InviteError } from "../errors.js";
import { parseBareJid } from "../jid.js";
import { type Clock, describeWhen, nowSeconds, systemClock } from "./expiry.js";
import { guarded } from "./guarded.js";
import type { CreatedInvite, Invite, InviteData } from "./invite.js";
import type { AccountInviteOptions } from "./options.js";
import { type PendingInvite, toPending } from "./pending.js";
import {
  type Actor,
  mayCreateAccountInvite,
  mayCreateContactInvite,
  mayInviteNewUsers,
  type Policy,
} from "./permissions.js";
import type { InviteStore, QuotaStore, RelationsStore } from "./store.js";
import { generateToken, type RandomSource } from "./token.js";
import { accountInviteUri, contactInviteUri, landingPage } from "./uri.js";
import { checkUsername, type UsernameRule } from "./username.js";

/** Prosody's default lifetime of a password reset invite (mod_invites.lua). */
export const PASSWORD_RESET_TTL = 86_400;

const NO_INVITE_CREATED = "no invite was created";

/** Invites per page of a list (chat and ad-hoc). */
export const PAGE_SIZE = 25;

const REVOKE_BATCH = 500;
const REVOKE_ALL_MAX_ROUNDS = 1_000;

/** One page of a list of pending invites. */
export interface PendingList {
  readonly invites: readonly PendingInvite[];
  /** How many pending invites the whole list has. */
  readonly total: number;
  /** 1-based. */
  readonly page: number;
  readonly pageSize: number;
}

/** The quota window: a rolling 24 hours. */
export const QUOTA_WINDOW_MS = 86_400_000;

export interface InviteServiceOptions {
  readonly store: InviteStore & QuotaStore & RelationsStore;
  /** Invites a non-admin may create per rolling 24 hours; undefined = no limit. */
  readonly quota?: number;
  readonly policy: Policy;
  readonly ttlSeconds: number;
  readonly invitePage: string | undefined;
  readonly clock?: Clock;
  readonly random?: RandomSource;
  /** The username rule (src/invites/username.ts) that bound usernames follow; by default without lookalikes. */
  readonly usernameRule?: UsernameRule;
}

export class InviteService {
  readonly #options: InviteServiceOptions;
  readonly #clock: Clock;

  constructor(options: InviteServiceOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  get policy(): Policy {
    return this.#options.policy;
  }

  /** The rule every new username follows (USERNAME_CONFUSABLES included). */
  get usernameRule(): UsernameRule {
    return this.#options.usernameRule ?? {};
  }

  /** The default invite lifetime (INVITE_TTL). */
  get ttlSeconds(): number {
    return this.#options.ttlSeconds;
  }

  /** `urn:xmpp:invite#invite`: become the requester's contact, and register if they may invite new users. */
  async createContactInvite(actor: Actor, source: string): Promise<CreatedInvite> {
    const { policy } = this.#options;
    const inviter = actor.localUser;
    if (inviter === undefined) throw new InviteError("not-local-user");
    if (!mayCreateContactInvite(actor, policy)) throw new InviteError("contact-invites-admins-only");
    const allowRegistration = mayInviteNewUsers(actor, policy);
    return this.#withinQuota(actor, () =>
      this.#create(
        (token) => ({
          type: "roster",
          jid: `${inviter}@${policy.domain}`,
          allow_registration: allowRegistration,
          uri: contactInviteUri(inviter, policy.domain, token, allowRegistration),
        }),
        source,
      ),
    );
  }

  /** Non-admins: one place in the rolling 24-hour quota, given back if creating fails. */
  async #withinQuota<T>(actor: Actor, create: () => Promise<T>): Promise<T> {
    const { quota, store } = this.#options;
    if (actor.isAdmin || quota === undefined) return create();
    const member = randomUUID();
    const decision = await guarded(() => store.reserve(actor.jid, quota, QUOTA_WINDOW_MS, member), NO_INVITE_CREATED);
    if (!decision.allowed) {
      const retryAt = describeWhen(Math.ceil(decision.retryAtMs / 1000), nowSeconds(this.#clock));
      throw new InviteError("quota-exceeded", { params: { retryAt } });
    }
    try {
      return await create();
    } catch (error) {
      await store.release(actor.jid, member).catch(() => {});
      throw error;
    }
  }

  /**
   * `urn:xmpp:invite#create-account`: register a new account (admins only),
   * optionally bound to a username, reusable, or making the admin a contact.
   */
  async createAccountInvite(actor: Actor, source: string, options: AccountInviteOptions = {}): Promise<CreatedInvite> {
    if (!mayCreateAccountInvite(actor)) throw new InviteError("account-invites-admins-only");
    const { domain } = this.#options.policy;
    const { maxUses = 1, note } = options;
    const username = options.username === undefined ? undefined : this.#allowedUsername(options.username, true);
    const inviter = actor.localUser;
    if (options.rosterSubscription && inviter === undefined) {
      throw new InviteError("roster-subscription-needs-local-account");
    }
    const data: InviteData = {
      ...(username === undefined ? {} : { username }),
      ...(maxUses > 1 ? { max_uses: maxUses } : {}),
      ...(note === undefined ? {} : { note }),
    };
    // XEP-0401 roster-subscription: a contact invite from the admin that registers, so
    // Prosody makes both mutual contacts; otherwise Prosody's plain account invite.
    const shape =
      options.rosterSubscription && inviter !== undefined
        ? (token: string) => ({
            type: "roster" as const,
            jid: `${inviter}@${domain}`,
            allow_registration: true,
            uri: contactInviteUri(inviter, domain, token, true),
          })
        : (token: string) => ({
            type: "register" as const,
            jid: username === undefined ? domain : `${username}@${domain}`,
            allow_registration: true,
            uri: accountInviteUri(domain, token, username),
          });
    return this.#create(shape, source, { data, reusable: maxUses > 1, ttlSeconds: options.ttlSeconds });
  }

  /**
   * A link that sets a new password for an existing account: Prosody's
   * `create_account_reset` (additional_data.allow_reset), valid for one day.
   */
  async createPasswordResetInvite(actor: Actor, source: string, account: string): Promise<CreatedInvite> {
    if (!mayCreateAccountInvite(actor)) throw new InviteError("password-reset-admins-only");
    const { domain } = this.#options.policy;
    const target = parseBareJid(account.trim());
    if (target === undefined) throw new InviteError("password-reset-bad-jid");
    if (target.domain !== domain) throw new InviteError("password-reset-not-local");
    const bare = `${target.local}@${target.domain}`;
    // A reset link hands the account to whoever holds it: never the bot's own, nor another admin's.
    if (bare === this.#options.policy.botJid) throw new InviteError("password-reset-bot-account");
    if (this.#options.policy.admins.has(bare) && bare !== actor.jid) {
      throw new InviteError("password-reset-admin-account");
    }
    // The account exists: its name is not judged against lookalikes, but a link for a name no page accepts is useless.
    const username = this.#allowedUsername(target.local, false);
    return this.#create(
      (token) => ({
        type: "register",
        jid: `${username}@${domain}`,
        allow_registration: true,
        uri: accountInviteUri(domain, token, username),
      }),
      source,
      { data: { allow_reset: username }, ttlSeconds: Math.min(this.#options.ttlSeconds, PASSWORD_RESET_TTL) },
    );
  }

  /** The name folded as the server stores it, or InviteError when the username rule refuses it. */
  #allowedUsername(name: string, newAccount: boolean): string {
    const checked = checkUsername(name, newAccount ? this.usernameRule : {});
    if (!checked.ok) throw new InviteError("username-not-allowed", { params: { reason: checked.reason } });
    return checked.username;
  }

  /**
   * One page of the pending invites this requester may see: their own, or
   * everyone's for an admin (optionally only one inviter's), soonest to expire first.
   */
  async listInvites(actor: Actor, query: { inviter?: string; page?: number } = {}): Promise<PendingList> {
    const inviter = actor.isAdmin ? query.inviter : actor.jid;
    const page = Math.max(1, Math.floor(query.page ?? 1));
    const now = nowSeconds(this.#clock);
    const { invites, total } = await guarded(
      () =>
        this.#options.store.listPage({
          ...(inviter === undefined ? {} : { inviter }),
          offset: (page - 1) * PAGE_SIZE,
          limit: PAGE_SIZE,
        }),
      "the list cannot be shown",
    );
    const pendings = invites
      .map((stored) => toPending(stored, now))
      .filter((pending): pending is PendingInvite => pending !== undefined);
    return { invites: pendings, total, page, pageSize: PAGE_SIZE };
  }

  /** Revokes one visible invite by its short id. */
  async revokeInvite(actor: Actor, id: string): Promise<PendingInvite> {
    const [revoked] = await this.revokeInvites(actor, [id]);
    return revoked as PendingInvite;
  }

  /**
   * Revokes visible invites by their short ids: each id is an index lookup, whatever the
   * size of the store, all sent at once; then the matches are removed at once.
   * At an id that matches nothing visible, the ones before it are revoked and invite-not-found is thrown.
   */
  async revokeInvites(actor: Actor, ids: readonly string[]): Promise<PendingInvite[]> {
    const now = nowSeconds(this.#clock);
    const { store } = this.#options;
    // All lookups at once (one pipelined round trip to Redis), read in the order given.
    const founds = await guarded(() => Promise.all(ids.map((id) => store.findById(id))));
    const matched: PendingInvite[] = [];
    let missing = false;
    for (const found of founds) {
      const visible = found
        .map((stored) => toPending(stored, now))
        .filter((p): p is PendingInvite => p !== undefined && (actor.isAdmin || p.inviter === actor.jid));
      if (visible.length === 0) {
        missing = true;
        break;
      }
      matched.push(...visible);
    }
    if (matched.length > 0) await guarded(() => store.remove(matched.map((p) => p.stored)));
    if (missing) throw new InviteError("invite-not-found");
    return matched;
  }

  /** Admins: revokes every pending invite of one user; resolves with how many. */
  async revokeAllOf(actor: Actor, inviter: string): Promise<number> {
    if (!actor.isAdmin) throw new InviteError("revoke-all-admins-only");
    const { store } = this.#options;
    let revoked = 0;
    // Each round removes what it read, so the first page is always the next batch.
    for (let round = 0; round < REVOKE_ALL_MAX_ROUNDS; round += 1) {
      const { invites } = await guarded(() => store.listPage({ inviter, offset: 0, limit: REVOKE_BATCH }));
      if (invites.length === 0) break;
      revoked += await guarded(() => store.remove(invites));
    }
    return revoked;
  }

  /** Admins: who invited this user, and whom this user invited (bare JIDs). */
  async relationsOf(actor: Actor, jid: string): Promise<{ invitedBy: string | undefined; invitees: string[] }> {
    if (!actor.isAdmin) throw new InviteError("relations-admins-only");
    const { store } = this.#options;
    const [invitedBy, invitees] = await guarded(
      () => Promise.all([store.whoInvited(jid), store.inviteesOf(jid)]),
      "I cannot look it up",
    );
    return { invitedBy, invitees };
  }

  async #create(
    shape: (token: string) => Pick<Invite, "type" | "jid" | "allow_registration" | "uri">,
    source: string,
    extra: { data?: InviteData; reusable?: boolean; ttlSeconds?: number | undefined } = {},
  ): Promise<CreatedInvite> {
    const { store, invitePage, policy, random } = this.#options;
    const ttlSeconds = extra.ttlSeconds ?? this.#options.ttlSeconds;
    const token = generateToken(random);
    const createdAt = nowSeconds(this.#clock);
    const { type, jid, allow_registration, uri } = shape(token);
    const page = invitePage === undefined ? undefined : landingPage(invitePage, { token, uri, host: policy.domain });
    const invite: Invite = {
      type,
      jid,
      token,
      allow_registration,
      additional_data: { source, ...extra.data },
      uri,
      created_at: createdAt,
      expires: createdAt + ttlSeconds,
      reusable: extra.reusable ?? false,
      ...(page === undefined ? {} : { landing_page: page }),
    };
    await guarded(() => store.save(invite), NO_INVITE_CREATED);
    return { invite, landingUrl: page ?? uri };
  }
}
