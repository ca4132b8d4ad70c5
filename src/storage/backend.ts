/**
 * A storage backend: the separate ports one store serves (docs/architecture.md, "The storage backend"), made by a
 * factory of this directory (redis-backend.ts, or memory-store.ts for tests) and consumed by the app alone, which
 * hands each part only the ports it uses. Each port's interface lives with its lowest consumer, in the domain
 * (src/invites/store.ts, src/circles/store.ts); what a backend cannot do it leaves out, and only the app asks.
 */
import type { CircleStore } from "../circles/store.js";
import type { ApiKeyStore } from "../invites/api-keys.js";
import type { ApprovalStore } from "../invites/approvals.js";
import type { ConsoleStore } from "../invites/console-store.js";
import type { LeaderLease } from "../invites/leadership.js";
import type { InviteStats } from "../invites/stats.js";
import type {
  EventStream,
  HitCounter,
  InviteClaims,
  InviteStore,
  QuotaStore,
  RelationsStore,
} from "../invites/store.js";

/** What a storage backend emits (src/events.ts). */
export interface StorageEvents {
  /** The link to the store: first connected, lost, or back after a loss. */
  "store-link": { readonly state: "connected" | "lost" | "restored" };
  /** An invite whose save timed out was removed, so the requester's "no invite was created" stays true. */
  "invite-save-undone": { readonly id: string };
  /**
   * The host's store was migrated from layout `from` to the current one (`to`) by this instance, with how many of
   * each it carried (none from 2 to 3: only the marker changes).
   */
  "layout-migrated": {
    readonly host: string;
    readonly from: string;
    readonly to: string;
    readonly counts: Readonly<Record<string, number>>;
  };
}

export interface StorageBackend {
  /** The invite records and their indexes. */
  readonly invites: InviteStore;
  /** The non-admins' rolling-window quota. */
  readonly quota: QuotaStore;
  /** Who invited whom, as recorded when invites were used. */
  readonly relations: RelationsStore;
  /** The web pages' rate-limit counters, shared by every bot instance on the same backend. */
  readonly hits: HitCounter;
  /** The summary's logs (src/invites/stats.ts); absent: no summary. */
  readonly stats?: InviteStats;
  /** The circles, with their members (src/circles/store.ts). */
  readonly circles: CircleStore;
  /** The web console's login links and sessions (docs/console.md); absent: the app keeps them in memory. */
  readonly console?: ConsoleStore;
  /** The HTTP API's keys (docs/api.md); absent: the app keeps them in memory. */
  readonly apiKeys?: ApiKeyStore;
  /** Claims for the bot as the registration hook (docs/servers.md); absent from a backend that cannot take them. */
  readonly claims?: InviteClaims;
  /** The accounts waiting for an admin (APPROVE_USER_INVITED); absent, nothing is held (the memory store). */
  readonly approvals?: ApprovalStore;
  /** The use-event stream read as `consumer` (one name per bot instance); absent from a backend without it. */
  readonly events?: (consumer: string) => EventStream;
  /**
   * The leader lease of the instances of bot account `account` (its local part; docs/instances.md); absent: this
   * instance is the only one, the leader.
   */
  readonly leader?: (account: string) => LeaderLease;
  /** Starts connecting; must not wait for or require the backend to be up. */
  start(): void;
  stop(): Promise<void>;
}

/** The three ports InviteService takes as one store (src/invites/service.ts). */
export function serviceStore(
  backend: Pick<StorageBackend, "invites" | "quota" | "relations">,
): InviteStore & QuotaStore & RelationsStore {
  const { invites, quota, relations } = backend;
  const boundTo = invites.boundTo?.bind(invites);
  const joinedAt = relations.joinedAt?.bind(relations);
  return {
    save: (invite, claim) => invites.save(invite, claim),
    listPage: (query) => invites.listPage(query),
    findById: (id) => invites.findById(id),
    findByToken: (token) => invites.findByToken(token),
    remove: (stored) => invites.remove(stored),
    edit: (hash, change) => invites.edit(hash, change),
    ...(boundTo === undefined ? {} : { boundTo }),
    reserve: (subject, rules, member) => quota.reserve(subject, rules, member),
    release: (subject, member) => quota.release(subject, member),
    whoInvited: (invitee) => relations.whoInvited(invitee),
    inviteesOf: (inviter) => relations.inviteesOf(inviter),
    ...(joinedAt === undefined ? {} : { joinedAt }),
  };
}
