/** Builds the IQs a client sends to use ad-hoc commands, and reads the answers. */
import { type Element, xml } from "@xmpp/xml";
import { NS } from "../../src/xmpp/namespaces.js";

export const NS_COMMANDS = NS.commands;
export const NS_DISCO_INFO = NS.discoInfo;
export const NS_DISCO_ITEMS = NS.discoItems;
export const NS_STANZAS = NS.stanzas;

export function executeIq(to: string, node: string, attrs: Record<string, string> = { action: "execute" }): Element {
  return xml("iq", { type: "set", to }, xml("command", { xmlns: NS_COMMANDS, node, ...attrs }));
}

export function discoItemsIq(to: string, node?: string): Element {
  return xml("iq", { type: "get", to }, xml("query", { xmlns: NS_DISCO_ITEMS, node }));
}

export function discoInfoIq(to: string, node?: string): Element {
  return xml("iq", { type: "get", to }, xml("query", { xmlns: NS_DISCO_INFO, node }));
}

/** `{ var: value }` of a data form. */
export function formValues(form: Element | undefined): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of form?.getChildren("field") ?? []) {
    values[field.attrs.var ?? ""] = field.getChildText("value") ?? "";
  }
  return values;
}

/** What an error IQ says: type, defined condition, command-specific condition and text. */
export function errorOf(iq: Element): { type?: string; condition?: string; specific?: string; text?: string } {
  const error = iq.getChild("error");
  const children = error?.getChildElements() ?? [];
  return {
    type: error?.attrs.type,
    condition: children.find((c) => c.attrs.xmlns === NS_STANZAS && c.name !== "text")?.name,
    specific: children.find((c) => c.attrs.xmlns === NS_COMMANDS)?.name,
    text: error?.getChildText("text", NS_STANZAS) ?? undefined,
  };
}

/** The token in an invite URI (`…preauth=TOKEN…`); throws when there is none. */
export function tokenOf(uri: string | undefined): string {
  const token = /preauth=([\w-]{24})/u.exec(uri ?? "")?.[1];
  if (token === undefined) throw new Error(`no token in ${uri}`);
  return token;
}

/** Runs an invite command (`complete`: no options form) and returns the URI it answered; throws on an error. */
export async function createInviteUri(
  user: { requestRaw(iq: Element, timeoutMs?: number): Promise<Element> },
  botJid: string,
  node: string,
): Promise<string> {
  const reply = await user.requestRaw(executeIq(botJid, node, { action: "complete" }));
  const uri = formValues(reply.getChild("command")?.getChild("x")).uri;
  if (uri === undefined) throw new Error(`no invite: ${reply.toString()}`);
  return uri;
}
