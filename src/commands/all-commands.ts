/** Every ad-hoc command and chat keyword of the bot, in the order they are listed. */
import type { AdhocCommand } from "../adhoc/registry.js";
import type { ChatKeyword } from "../chat/router.js";
import type { CircleService } from "../circles/service.js";
import type { ApiKeyService } from "../invites/api-key-service.js";
import type { ConsoleAccess } from "../invites/console-access.js";
import type { Clock } from "../invites/expiry.js";
import type { InviteService } from "../invites/service.js";
import { accountChatKeywords } from "./account-commands.js";
import { apiKeyAdhocCommands } from "./api-key-adhoc.js";
import { apiKeyChatKeywords } from "./api-key-commands.js";
import { approvalChatKeywords } from "./approval-commands.js";
import { circleChatKeywords } from "./circle-chat.js";
import { circleAdhocCommands } from "./circle-commands.js";
import { circleInviteAdhocCommands, circleInviteChatKeywords } from "./circle-invite-commands.js";
import { consoleAdhocCommands, consoleChatKeywords } from "./console-commands.js";
import type { RequestContext } from "./context.js";
import { inviteAdhocCommands, inviteChatKeywords } from "./invite-commands.js";
import { manageChatKeywords } from "./manage-chat.js";
import { manageAdhocCommands } from "./manage-commands.js";
import { relationsAdhocCommands, relationsChatKeywords } from "./relations-commands.js";
import { treeAdhocCommands, treeChatKeywords } from "./tree-commands.js";

/** The domain's services the commands stand on. */
export interface CommandServices {
  readonly invites: InviteService;
  readonly circles: CircleService;
  /** The web console's logins (docs/console.md); its commands only with it. */
  readonly console?: ConsoleAccess;
  /** The HTTP API's keys (docs/api.md); its ad-hoc command and chat keywords only with them. */
  readonly apiKeys?: ApiKeyService;
}

export function allAdhocCommands({
  invites,
  circles,
  console: logins,
  apiKeys,
}: CommandServices): AdhocCommand<RequestContext>[] {
  return [
    ...inviteAdhocCommands(invites, circles),
    ...manageAdhocCommands(invites),
    ...relationsAdhocCommands(invites),
    ...treeAdhocCommands(invites),
    ...circleAdhocCommands(circles),
    ...circleInviteAdhocCommands(invites, circles),
    ...(logins === undefined ? [] : consoleAdhocCommands(logins)),
    ...(apiKeys === undefined ? [] : apiKeyAdhocCommands(apiKeys)),
  ];
}

export function allChatKeywords(
  { invites, circles, console: logins, apiKeys }: CommandServices,
  clock: Clock,
): ChatKeyword<RequestContext>[] {
  return [
    ...inviteChatKeywords(invites, clock, circles),
    ...manageChatKeywords(invites, clock),
    ...relationsChatKeywords(invites),
    ...treeChatKeywords(invites),
    ...accountChatKeywords(invites),
    ...approvalChatKeywords(invites),
    ...circleChatKeywords(circles),
    ...circleInviteChatKeywords(invites, circles, clock),
    ...(logins === undefined ? [] : consoleChatKeywords(logins)),
    ...(apiKeys === undefined ? [] : apiKeyChatKeywords(apiKeys)),
  ];
}
