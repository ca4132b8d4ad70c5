/**
 * The JSON schemas of the HTTP API (docs/api.md): they validate every body, query and parameter (validation.ts),
 * shape every answer (Fastify's serializer drops what a schema does not name, so nothing secret leaks by mistake),
 * and are the OpenAPI 3.1 document (openapi.ts). Limits are the domain's, named once (src/invites/options.ts).
 */
import { MAX_INVITE_CIRCLES, MAX_INVITE_ROOMS } from "../invites/circle-choice.js";
import { EXPIRY_CHOICES, MAX_NOTE_LENGTH, MAX_USES } from "../invites/options.js";
import { JOIN_ROLES } from "../invites/roles.js";
import { DATE_TIME_PATTERN } from "./date-time.js";

/** RFC 9457 §3.1, with the catalogue's code as an extension member (§3.2). */
export const PROBLEM_SCHEMA = {
  type: "object",
  required: ["type", "title", "status", "detail", "code"],
  properties: {
    type: { type: "string", description: "urn:xmpp-invite-bot:problem:CODE" },
    title: { type: "string", description: "The HTTP status's reason phrase" },
    status: { type: "integer" },
    detail: { type: "string", description: "What happened, in words" },
    code: { type: "string", description: "The error catalogue's code" },
  },
} as const;

export const INVITE_ID_SCHEMA = {
  type: "string",
  pattern: "^[A-Za-z0-9_-]{8}$",
  description: "The invite's short id: the first 8 characters of its token's SHA-256 (never the token)",
} as const;

const KINDS = ["account", "contact", "reset"] as const;

/** An invite as lists and reads show it (src/invites/pending.ts). */
export const INVITE_SCHEMA = {
  type: "object",
  required: ["id", "kind", "expires", "allowsRegistration"],
  properties: {
    id: INVITE_ID_SCHEMA,
    kind: { type: "string", enum: KINDS },
    inviter: { type: "string", description: "Bare JID of whoever made it, when known" },
    expires: { type: "string", format: "date-time" },
    allowsRegistration: { type: "boolean" },
    username: { type: "string", description: "The only username it registers" },
    note: { type: "string" },
    maxUses: { type: "integer" },
    usesLeft: { type: "integer" },
  },
} as const;

/** A new invite: the only answer that carries its links (tokens are never stored). */
export const CREATED_INVITE_SCHEMA = {
  type: "object",
  required: [...INVITE_SCHEMA.required, "uri", "landingPage"],
  properties: {
    ...INVITE_SCHEMA.properties,
    uri: { type: "string", description: "The xmpp: invite URI (XEP-0401), with the token" },
    landingPage: { type: "string", description: "The invite page, or the URI when no INVITE_PAGE is set" },
  },
} as const;

export const INVITE_LIST_SCHEMA = {
  type: "object",
  required: ["invites", "total", "page", "pageSize"],
  properties: {
    invites: { type: "array", items: INVITE_SCHEMA },
    total: { type: "integer", description: "Pending invites in the whole list (before the kind filter)" },
    page: { type: "integer" },
    pageSize: { type: "integer" },
  },
} as const;

export const JID_SCHEMA = { type: "string", minLength: 3, maxLength: 3071, pattern: "^[^@/\\s]+@[^@/\\s]+$" } as const;

/** `POST /api/v1/invites`: one object, each kind naming only its own fields (checked in create-invite.ts too). */
export const CREATE_BODY_SCHEMA = {
  type: "object",
  required: ["kind"],
  additionalProperties: false,
  properties: {
    kind: { type: "string", enum: KINDS },
    username: {
      type: "string",
      minLength: 1,
      maxLength: 1023,
      description: "account: the only username it registers; reset: the account whose password it resets",
    },
    lifetime: { type: "string", enum: EXPIRY_CHOICES.map((choice) => choice.short), description: "account" },
    uses: {
      type: "integer",
      minimum: 1,
      maximum: MAX_USES,
      description: "account; contact: at most the inviter's limit (INVITE_USER_MAX_USES unless an admin)",
    },
    note: { type: "string", maxLength: MAX_NOTE_LENGTH, description: "account" },
    contact: { type: "boolean", description: "account: the new user and the key's admin become contacts" },
    circles: {
      type: "array",
      maxItems: MAX_INVITE_CIRCLES,
      items: { type: "string", minLength: 1, maxLength: 200 },
      description: "account, contact: circles to join, by id or name",
    },
    rooms: {
      type: "array",
      maxItems: MAX_INVITE_ROOMS,
      items: JID_SCHEMA,
      description: "account: group chats to join",
    },
    role: { type: "string", enum: JOIN_ROLES, description: "account: the new account's role (Prosody 13)" },
    inviter: { ...JID_SCHEMA, description: "contact: the local user the invite is made as" },
  },
} as const;

export const LIST_QUERY_SCHEMA = {
  type: "object",
  additionalProperties: false,
  properties: {
    page: { type: "integer", minimum: 1, maximum: 9_999_999, default: 1 },
    inviter: JID_SCHEMA,
    kind: { type: "string", enum: KINDS, description: "Only invites of this kind" },
    expires_before: {
      type: "string",
      pattern: DATE_TIME_PATTERN,
      description: "Only invites that expire at or before this RFC 3339 date-time",
    },
  },
} as const;

export const ID_PARAMS_SCHEMA = {
  type: "object",
  required: ["id"],
  additionalProperties: false,
  properties: { id: INVITE_ID_SCHEMA },
} as const;

export const SECURITY = [{ apiKey: [] }];
/** Every route can meet these: no key (401), its limit (429), the store away (503). */
export const ALWAYS = [401, 429, 503] as const;

/** The problem answers a route can give, each as application/problem+json. */
export function problems(...statuses: readonly number[]): Record<number, unknown> {
  const problem = { content: { "application/problem+json": { schema: PROBLEM_SCHEMA } } };
  return Object.fromEntries(statuses.map((status) => [status, { description: "A problem", ...problem }]));
}
