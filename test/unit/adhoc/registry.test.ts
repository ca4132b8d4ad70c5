import { type Element, xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { type AdhocCommand, AdhocRegistry } from "../../../src/adhoc/registry.js";
import { stanzaError } from "../../../src/xmpp/stanza-error.js";
import { fakeXmpp, iq } from "../../helpers/fake-xmpp.js";

const NS = "http://jabber.org/protocol/commands";
interface Ctx {
  from: string;
  admin: boolean;
}

function setup() {
  const runs: string[] = [];
  const command = (node: string, adminOnly: boolean, run?: () => Promise<{ form?: Element }>): AdhocCommand<Ctx> => ({
    node,
    name: `Command ${node}`,
    allowed: (ctx) => !adminOnly || ctx.admin,
    run: async (ctx) => {
      runs.push(`${node} by ${ctx.from}`);
      return run === undefined ? { form: xml("x", { xmlns: "jabber:x:data", type: "result" }) } : run();
    },
  });
  const registry = new AdhocRegistry<Ctx>({
    contextFor: (from) => ({ from, admin: from.startsWith("admin@") }),
    onError: (error) => stanzaError("wait", "internal-server-error", (error as Error).message),
    selfJid: () => "bot@example.org/invites",
  });
  registry.register(command("open", false)).register(command("admin", true));
  registry.register(
    command("broken", false, async () => {
      throw new Error("store down");
    }),
  );
  const fake = fakeXmpp();
  registry.attach(fake.client);
  const exec = (from: string, attrs: Record<string, string>) =>
    fake.call(iq("set", from, xml("command", { xmlns: NS, ...attrs }))) as Promise<Element>;
  return { registry, runs, exec, command };
}

function condition(error: Element): string[] {
  return error.getChildElements().map((child) => `${child.name}${child.attrs.xmlns === NS ? "@commands" : ""}`);
}

describe("AdhocRegistry", () => {
  it("refuses a second command on the same node", () => {
    const { registry, command } = setup();
    expect(() => registry.register(command("open", false))).toThrow("registered twice: open");
  });

  it("lists only the commands a requester may execute", () => {
    const { registry } = setup();
    expect(registry.items(NS, "alice@example.org/a")?.map((i) => i.node)).toEqual(["open", "broken"]);
    expect(registry.items(NS, "admin@example.org/a")).toEqual([
      { jid: "bot@example.org/invites", node: "open", name: "Command open" },
      { jid: "bot@example.org/invites", node: "admin", name: "Command admin" },
      { jid: "bot@example.org/invites", node: "broken", name: "Command broken" },
    ]);
  });

  it("describes a command node, or forbids it (XEP-0050 §2.2)", () => {
    const { registry } = setup();
    expect(registry.info("admin", "admin@example.org/a")).toEqual({
      identities: [{ category: "automation", type: "command-node", name: "Command admin" }],
      features: [NS, "jabber:x:data"],
    });
    expect(registry.info("admin", "alice@example.org/a")).toBe("forbidden");
    expect(registry.info("nope", "alice@example.org/a")).toBeUndefined();
  });

  it("completes a command in one stage with a session id", async () => {
    const { exec, runs } = setup();
    const reply = await exec("alice@example.org/a", { node: "open", action: "execute" });
    expect(reply.attrs).toMatchObject({ xmlns: NS, node: "open", status: "completed" });
    expect(reply.attrs.sessionid).toMatch(/^[\w-]{12}$/u);
    expect(reply.getChild("x", "jabber:x:data")).toBeDefined();
    expect(runs).toEqual(["open by alice@example.org/a"]);
  });

  it("treats a missing action as execute", async () => {
    const { exec } = setup();
    expect((await exec("alice@example.org/a", { node: "open" })).attrs.status).toBe("completed");
  });

  it("forbids a command the requester may not execute, without running it", async () => {
    const { exec, runs } = setup();
    const reply = await exec("alice@example.org/a", { node: "admin" });
    expect(reply.attrs.type).toBe("auth");
    expect(condition(reply)).toEqual(["forbidden", "text"]);
    expect(runs).toEqual([]);
  });

  it("answers item-not-found for an unknown node", async () => {
    const { exec } = setup();
    const reply = await exec("alice@example.org/a", { node: "urn:nope" });
    expect(reply.attrs.type).toBe("cancel");
    expect(condition(reply)[0]).toBe("item-not-found");
  });

  it("answers bad-request + malformed-action for an unknown action", async () => {
    const { exec, runs } = setup();
    const reply = await exec("alice@example.org/a", { node: "open", action: "dance" });
    expect(reply.attrs.type).toBe("modify");
    expect(condition(reply)).toEqual(["bad-request", "text", "malformed-action@commands"]);
    expect(runs).toEqual([]);
  });

  it("answers bad-request + bad-sessionid for a session it does not know", async () => {
    const { exec, runs } = setup();
    const reply = await exec("alice@example.org/a", { node: "open", action: "complete", sessionid: "made-up" });
    expect(condition(reply)).toEqual(["bad-request", "text", "bad-sessionid@commands"]);
    expect(runs).toEqual([]);
  });

  it("answers bad-action for prev on a first stage", async () => {
    const { exec } = setup();
    expect(condition(await exec("alice@example.org/a", { node: "open", action: "prev" }))).toEqual([
      "bad-request",
      "text",
      "bad-action@commands",
    ]);
  });

  it("cancels without running the command", async () => {
    const { exec, runs } = setup();
    const reply = await exec("alice@example.org/a", { node: "open", action: "cancel" });
    expect(reply.attrs.status).toBe("canceled");
    expect(runs).toEqual([]);
  });

  it("turns a failing command into the onError answer", async () => {
    const { exec } = setup();
    const reply = await exec("alice@example.org/a", { node: "broken" });
    expect(reply.attrs.type).toBe("wait");
    expect(reply.getChildText("text", "urn:ietf:params:xml:ns:xmpp-stanzas")).toBe("store down");
  });
});
