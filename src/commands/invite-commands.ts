/**
 * The invite commands, once for ad-hoc (XEP-0050) and once for chat: the
 * node names and titles are Prosody's mod_invites_adhoc's.
 */
import type { AdhocCommand } from "../adhoc/registry.js";
import type { ChatKeyword } from "../chat/router.js";
import type { Clock } from "../invites/expiry.js";
import type { CreatedInvite } from "../invites/invite.js";
import { mayCreateAccountInvite, mayCreateContactInvite } from "../invites/permissions.js";
import type { InviteService } from "../invites/service.js";
import { redactToken } from "../logger.js";
import { inviteReply } from "./chat-text.js";
import type { RequestContext } from "./context.js";
import { inviteResultForm } from "./result-form.js";

export const CONTACT_INVITE_NODE = "urn:xmpp:invite#invite";
export const ACCOUNT_INVITE_NODE = "urn:xmpp:invite#create-account";

/** Logs a new invite without its token (DESIGN.md §2: never log a whole token). */
function logged(ctx: RequestContext, created: CreatedInvite): CreatedInvite {
  const { invite } = created;
  ctx.log.info("Invite created", {
    type: invite.type,
    token: redactToken(invite.token),
    registration: invite.allow_registration,
    expires: invite.expires,
  });
  return created;
}

export function inviteAdhocCommands(service: InviteService): AdhocCommand<RequestContext>[] {
  return [
    {
      node: CONTACT_INVITE_NODE,
      name: "Create new contact invite",
      allowed: ({ actor }) => mayCreateContactInvite(actor, service.policy),
      run: async (ctx) => ({
        form: inviteResultForm(logged(ctx, await service.createContactInvite(ctx.actor, ctx.from))),
      }),
    },
    {
      node: ACCOUNT_INVITE_NODE,
      name: "Create new account invite",
      allowed: ({ actor }) => mayCreateAccountInvite(actor),
      run: async (ctx) => ({
        form: inviteResultForm(logged(ctx, await service.createAccountInvite(ctx.actor, ctx.from))),
      }),
    },
  ];
}

/** `invite` makes the same invite as `#invite`; `invite account` the same as `#create-account`. */
export function inviteChatKeywords(service: InviteService, clock: Clock): ChatKeyword<RequestContext>[] {
  const host = service.policy.domain;
  return [
    {
      keyword: "invite",
      help: "a link that makes the person who opens it your contact",
      allowed: ({ actor }) => mayCreateContactInvite(actor, service.policy),
      run: async (ctx) => inviteReply(logged(ctx, await service.createContactInvite(ctx.actor, ctx.from)), host, clock),
    },
    {
      keyword: "invite account",
      help: `a link that lets one person create an account on ${host}`,
      allowed: ({ actor }) => mayCreateAccountInvite(actor),
      run: async (ctx) => inviteReply(logged(ctx, await service.createAccountInvite(ctx.actor, ctx.from)), host, clock),
    },
  ];
}
