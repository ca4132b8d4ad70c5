/** What the invite service emits (src/events.ts): the domain's facts, whichever edge asked (chat, ad-hoc, web). */
import type { Invite } from "./invite.js";

export type CreatedKind = "contact" | "account" | "password-reset";

export interface InviteEvents {
  /** A new invite was stored: its short id (src/invites/pending.ts), kind and type, and who asked (bare JID). */
  "invite-created": {
    readonly id: string;
    readonly kind: CreatedKind;
    readonly type: Invite["type"];
    readonly by: string;
  };
  /** A pending invite's expiry or uses were changed by `by` (src/invites/editing.ts). */
  "invite-edited": { readonly id: string; readonly by: string };
  /** Pending invites were revoked by `by`. */
  "invites-revoked": { readonly count: number; readonly by: string };
}
