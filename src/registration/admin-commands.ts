/**
 * XEP-0133 (Service Administration) commands run by the bot as a server administrator, over its own session:
 * `execute` at the domain → the server's form → `complete` with the values. Both answer styles are read:
 * ejabberd refuses with stanza errors (`cancel/conflict` for a taken name, `auth/forbidden`, …); Prosody's
 * mod_admin_adhoc and Openfire answer `status='completed'` with `<note type='error'>`.
 */

import { type Element, xml } from "@xmpp/xml";
import { NS } from "../xmpp/namespaces.js";
import { startDeadline } from "./deadline.js";

export const ADD_USER = `${NS.admin}#add-user`;
export const CHANGE_USER_PASSWORD = `${NS.admin}#change-user-password`;
/** Harmless: it reads when an account last logged in (the start-up check of src/registration/choose.ts). */
export const GET_USER_LASTLOGIN = `${NS.admin}#get-user-lastlogin`;

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

/** The documented answer time of a registration through the pages (docs/web.md): the bound of every exchange. */
export const ADMIN_TIMEOUT_MS = 10_000;

/**
 * The command's `complete` went to the server and no answer came in time (or the link failed meanwhile): the
 * server may have done it or not. Only asking it afterwards tells (src/registration/account-exists.ts).
 */
export class AdminOutcomeUnknown extends Error {
  override readonly name = "AdminOutcomeUnknown";
}

export interface AdminExchangeOptions {
  /** One deadline for the whole exchange, `execute` to the last answer; ADMIN_TIMEOUT_MS by default. */
  readonly timeoutMs?: number;
}

/**
 * The form's values, or how to fill in the form the server sent (servers name some fields differently: Prosody's
 * end-user-session takes `accountjids`, XEP-0133 §4.14; other servers `accountjid`).
 */
export type AdminValues =
  | Readonly<Record<string, string>>
  | ((form: Element | undefined) => Readonly<Record<string, string>>);

/** What the server answered, and its last `<command/>` (a result form for the commands that return data). */
export interface AdminExchange {
  readonly answer: AdminAnswer;
  readonly command: Element | undefined;
}

/**
 * Runs one admin command at `domain`: `execute`, then `complete` with these values unless the first answer is
 * already the last one (ejabberd completes commands without a form at once). No answer in time before `complete`
 * was sent rejects with an Error (nothing was done); after it, with AdminOutcomeUnknown.
 */
export async function adminExchange(
  request: IqRequest,
  domain: string,
  node: string,
  values: AdminValues,
  options: AdminExchangeOptions = {},
): Promise<AdminExchange> {
  const timeoutMs = options.timeoutMs ?? ADMIN_TIMEOUT_MS;
  const deadline = startDeadline(timeoutMs);
  const within = deadline.within;
  try {
    const first = await within(
      request(xml("iq", { type: "set", to: domain }, xml("command", { xmlns: NS.commands, node, action: "execute" }))),
    );
    const opened = first.getChild("command", NS.commands);
    const refused = refusalOf(first);
    if (refused !== undefined) return { answer: refused, command: opened };
    if (opened?.attrs.status === "completed") return { answer: { ok: true }, command: opened };
    const sessionid = opened?.attrs.sessionid;
    const complete = xml(
      "iq",
      { type: "set", to: domain },
      xml(
        "command",
        { xmlns: NS.commands, node, action: "complete", ...(sessionid === undefined ? {} : { sessionid }) },
        submitted(typeof values === "function" ? values(opened?.getChild("x", NS.dataForms)) : values),
      ),
    );
    let done: Element;
    try {
      done = await within(request(complete));
    } catch (error) {
      throw new AdminOutcomeUnknown(`${node}: ${(error as Error).message} after complete`, { cause: error });
    }
    const command = done.getChild("command", NS.commands);
    const status = command?.attrs.status;
    const answer: AdminAnswer =
      refusalOf(done) ??
      (status === "completed" ? { ok: true } : { ok: false, condition: "not-completed", text: status });
    return { answer, command };
  } finally {
    deadline.clear();
  }
}

/** Runs one admin command at `domain` with these form values (adminExchange, for its answer only). */
export async function runAdminCommand(
  request: IqRequest,
  domain: string,
  node: string,
  values: Readonly<Record<string, string>>,
  options: AdminExchangeOptions = {},
): Promise<AdminAnswer> {
  return (await adminExchange(request, domain, node, values, options)).answer;
}

/** Whether the server offers this admin command to the bot (XEP-0030 items of node `commands` at the domain). */
export async function offersCommand(request: IqRequest, domain: string, node: string): Promise<boolean> {
  return (await offeredCommands(request, domain)).has(node);
}

/** The command nodes the server offers the bot at the domain (XEP-0050 §2.2); none when it refuses the list. */
export async function offeredCommands(request: IqRequest, domain: string): Promise<ReadonlySet<string>> {
  const reply = await request(
    xml("iq", { type: "get", to: domain }, xml("query", { xmlns: NS.discoItems, node: NS.commands })),
  );
  if (reply.attrs.type !== "result") return new Set();
  const items = reply.getChild("query")?.getChildren("item") ?? [];
  return new Set(items.map((item) => item.attrs.node).filter((node): node is string => typeof node === "string"));
}
