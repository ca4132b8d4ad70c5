/**
 * The JSON schemas of the edit and tree routes (edit-routes.ts, tree-routes.ts), like schemas.ts: they check each
 * request strictly, shape each answer, and are these routes' part of the OpenAPI document.
 */
import { MAX_USES } from "../invites/options.js";
import { DATE_TIME_PATTERN } from "./date-time.js";
import { JID_SCHEMA } from "./schemas.js";

/** `PATCH /api/v1/invites/ID`: what to change, at least one; what is left out stays (src/invites/editing.ts). */
export const EDIT_BODY_SCHEMA = {
  type: "object",
  minProperties: 1,
  additionalProperties: false,
  properties: {
    expires: {
      type: "string",
      format: "date-time",
      pattern: DATE_TIME_PATTERN,
      description: "RFC 3339, as invites show it: later than now, no later than creating one allows",
    },
    maxUses: {
      type: "integer",
      minimum: 1,
      maximum: MAX_USES,
      description: "Only for an invite made for several uses; above the uses already taken",
    },
  },
} as const;

export const JID_PARAMS_SCHEMA = {
  type: "object",
  required: ["jid"],
  additionalProperties: false,
  properties: { jid: { ...JID_SCHEMA, description: "An account's bare JID" } },
} as const;

const JOINED = {
  type: "string",
  format: "date-time",
  description: "When it registered through an invite (RFC 3339); absent for an account without that record",
} as const;

/** An account's invite tree (src/invites/tree.ts, tree-details.ts): everyone below the root, depth first. */
export const TREE_SCHEMA = {
  type: "object",
  required: ["root", "nodes", "truncated", "rootPending", "pending", "deepest", "newest"],
  properties: {
    root: { type: "string" },
    nodes: {
      type: "array",
      items: {
        type: "object",
        required: ["jid", "invitedBy", "depth", "pending"],
        properties: {
          jid: { type: "string" },
          invitedBy: { type: "string", description: "The root or another node" },
          depth: { type: "integer", description: "1 for those the root invited, 2 for theirs, …" },
          pending: { type: "integer", description: "Its pending invites (unexpired, not used up, not revoked)" },
          joined: JOINED,
        },
      },
    },
    truncated: { type: "boolean", description: "The tree went past 10,000 accounts and was cut there" },
    rootPending: { type: "integer", description: "The root's own pending invites" },
    pending: { type: "integer", description: "The pending invites of the root and of every account of the tree" },
    deepest: { type: "integer", description: "The depth of the deepest account; 0 for an empty tree" },
    newest: {
      type: "array",
      description: "Up to 10 accounts of the tree with a date, the newest first",
      items: { type: "object", required: ["jid", "joined"], properties: { jid: { type: "string" }, joined: JOINED } },
    },
  },
} as const;

/** What `POST /api/v1/accounts/JID/tree/disable` did (src/invites/tree-disable.ts), account by account. */
export const TREE_DISABLING_SCHEMA = {
  type: "object",
  required: ["root", "way", "revoked", "done", "failed", "skipped", "truncated"],
  properties: {
    root: { type: "string" },
    way: {
      type: "string",
      enum: ["disable", "ban", "lock"],
      description: "disable: the server's own (Prosody 13); lock: a random password and the sessions ended",
    },
    revoked: { type: "integer", description: "Pending invites of the root and of the tree, revoked first" },
    done: { type: "array", items: { type: "string" }, description: "The accounts disabled (or locked)" },
    failed: {
      type: "array",
      items: {
        type: "object",
        required: ["jid", "why"],
        properties: { jid: { type: "string" }, why: { type: "string" } },
      },
    },
    skipped: {
      type: "array",
      description: "Accounts left alone: admins, the bot, other domains' (never the root itself)",
      items: {
        type: "object",
        required: ["jid", "reason"],
        properties: { jid: { type: "string" }, reason: { type: "string", enum: ["admin", "bot", "other-domain"] } },
      },
    },
    truncated: { type: "boolean", description: "The tree was cut at 10,000 accounts: those past it were left alone" },
  },
} as const;

export const TREE_REVOCATION_SCHEMA = {
  type: "object",
  required: ["revoked", "accounts", "truncated"],
  properties: {
    revoked: { type: "integer", description: "Pending invites revoked" },
    accounts: { type: "integer", description: "Whose: the root and every account of its tree" },
    truncated: { type: "boolean", description: "The tree was cut: the accounts past the cut kept their invites" },
  },
} as const;
