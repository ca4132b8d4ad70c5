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

/** An account's invite tree (src/invites/tree.ts): everyone below the root, depth first. */
export const TREE_SCHEMA = {
  type: "object",
  required: ["root", "nodes", "truncated"],
  properties: {
    root: { type: "string" },
    nodes: {
      type: "array",
      items: {
        type: "object",
        required: ["jid", "invitedBy", "depth"],
        properties: {
          jid: { type: "string" },
          invitedBy: { type: "string", description: "The root or another node" },
          depth: { type: "integer", description: "1 for those the root invited, 2 for theirs, …" },
        },
      },
    },
    truncated: { type: "boolean", description: "The tree went past 10,000 accounts and was cut there" },
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
