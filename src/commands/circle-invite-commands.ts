/**
 * Inviting someone into one's circles (docs/circles.md), for everyone who may invite new users: a contact invite
 * that registers, naming circles of the inviter's own. Its own ad-hoc command, "Invite to a circle", because the
 * apps' invite buttons run `#invite` in one stage and need the invite in its first answer (docs/clients.md); and
 * in chat, `invite to NAME`.
 */
import type { AdhocCommand, CommandResult, CommandStep } from "../adhoc/registry.js";
import { askWithForm } from "../adhoc/stages.js";
import type { ChatKeyword } from "../chat/router.js";
import type { CircleService } from "../circles/service.js";
import type { Clock } from "../invites/expiry.js";
import { mayInviteNewUsers } from "../invites/permissions.js";
import type { InviteService } from "../invites/service.js";
import { inviteReply } from "./chat-text.js";
import { chosenCircles, contactInviteForm } from "./contact-invite-form.js";
import type { RequestContext } from "./context.js";
import { joinsLines, logged } from "./invite-commands.js";
import { inviteResultForm } from "./result-form.js";

export const CIRCLE_INVITE_NODE = "xmpp-invite-bot#invite-to-circles";

function mayInviteToCircles(service: InviteService): (ctx: RequestContext) => boolean {
  return ({ actor }) => actor.localUser !== undefined && mayInviteNewUsers(actor, service.policy);
}

async function runCircleInvite(
  service: InviteService,
  circles: CircleService,
  ctx: RequestContext,
  step: CommandStep,
): Promise<CommandResult> {
  if (step.firstStage) {
    const own = await circles.list(ctx.actor);
    if (own.length === 0) return { note: { type: "info", text: "You are not a member of any circle." } };
    return askWithForm(contactInviteForm(own.map(({ id, name }) => ({ value: id, label: name }))));
  }
  const created = logged(
    ctx,
    await service.createContactInvite(ctx.actor, ctx.from, { circles: chosenCircles(step.form) }),
  );
  const [joins] = await joinsLines(created, circles, ctx);
  return { form: inviteResultForm(created), ...(joins === undefined ? {} : { note: { type: "info", text: joins } }) };
}

export function circleInviteAdhocCommands(
  service: InviteService,
  circles: CircleService,
): AdhocCommand<RequestContext>[] {
  return [
    {
      node: CIRCLE_INVITE_NODE,
      name: "Invite to a circle",
      allowed: mayInviteToCircles(service),
      run: (ctx, step) => runCircleInvite(service, circles, ctx, step),
    },
  ];
}

export function circleInviteChatKeywords(
  service: InviteService,
  circles: CircleService,
  clock: Clock,
): ChatKeyword<RequestContext>[] {
  return [
    {
      keyword: "invite to",
      help: 'invite to NAME — a link that makes the person who opens it your contact and a member of your circle NAME ("circles" lists yours)',
      allowed: mayInviteToCircles(service),
      takesArguments: true,
      run: async (ctx, args) => {
        const name = args.trim().replace(/^"(.*)"$/u, "$1");
        if (name === "") return 'Say which circle: "invite to NAME" ("circles" lists yours).';
        const created = logged(ctx, await service.createContactInvite(ctx.actor, ctx.from, { circles: [name] }));
        return [inviteReply(created, service.policy.domain, clock), ...(await joinsLines(created, circles, ctx))].join(
          "\n",
        );
      },
    },
  ];
}
