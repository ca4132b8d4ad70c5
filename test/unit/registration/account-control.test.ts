/**
 * The XEP-0133 AccountControl (src/registration/account-control.ts) against scripted answers in each server's style:
 * which way the command list allows, Prosody's per-account notes, ejabberd's stanza errors and field names, and a
 * lock that changes the password before it ends the sessions. The real servers: test/integration/tree-accounts.test.ts
 * and test/integration/ejabberd/tree-accounts.test.ts.
 */
import { type Element, xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../../src/logger.js";
import {
  DISABLE_USER,
  END_USER_SESSION,
  REENABLE_USER,
  xep0133AccountControl,
} from "../../../src/registration/account-control.js";
import { ADD_USER, CHANGE_USER_PASSWORD, type IqRequest } from "../../../src/registration/admin-commands.js";
import { NS } from "../../../src/xmpp/namespaces.js";

const COMMANDS = NS.commands;
const log = createLogger("error", { write: () => {} });

const commandOf = (iq: Element) => iq.getChild("command", COMMANDS);
const items = (...nodes: string[]) =>
  xml("iq", { type: "result" }, xml("query", { xmlns: NS.discoItems }, ...nodes.map((node) => xml("item", { node }))));
const formWith = (...vars: string[]) =>
  xml("x", { xmlns: NS.dataForms, type: "form" }, ...vars.map((name) => xml("field", { var: name })));
const executing = (node: string, form: Element) =>
  xml("iq", { type: "result" }, xml("command", { xmlns: COMMANDS, node, status: "executing", sessionid: "s1" }, form));
const completed = (node: string, note?: { type: string; text: string }) =>
  xml(
    "iq",
    { type: "result" },
    xml(
      "command",
      { xmlns: COMMANDS, node, status: "completed" },
      note === undefined ? null : xml("note", { type: note.type }, note.text),
    ),
  );
const stanzaError = (condition: string) =>
  xml(
    "iq",
    { type: "error" },
    xml("error", { type: "cancel" }, xml(condition, { xmlns: "urn:ietf:params:xml:ns:xmpp-stanzas" })),
  );

/** A server offering `offered`; each command's form has `fields`, and `finish` answers its complete. */
function server(
  offered: readonly string[],
  fields: Readonly<Record<string, readonly string[]>>,
  finish: (node: string, values: Record<string, string>) => Element,
): { request: IqRequest; completes: { node: string; values: Record<string, string> }[] } {
  const completes: { node: string; values: Record<string, string> }[] = [];
  const request: IqRequest = async (iq) => {
    const command = commandOf(iq);
    if (command === undefined) return items(...offered);
    const node = command.attrs.node as string;
    if (command.attrs.action === "execute") return executing(node, formWith(...(fields[node] ?? [])));
    const values: Record<string, string> = {};
    for (const field of command.getChild("x", NS.dataForms)?.getChildren("field") ?? []) {
      if (field.attrs.var !== "FORM_TYPE") values[field.attrs.var as string] = field.getChildText("value") ?? "";
    }
    completes.push({ node, values });
    return finish(node, values);
  };
  return { request, completes };
}

const PROSODY_13 = [ADD_USER, CHANGE_USER_PASSWORD, DISABLE_USER, REENABLE_USER, END_USER_SESSION];
const PROSODY_FIELDS = {
  [DISABLE_USER]: ["FORM_TYPE", "accountjids"],
  [REENABLE_USER]: ["FORM_TYPE", "accountjids"],
  [END_USER_SESSION]: ["FORM_TYPE", "accountjids"],
  [CHANGE_USER_PASSWORD]: ["FORM_TYPE", "accountjid", "password"],
};

describe("which way the server allows", () => {
  it("disables where disable-user is offered, enables where reenable-user is", async () => {
    const { request } = server(PROSODY_13, {}, (node) => completed(node));
    expect(await xep0133AccountControl({ request, domain: "example.org", log }).support()).toEqual({
      way: "disable",
      enable: true,
    });
  });

  it("locks where only change-user-password and end-user-session are (Prosody 0.12, ejabberd)", async () => {
    const { request } = server([ADD_USER, CHANGE_USER_PASSWORD, END_USER_SESSION], {}, (node) => completed(node));
    expect(await xep0133AccountControl({ request, domain: "example.org", log }).support()).toEqual({
      way: "lock",
      enable: false,
    });
  });

  it("cannot, saying why: no admin command at all is a bot that is no server administrator", async () => {
    const none = server([], {}, (node) => completed(node));
    expect(await xep0133AccountControl({ request: none.request, domain: "example.org", log }).support()).toEqual({
      way: undefined,
      why: expect.stringContaining("make the bot's account a server administrator"),
    });
    const some = server([ADD_USER], {}, (node) => completed(node));
    expect(await xep0133AccountControl({ request: some.request, domain: "example.org", log }).support()).toEqual({
      way: undefined,
      why: expect.stringContaining("neither XEP-0133 disable-user nor change-user-password with end-user-session"),
    });
    const refused: IqRequest = async () => stanzaError("forbidden");
    expect((await xep0133AccountControl({ request: refused, domain: "example.org", log }).support()).way).toBe(
      undefined,
    );
  });
});

describe("disabling and enabling (Prosody 13's answers)", () => {
  it("sends accountjids, and reads a note that says it could not as that account's failure", async () => {
    const { request, completes } = server(PROSODY_13, PROSODY_FIELDS, (node, values) =>
      values.accountjids === "ghost@example.org"
        ? completed(node, { type: "info", text: "The following accounts could not be disabled:\nghost@example.org" })
        : completed(node, {
            type: "info",
            text: "The following accounts were successfully disabled:\nbob@example.org\n",
          }),
    );
    const control = xep0133AccountControl({ request, domain: "example.org", log });
    expect(await control.block("bob@example.org", "disable")).toEqual({ ok: true });
    expect(await control.block("ghost@example.org", "disable")).toEqual({
      ok: false,
      why: "the server says: The following accounts could not be disabled: ghost@example.org",
    });
    expect(await control.enable("bob@example.org")).toEqual({ ok: true });
    expect(completes).toEqual([
      { node: DISABLE_USER, values: { accountjids: "bob@example.org" } },
      { node: DISABLE_USER, values: { accountjids: "ghost@example.org" } },
      { node: REENABLE_USER, values: { accountjids: "bob@example.org" } },
    ]);
  });
});

describe("locking (Prosody 0.12's and ejabberd's answers)", () => {
  it("sets a random password nobody keeps, then ends the sessions, in the field the server's form names", async () => {
    const fields = { [END_USER_SESSION]: ["accountjid"], [CHANGE_USER_PASSWORD]: ["accountjid", "password"] };
    const { request, completes } = server([CHANGE_USER_PASSWORD, END_USER_SESSION], fields, (node) => completed(node));
    const control = xep0133AccountControl({ request, domain: "example.org", log });
    expect(await control.block("bob@example.org", "lock")).toEqual({ ok: true });
    expect(await control.block("carol@example.org", "lock")).toEqual({ ok: true });
    expect(completes.map(({ node }) => node)).toEqual([
      CHANGE_USER_PASSWORD,
      END_USER_SESSION,
      CHANGE_USER_PASSWORD,
      END_USER_SESSION,
    ]);
    const [first, , second] = completes.map(({ values }) => values);
    expect(first).toEqual({ accountjid: "bob@example.org", password: expect.stringMatching(/^[\w-]{32}$/u) });
    expect(second?.password).not.toBe(first?.password);
    expect(completes[1]?.values).toEqual({ accountjid: "bob@example.org" });
  });

  it("stops at a refused password change, and says so when only the sessions could not be ended", async () => {
    const refusing = server([CHANGE_USER_PASSWORD, END_USER_SESSION], PROSODY_FIELDS, (node) =>
      node === CHANGE_USER_PASSWORD ? stanzaError("item-not-found") : completed(node),
    );
    const control = xep0133AccountControl({ request: refusing.request, domain: "example.org", log });
    expect(await control.block("ghost@example.org", "lock")).toEqual({
      ok: false,
      why: "the server refused: item-not-found",
    });
    expect(refusing.completes.map(({ node }) => node)).toEqual([CHANGE_USER_PASSWORD]);

    const halfway = server([CHANGE_USER_PASSWORD, END_USER_SESSION], PROSODY_FIELDS, (node) =>
      node === END_USER_SESSION ? stanzaError("forbidden") : completed(node),
    );
    const locked = await xep0133AccountControl({ request: halfway.request, domain: "example.org", log }).block(
      "bob@example.org",
      "lock",
    );
    expect(locked).toEqual({ ok: false, why: expect.stringMatching(/^its password was changed, .*forbidden/u) });
  });

  it("reports no answer in time as unknown, not as done", async () => {
    const request: IqRequest = (iq) =>
      commandOf(iq)?.attrs.action === "execute"
        ? Promise.resolve(executing(DISABLE_USER, formWith("accountjids")))
        : new Promise(() => {});
    const control = xep0133AccountControl({ request, domain: "example.org", log, timeoutMs: 20 });
    expect(await control.block("bob@example.org", "disable")).toEqual({
      ok: false,
      why: "no answer from the server in time: it may have been done or not; run it again",
    });
  });
});
