/**
 * Getting into the web console (docs/console.md): chat `login` and the ad-hoc command "Log in to the web console"
 * give the sender a one-time link to it; chat `logout` ends every console session of the sender. The account
 * proves itself by its XMPP session, so the console needs no password.
 */
import type { AdhocCommand } from "../adhoc/registry.js";
import type { ChatKeyword } from "../chat/router.js";
import { type ConsoleAccess, consoleServes, type LoginLink } from "../invites/console-access.js";
import { describeDuration } from "../invites/expiry.js";
import type { RequestContext } from "./context.js";

export const LOGIN_NODE = "xmpp-invite-bot#login";

export const NO_CONSOLE_REPLY = "The web console needs WEB_URL, and it is not set on this bot.";

/** The sentence that carries a login link. */
export function loginLinkText(link: LoginLink): string {
  return [
    "Open this link to log in to the web console:",
    link.url,
    `It works once, for ${describeDuration(link.validSeconds)}, and only for you: do not pass it on.`,
  ].join("\n");
}

async function loginReply(access: ConsoleAccess, ctx: RequestContext): Promise<string> {
  const link = await access.loginLink(ctx.actor);
  if (link === undefined) return NO_CONSOLE_REPLY;
  ctx.log.info("Console login link given");
  return loginLinkText(link);
}

/**
 * Who sees the commands in menus and `help`: the people the bot serves, where the console is on (WEB_URL). Without
 * it, `login` still answers, with the sentence that says why there is no link.
 */
const offeredBy =
  (access: ConsoleAccess) =>
  ({ actor }: RequestContext) =>
    access.available && consoleServes(actor);

export function consoleAdhocCommands(access: ConsoleAccess): AdhocCommand<RequestContext>[] {
  return [
    {
      node: LOGIN_NODE,
      name: "Log in to the web console",
      allowed: offeredBy(access),
      run: async (ctx) => ({ note: { type: "info", text: await loginReply(access, ctx) } }),
    },
  ];
}

export function consoleChatKeywords(access: ConsoleAccess): ChatKeyword<RequestContext>[] {
  return [
    {
      keyword: "login",
      help: "a link that logs you in to the web console, valid 10 minutes",
      allowed: offeredBy(access),
      run: (ctx) => loginReply(access, ctx),
    },
    {
      keyword: "logout",
      help: "logs you out of the web console everywhere",
      allowed: offeredBy(access),
      run: async (ctx) => {
        const ended = await access.logOutEverywhere(ctx.actor);
        ctx.log.info("Console sessions ended", { count: ended });
        return ended === 0
          ? "You were not logged in to the web console."
          : `Logged out of the web console (${ended} session${ended === 1 ? "" : "s"}).`;
      },
    },
  ];
}
