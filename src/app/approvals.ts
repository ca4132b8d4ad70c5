/**
 * Accounts held for an admin's approval (APPROVE_USER_INVITED, src/invites/approvals.ts) as the app wires them: the
 * list in the storage backend, the registrar that makes a held registration's account where the bot makes accounts,
 * and the inviter's message about the answer, over the bot's session.
 */
import type { Client } from "@xmpp/client";
import { xml } from "@xmpp/xml";
import type { HeldAccountMaker } from "../invites/approvals.js";
import type { InviteServiceOptions } from "../invites/service.js";
import { approvalOutcomeNotice } from "../notifications/approval-notices.js";
import type { StorageBackend } from "../storage/backend.js";

export function heldAccounts(
  xmpp: Client,
  storage: StorageBackend,
  maker: () => HeldAccountMaker,
): InviteServiceOptions["approvals"] {
  return {
    store: storage.approvals,
    maker: { create: (jid, registration) => maker().create(jid, registration) },
    tell: (inviter, jid, approved) =>
      xmpp.send(xml("message", { to: inviter, type: "chat" }, xml("body", {}, approvalOutcomeNotice(jid, approved)))),
  };
}
