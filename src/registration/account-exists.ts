/**
 * Whether an account exists, asked of the server with XEP-0133 as its administrator: what settles a registration
 * whose add-user answer never came (docs/servers.md). No single command answers it on both servers we run:
 * ejabberd's `get-user-lastlogin` and `user-stats` answer alike for accounts that do not exist ("Never", an empty
 * roster), and Prosody has no `get-registered-users-list`; a disco#info or presence probe of the account is refused
 * alike for both cases without a subscription. So:
 * - `get-registered-users-list` where the server offers it (ejabberd 23.01; Openfire): the list names it or not;
 * - else `user-stats` (Prosody's mod_admin_adhoc, 0.12 and 13): a result form, or the note "User does not exist".
 * Both only read. Asked over the bot's own session, after the add-user request: a server handles one session's
 * requests in order, so the answer tells what that request did.
 */
import type { Element } from "@xmpp/xml";
import { NS } from "../xmpp/namespaces.js";
import { adminExchange, type IqRequest, offersCommand } from "./admin-commands.js";

export const GET_REGISTERED_USERS_LIST = `${NS.admin}#get-registered-users-list`;
export const USER_STATS = `${NS.admin}#user-stats`;

function fieldValues(command: Element | undefined, name: string): string[] {
  const form = command?.getChild("x", "jabber:x:data");
  const field = form?.getChildren("field").find((f) => f.attrs.var === name);
  return (field?.getChildren("value") ?? []).map((value) => value.getText().trim().toLowerCase());
}

/** Resolves with whether `jid` is an account of `domain`; rejects when the server does not say. */
export async function accountExists(
  request: IqRequest,
  domain: string,
  jid: string,
  timeoutMs?: number,
): Promise<boolean> {
  const options = timeoutMs === undefined ? {} : { timeoutMs };
  if (await offersCommand(request, domain, GET_REGISTERED_USERS_LIST)) {
    // Openfire asks how many first (not run here); ejabberd answers at once.
    const { answer, command } = await adminExchange(
      request,
      domain,
      GET_REGISTERED_USERS_LIST,
      { max_items: "none" },
      options,
    );
    if (!answer.ok) throw new Error(`${GET_REGISTERED_USERS_LIST} refused: ${answer.condition} ${answer.text ?? ""}`);
    return fieldValues(command, "registereduserjids").includes(jid.toLowerCase());
  }
  if (await offersCommand(request, domain, USER_STATS)) {
    const { answer } = await adminExchange(request, domain, USER_STATS, { accountjid: jid }, options);
    if (answer.ok) return true;
    if (answer.condition === "note" && /does not exist|not found|no such/iu.test(answer.text ?? "")) return false;
    throw new Error(`${USER_STATS} refused: ${answer.condition} ${answer.text ?? ""}`);
  }
  throw new Error(`${domain} offers the bot neither ${GET_REGISTERED_USERS_LIST} nor ${USER_STATS}`);
}
