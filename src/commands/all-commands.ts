/** Every ad-hoc command and chat keyword of the bot, in the order they are listed. */
import type { AdhocCommand } from "../adhoc/registry.js";
import type { ChatKeyword } from "../chat/router.js";
import type { Clock } from "../invites/expiry.js";
import type { InviteService } from "../invites/service.js";
import type { RequestContext } from "./context.js";
import { inviteAdhocCommands, inviteChatKeywords } from "./invite-commands.js";
import { manageChatKeywords } from "./manage-chat.js";
import { manageAdhocCommands } from "./manage-commands.js";
import { relationsAdhocCommands, relationsChatKeywords } from "./relations-commands.js";

export function allAdhocCommands(service: InviteService): AdhocCommand<RequestContext>[] {
  return [...inviteAdhocCommands(service), ...manageAdhocCommands(service), ...relationsAdhocCommands(service)];
}

export function allChatKeywords(service: InviteService, clock: Clock): ChatKeyword<RequestContext>[] {
  return [
    ...inviteChatKeywords(service, clock),
    ...manageChatKeywords(service, clock),
    ...relationsChatKeywords(service),
  ];
}
