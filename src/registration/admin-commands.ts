/**
 * XEP-0133 (Service Administration) commands run by the bot as a server administrator, over its own session:
 * `execute` at the domain → the server's form → `complete` with the values. Both answer styles are read:
 * ejabberd refuses with stanza errors (`cancel/conflict` for a taken name, `auth/forbidden`, …); Prosody's
 * mod_admin_adhoc and Openfire answer `status='completed'` with `<note type='error'>`.
 */
import { type Element, xml } from "@xmpp/xml";
import { NS } from "../xmpp/namespaces.js";

export const ADD_USER = `${NS.admin}#add-user`;
export const CHANGE_USER_PASSWORD = `${NS.admin}#change-user-password`;

/** Sends an IQ and resolves with the answer, result or error (never rejects for a stanza error). */
export type IqRequest = (iq: Element) => Promise<Element>;

export type AdminAnswer =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** A stanza error's condition, or "note" for a completed command with an error note. */
      readonly condition: string;
      readonly text: string | undefined;
    };

function refusalOf(reply: Element): AdminAnswer | undefined {
  if (reply.attrs.type === "error") {
    const error = reply.getChild("error");
    const condition = error
      ?.getChildElements()
      .find((child) => child.attrs.xmlns === NS.stanzas && child.name !== "text");
    return {
      ok: false,
      condition: condition?.name ?? "undefined-condition",
      text: error?.getChildText("text", NS.stanzas) ?? undefined,
    };
  }
  const command = reply.getChild("command", NS.commands);
  const note = command?.getChildren("note").find((n) => n.attrs.type === "error");
  if (note !== undefined) return { ok: false, condition: "note", text: note.getText() };
  return undefined;
}

function submitted(values: Readonly<Record<string, string>>): Element {
  return xml(
    "x",
    { xmlns: "jabber:x:data", type: "submit" },
    xml("field", { var: "FORM_TYPE", type: "hidden" }, xml("value", {}, NS.admin)),
    ...Object.entries(values).map(([name, value]) => xml("field", { var: name }, xml("value", {}, value))),
  );
}

/** Runs one admin command at `domain` with these form values. */
export async function runAdminCommand(
  request: IqRequest,
  domain: string,
  node: string,
  values: Readonly<Record<string, string>>,
): Promise<AdminAnswer> {
  const first = await request(
    xml("iq", { type: "set", to: domain }, xml("command", { xmlns: NS.commands, node, action: "execute" })),
  );
  const refused = refusalOf(first);
  if (refused !== undefined) return refused;
  const sessionid = first.getChild("command", NS.commands)?.attrs.sessionid;
  const done = await request(
    xml(
      "iq",
      { type: "set", to: domain },
      xml(
        "command",
        { xmlns: NS.commands, node, action: "complete", ...(sessionid === undefined ? {} : { sessionid }) },
        submitted(values),
      ),
    ),
  );
  const status = done.getChild("command", NS.commands)?.attrs.status;
  return (
    refusalOf(done) ?? (status === "completed" ? { ok: true } : { ok: false, condition: "not-completed", text: status })
  );
}

/** Whether the server offers this admin command to the bot (XEP-0030 items of node `commands` at the domain). */
export async function offersCommand(request: IqRequest, domain: string, node: string): Promise<boolean> {
  const reply = await request(
    xml("iq", { type: "get", to: domain }, xml("query", { xmlns: NS.discoItems, node: NS.commands })),
  );
  if (reply.attrs.type !== "result") return false;
  return (reply.getChild("query")?.getChildren("item") ?? []).some((item) => item.attrs.node === node);
}
