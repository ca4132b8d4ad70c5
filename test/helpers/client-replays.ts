/**
 * The stanza sequences of the apps' own "invite" buttons, as their source sends them (docs/clients.md), for
 * replaying against the private Prosody from a separate test client. Each returns what the app would keep.
 */
import { type Element, xml } from "@xmpp/xml";
import { ACCOUNT_INVITE_NODE, CONTACT_INVITE_NODE } from "../../src/commands/invite-commands.js";
import { discoItemsIq, errorOf, formValues, NS_COMMANDS, NS_DISCO_ITEMS } from "./adhoc-client.js";
import type { TestUser } from "./xmpp-user.js";

export const INVITE = CONTACT_INVITE_NODE;
export const CREATE_ACCOUNT = ACCOUNT_INVITE_NODE;
/** Conversations' timeout for `#invite` (EasyOnboardingManager), after which it shares a plain address. */
export const CONVERSATIONS_TIMEOUT_MS = 2_000;

export interface CommandItem {
  jid: string;
  node: string;
  name: string | undefined;
}

/** disco#items of node `commands` at the user's own domain, in the server's order. */
export async function serverCommands(user: TestUser, domain: string): Promise<CommandItem[]> {
  const reply = await user.request(discoItemsIq(domain, NS_COMMANDS));
  return (reply.getChild("query", NS_DISCO_ITEMS)?.getChildren("item") ?? []).map((item) => ({
    jid: item.attrs.jid ?? "",
    node: item.attrs.node ?? "",
    name: item.attrs.name,
  }));
}

/** Conversations (DiscoManager.fetchServerCommands): node → jid, the last item of a node winning. */
export function conversationsCommands(items: readonly CommandItem[]): Map<string, string> {
  const commands = new Map<string, string>();
  for (const item of items) commands.set(item.node, item.jid);
  return commands;
}

/** Monal: only the items whose jid is the domain itself. */
export function monalCommands(items: readonly CommandItem[], domain: string): Set<string> {
  return new Set(items.filter((item) => item.jid === domain).map((item) => item.node));
}

export interface CompletedInvite {
  /** The `from` of the reply, which Conversations compares with the jid it asked. */
  from: string | undefined;
  status: string | undefined;
  forms: number;
  values: Record<string, string>;
  sessionid: string | undefined;
  reply: Element;
}

function commandIq(to: string, node: string, attrs: Record<string, string>, form?: Element): Element {
  return xml("iq", { type: "set", to }, xml("command", { xmlns: NS_COMMANDS, node, ...attrs }, form));
}

function read(reply: Element): CompletedInvite {
  const command = reply.getChild("command", NS_COMMANDS);
  const forms = command?.getChildren("x", "jabber:x:data") ?? [];
  return {
    from: reply.attrs.from,
    status: command?.attrs.status,
    forms: forms.length,
    values: formValues(forms[0]),
    sessionid: command?.attrs.sessionid,
    reply,
  };
}

/** One command IQ (no session unless given), answered within `timeoutMs`; error replies are returned too. */
export async function runCommand(
  user: TestUser,
  to: string,
  node: string,
  attrs: Record<string, string>,
  options: { form?: Element; timeoutMs?: number } = {},
): Promise<CompletedInvite> {
  return read(await user.requestRaw(commandIq(to, node, attrs, options.form), options.timeoutMs));
}

/** A submitted form with these values (XEP-0004 §3.1). */
export function submitted(values: Record<string, string>): Element {
  return xml(
    "x",
    { xmlns: "jabber:x:data", type: "submit" },
    ...Object.entries(values).map(([name, value]) => xml("field", { var: name }, xml("value", {}, value))),
  );
}

/** The account-part of an invite URI (`xmpp:JID?…`). */
export function uriJid(uri: string | undefined): string | undefined {
  return /^xmpp:([^?]+)\?/u.exec(uri ?? "")?.[1];
}

/**
 * An error reply read as a strict client reads it (RFC 6120 §8.3.2): `<error/>` counts only in the stream's
 * namespace, `jabber:client`, as the parser of the test client resolves it through the stream element. An error
 * in any other namespace reads as no error at all, which is what such a client shows its user.
 */
export function strictErrorOf(reply: Element): ReturnType<typeof errorOf> {
  return reply.getChild("error", "jabber:client") === undefined ? {} : errorOf(reply);
}
