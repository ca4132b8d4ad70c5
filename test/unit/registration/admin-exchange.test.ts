import { type Element, xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { accountExists } from "../../../src/registration/account-exists.js";
import {
  ADD_USER,
  AdminOutcomeUnknown,
  adminExchange,
  type IqRequest,
} from "../../../src/registration/admin-commands.js";
import { NS } from "../../../src/xmpp/namespaces.js";

const COMMANDS = NS.commands;

/** A server that answers each IQ with `answer(iq)`, or never when it returns undefined. */
function server(answer: (iq: Element) => Element | undefined): { request: IqRequest; sent: Element[] } {
  const sent: Element[] = [];
  return {
    sent,
    request: (iq) => {
      sent.push(iq);
      const reply = answer(iq);
      return reply === undefined ? new Promise(() => {}) : Promise.resolve(reply);
    },
  };
}

const actionOf = (iq: Element) => iq.getChild("command", COMMANDS)?.attrs.action;
const nodeOf = (iq: Element) => iq.getChild("command", COMMANDS)?.attrs.node;
const executing = (node: string) =>
  xml("iq", { type: "result" }, xml("command", { xmlns: COMMANDS, node, status: "executing", sessionid: "s1" }));
const completed = (node: string, ...children: Element[]) =>
  xml("iq", { type: "result" }, xml("command", { xmlns: COMMANDS, node, status: "completed" }, ...children));
const items = (...nodes: string[]) =>
  xml(
    "iq",
    { type: "result" },
    xml("query", { xmlns: "http://jabber.org/protocol/disco#items" }, ...nodes.map((node) => xml("item", { node }))),
  );

describe("adminExchange: one deadline for the whole exchange", () => {
  it("without an answer to execute, rejects with a plain error: nothing was done", async () => {
    const { request } = server(() => undefined);
    const failure = await adminExchange(request, "example.org", ADD_USER, {}, { timeoutMs: 20 }).catch((e) => e);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(AdminOutcomeUnknown);
  });

  it("without an answer to complete, rejects with AdminOutcomeUnknown: the server may have done it", async () => {
    const { request, sent } = server((iq) => (actionOf(iq) === "execute" ? executing(ADD_USER) : undefined));
    const failure = await adminExchange(request, "example.org", ADD_USER, {}, { timeoutMs: 20 }).catch((e) => e);
    expect(failure).toBeInstanceOf(AdminOutcomeUnknown);
    expect(sent.map(actionOf)).toEqual(["execute", "complete"]);
  });

  it("when the request fails after complete was sent, the outcome is unknown too", async () => {
    const request: IqRequest = (iq) =>
      actionOf(iq) === "execute" ? Promise.resolve(executing(ADD_USER)) : Promise.reject(new Error("disconnected"));
    await expect(adminExchange(request, "example.org", ADD_USER, {})).rejects.toBeInstanceOf(AdminOutcomeUnknown);
  });

  it("takes a command completed at execute as the answer, and sends no complete", async () => {
    const { request, sent } = server((iq) => completed(nodeOf(iq) ?? ""));
    expect((await adminExchange(request, "example.org", "x#list", {})).answer).toEqual({ ok: true });
    expect(sent).toHaveLength(1);
  });
});

describe("accountExists", () => {
  const list = (...jids: string[]) =>
    xml(
      "x",
      { xmlns: "jabber:x:data", type: "form" },
      xml("field", { var: "registereduserjids" }, ...jids.map((jid) => xml("value", {}, jid))),
    );

  it("reads ejabberd's get-registered-users-list where the server offers it", async () => {
    const { request } = server((iq) =>
      iq.getChild("query") !== undefined
        ? items("http://jabber.org/protocol/admin#get-registered-users-list")
        : completed(nodeOf(iq) ?? "", list("bot@example.org", "new@example.org")),
    );
    expect(await accountExists(request, "example.org", "new@example.org")).toBe(true);
    expect(await accountExists(request, "example.org", "other@example.org")).toBe(false);
  });

  it("reads Prosody's user-stats otherwise: a result form, or 'User does not exist'", async () => {
    const stats = (exists: boolean) =>
      server((iq) => {
        if (iq.getChild("query") !== undefined) return items("http://jabber.org/protocol/admin#user-stats");
        if (actionOf(iq) === "execute") return executing(nodeOf(iq) ?? "");
        const note = xml("note", { type: "error" }, "User does not exist");
        return exists ? completed(nodeOf(iq) ?? "", list()) : completed(nodeOf(iq) ?? "", note);
      }).request;
    expect(await accountExists(stats(true), "example.org", "new@example.org")).toBe(true);
    expect(await accountExists(stats(false), "example.org", "new@example.org")).toBe(false);
  });

  it("rejects when the server offers neither: it does not say", async () => {
    const { request } = server(() => items());
    await expect(accountExists(request, "example.org", "new@example.org")).rejects.toThrow(/neither/u);
  });
});
