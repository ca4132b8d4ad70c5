/**
 * Which pending invites the console's first page lists (docs/console.md, "All pending invites, for admins"): a
 * page number for everyone, and for admins an inviter, a kind and "expiring within a day", all of which
 * InviteService.listInvites filters in the store before it pages the list 25 at a time.
 */
import type { FastifyRequest } from "fastify";
import type { ListQuery as DomainListQuery } from "../../invites/management.js";
import type { PendingInvite } from "../../invites/pending.js";
import type { Actor } from "../../invites/permissions.js";

export const LIST_KINDS = ["contact", "account", "reset"] as const;
const DAY_SECONDS = 86_400;
/** RFC 7622 §3.1: no JID is longer. */
const MAX_JID_LENGTH = 3071;
const MAX_PAGE = 100_000;

export interface ListQuery {
  readonly page: number;
  readonly inviter?: string;
  readonly kind?: PendingInvite["kind"];
  /** Only invites that end within a day. */
  readonly soon: boolean;
}

/** The list the request asks for; a user's filters other than the page are ignored (they see their own). */
export function listQueryOf(request: FastifyRequest, actor: Actor): ListQuery {
  const query = (request.method === "GET" ? request.query : {}) as Record<string, string | undefined>;
  const number = Number(query.page);
  const page = Number.isInteger(number) && number >= 1 && number <= MAX_PAGE ? number : 1;
  if (!actor.isAdmin) return { page, soon: false };
  const inviter = (query.inviter ?? "").trim().toLowerCase();
  const kind = LIST_KINDS.find((each) => each === query.kind);
  return {
    page,
    ...(inviter === "" || inviter.length > MAX_JID_LENGTH ? {} : { inviter }),
    ...(kind === undefined ? {} : { kind }),
    soon: query.soon === "1",
  };
}

/** The list to ask InviteService.listInvites for, "within a day" counted from `nowSeconds`. */
export function listFilterOf(query: ListQuery, nowSeconds: number): DomainListQuery {
  return {
    page: query.page,
    ...(query.inviter === undefined ? {} : { inviter: query.inviter }),
    ...(query.kind === undefined ? {} : { kind: query.kind }),
    ...(query.soon ? { expiresBy: nowSeconds + DAY_SECONDS } : {}),
  };
}
