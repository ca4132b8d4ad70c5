/**
 * The invite commands, once for ad-hoc (XEP-0050) and once for chat: the
 * node names and titles are Prosody's mod_invites_adhoc's.
 */
import { readSubmittedForm } from "../adhoc/dataform.js";
import type { AdhocCommand, CommandResult, CommandStep } from "../adhoc/registry.js";
import { askWithForm } from "../adhoc/stages.js";
import { ACCOUNT_INVITE_SYNTAX, parseAccountInviteArgs } from "../chat/account-invite-args.js";
import { CONTACT_INVITE_SYNTAX, parseContactInviteArgs } from "../chat/contact-invite-args.js";
import type { ChatKeyword } from "../chat/router.js";
import type { CircleService } from "../circles/service.js";
import type { Clock } from "../invites/expiry.js";
import type { CreatedInvite } from "../invites/invite.js";
import { validateAccountInviteOptions } from "../invites/options.js";
import { mayCreateAccountInvite, mayCreateContactInvite } from "../invites/permissions.js";
import { isJoinRole, ROLE_LABELS } from "../invites/roles.js";
import type { InviteService } from "../invites/service.js";
import { redactToken } from "../logger.js";
import { accountInviteOptionsForm, passwordResetForm, readAccountInviteOptions } from "./account-invite-form.js";
import { inviteReply, passwordResetReply } from "./chat-text.js";
import type { RequestContext } from "./context.js";
import { inviteResultForm } from "./result-form.js";

export const CONTACT_INVITE_NODE = "urn:xmpp:invite#invite";
export const ACCOUNT_INVITE_NODE = "urn:xmpp:invite#create-account";
/** The node Prosody's community uses for admin password resets. */
export const PASSWORD_RESET_NODE = "xmpp:prosody.im/mod_invites_adhoc#password-reset";

/** Logs a new invite without its token: a whole token never goes into a log. */
export function logged(ctx: RequestContext, created: CreatedInvite): CreatedInvite {
  const { invite } = created;
  ctx.log.info("Invite created", {
    type: invite.type,
    token: redactToken(invite.token),
    registration: invite.allow_registration,
    expires: invite.expires,
  });
  return created;
}

/** What the newcomer joins besides the account, in words: the circles by name, and the group chats. */
export async function joinsLines(
  { invite }: CreatedInvite,
  circles: CircleService | undefined,
  { actor }: RequestContext,
): Promise<string[]> {
  const { groups = [], rooms = [] } = invite.additional_data ?? {};
  const given = invite.additional_data?.roles;
  const roles = Array.isArray(given) ? given.filter((role): role is string => typeof role === "string") : [];
  const lines = roles.includes("prosody:admin")
    ? ["Whoever registers with it becomes an administrator: they can manage the whole server."]
    : roles.length > 0
      ? [`The new account's role: ${roles.map((role) => (isJoinRole(role) ? ROLE_LABELS[role] : role)).join(", ")}.`]
      : [];
  if (groups.length === 0 && rooms.length === 0) return lines;
  const known = new Map((await circles?.list(actor))?.map((circle) => [circle.id, circle.name]) ?? []);
  const names = [...groups.map((id) => known.get(id) ?? id), ...rooms];
  return [`Whoever registers with it joins ${names.join(", ")}.`, ...lines];
}

export function inviteAdhocCommands(service: InviteService, circles?: CircleService): AdhocCommand<RequestContext>[] {
  return [
    {
      node: CONTACT_INVITE_NODE,
      name: "Create new contact invite",
      allowed: ({ actor }) => mayCreateContactInvite(actor, service.policy),
      // One stage, always: Conversations sends `complete`, Monal and yaxim `execute`, and all of them need the
      // invite in the first answer (docs/clients.md). Circles are chosen with "Invite to a circle" instead.
      run: async (ctx) => ({
        form: inviteResultForm(logged(ctx, await service.createContactInvite(ctx.actor, ctx.from))),
      }),
    },
    {
      node: ACCOUNT_INVITE_NODE,
      name: "Create new account invite",
      allowed: ({ actor }) => mayCreateAccountInvite(actor),
      run: (ctx, step) => runAccountInvite(service, circles, ctx, step),
    },
    {
      node: PASSWORD_RESET_NODE,
      name: "Create password reset link",
      allowed: ({ actor }) => mayCreateAccountInvite(actor),
      run: (ctx, step) => runPasswordReset(service, ctx, step),
    },
  ];
}

/**
 * `#create-account` in two stages: the options form, then the invite. `complete`
 * on the first stage skips the form and makes Prosody's one-stage default invite.
 */
async function runAccountInvite(
  service: InviteService,
  circles: CircleService | undefined,
  ctx: RequestContext,
  step: CommandStep,
): Promise<CommandResult> {
  const defaultTtl = service.ttlSeconds;
  const offered = async () => ({
    circles: (await circles?.list(ctx.actor))?.map((circle) => ({ value: circle.id, label: circle.name })) ?? [],
    roles: service.rolesOnJoin,
  });
  if (step.firstStage && step.action === "execute") {
    return askWithForm(accountInviteOptionsForm(defaultTtl, {}, await offered()));
  }
  const entered = step.firstStage ? {} : readAccountInviteOptions(step.form);
  const checked = validateAccountInviteOptions(entered, defaultTtl, service.usernameRule);
  if (checked.options === undefined) {
    // Nothing entered is lost: the same form comes back, filled in, with what to fix.
    return askWithForm(accountInviteOptionsForm(defaultTtl, entered, await offered()), checked.problems.join("\n"));
  }
  const created = logged(ctx, await service.createAccountInvite(ctx.actor, ctx.from, checked.options));
  const uses = created.invite.additional_data?.max_uses;
  const notes = [
    ...(uses === undefined ? [] : [`This invite can be used ${uses} times.`]),
    ...(await joinsLines(created, circles, ctx)),
  ];
  return {
    form: inviteResultForm(created),
    ...(notes.length === 0 ? {} : { note: { type: "info", text: notes.join(" ") } }),
  };
}

/** Two stages: which account (XEP-0133-style `accountjid`), then the link. */
async function runPasswordReset(
  service: InviteService,
  ctx: RequestContext,
  step: CommandStep,
): Promise<CommandResult> {
  const account = readSubmittedForm(step.form).get("accountjid")?.[0]?.trim() ?? "";
  if (step.firstStage || account === "") {
    return askWithForm(
      passwordResetForm(),
      step.firstStage ? undefined : "Enter the account whose password is to be reset",
    );
  }
  const created = logged(ctx, await service.createPasswordResetInvite(ctx.actor, ctx.from, account));
  return {
    form: inviteResultForm(created, "Password reset link created"),
    note: { type: "info", text: `Whoever opens this link can set a new password for ${account}.` },
  };
}

/** `invite` makes the same invite as `#invite`; `invite account` the same as `#create-account`. */
export function inviteChatKeywords(
  service: InviteService,
  clock: Clock,
  circles?: CircleService,
): ChatKeyword<RequestContext>[] {
  const host = service.policy.domain;
  return [
    {
      keyword: "invite",
      help: `a link that makes the person who opens it your contact ("${CONTACT_INVITE_SYNTAX}": for N people)`,
      allowed: ({ actor }) => mayCreateContactInvite(actor, service.policy),
      takesArguments: true,
      run: async (ctx, args) => {
        const parsed = parseContactInviteArgs(args);
        if ("error" in parsed) return parsed.error;
        const created = await service.createContactInvite(ctx.actor, ctx.from, parsed);
        return inviteReply(logged(ctx, created), host, clock);
      },
    },
    {
      keyword: "invite account",
      help: `a link that lets one person create an account on ${host}; options: ${ACCOUNT_INVITE_SYNTAX}`,
      allowed: ({ actor }) => mayCreateAccountInvite(actor),
      takesArguments: true,
      run: async (ctx, args) => {
        const parsed = parseAccountInviteArgs(args);
        if (parsed.raw === undefined) return parsed.error;
        const checked = validateAccountInviteOptions(parsed.raw, service.ttlSeconds, service.usernameRule);
        if (checked.options === undefined) return `Nothing was created: ${checked.problems.join("; ")}.`;
        const created = logged(ctx, await service.createAccountInvite(ctx.actor, ctx.from, checked.options));
        return [inviteReply(created, host, clock), ...(await joinsLines(created, circles, ctx))].join("\n");
      },
    },
    {
      keyword: "reset",
      help: "a link that sets a new password for an account: reset user@domain",
      allowed: ({ actor }) => mayCreateAccountInvite(actor),
      takesArguments: true,
      run: async (ctx, args) => {
        if (args === "") return 'Say which account: "reset user@domain".';
        return passwordResetReply(
          logged(ctx, await service.createPasswordResetInvite(ctx.actor, ctx.from, args)),
          clock,
        );
      },
    },
  ];
}
