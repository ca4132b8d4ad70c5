import { type Element, xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { type AdhocCommand, AdhocRegistry, type CommandResult, type CommandStep } from "../../../src/adhoc/registry.js";
import { AdhocSessions } from "../../../src/adhoc/sessions.js";
import { NS as NAMESPACES } from "../../../src/xmpp/namespaces.js";
import { stanzaError } from "../../../src/xmpp/stanza-error.js";
import { fakeXmpp, iq } from "../../helpers/fake-xmpp.js";

const NS = NAMESPACES.commands;
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

describe("AdhocRegistry multi-stage commands", () => {
  const ALICE = "alice@example.org/phone";
  const stageForm = (title: string) => xml("x", { xmlns: "jabber:x:data", type: "form" }, xml("title", {}, title));
  const submitForm = (value: string) =>
    xml("x", { xmlns: "jabber:x:data", type: "submit" }, xml("field", { var: "v" }, xml("value", {}, value)));

  /** A two-stage wizard: the first stage asks, later stages do what `next` says. */
  function wizard(sessions?: AdhocSessions) {
    const steps: Array<{ from: string; step: CommandStep }> = [];
    let next: (step: CommandStep) => Promise<CommandResult> = async () => ({
      form: xml("x", { xmlns: "jabber:x:data", type: "result" }),
    });
    const command: AdhocCommand<Ctx> = {
      node: "wizard",
      name: "Wizard",
      allowed: () => true,
      run: async (ctx, step) => {
        steps.push({ from: ctx.from, step });
        if (step.firstStage) {
          return {
            status: "executing",
            form: stageForm("Stage 1"),
            actions: ["complete"],
            defaultAction: "complete",
            state: { asked: "v" },
          };
        }
        return next(step);
      },
    };
    const registry = new AdhocRegistry<Ctx>(
      {
        contextFor: (from) => ({ from, admin: false }),
        onError: (error) => stanzaError("wait", "internal-server-error", (error as Error).message),
        selfJid: () => "bot@example.org/invites",
      },
      sessions,
    );
    registry.register(command);
    const fake = fakeXmpp();
    registry.attach(fake.client);
    const exec = (from: string, attrs: Record<string, string>, ...children: Element[]) =>
      fake.call(
        iq("set", from, xml("command", { xmlns: NS, node: "wizard", ...attrs }, ...children)),
      ) as Promise<Element>;
    const start = async (from = ALICE) => {
      const reply = await exec(from, { action: "execute" });
      return { reply, sessionid: reply.attrs.sessionid ?? "" };
    };
    return {
      registry,
      steps,
      exec,
      start,
      laterStages(handler: (step: CommandStep) => Promise<CommandResult>) {
        next = handler;
      },
    };
  }

  it("answers a first stage that needs more with status executing, actions and a session id", async () => {
    const { start, registry, steps } = wizard();
    const { reply, sessionid } = await start();
    expect(reply.attrs).toMatchObject({ xmlns: NS, node: "wizard", status: "executing" });
    expect(sessionid).toMatch(/^[\w-]{12}$/u);
    expect(reply.getChild("actions", NS)?.toString()).toBe('<actions execute="complete"><complete/></actions>');
    expect(reply.getChild("x", "jabber:x:data")?.getChildText("title")).toBe("Stage 1");
    expect(registry.sessions.size).toBe(1);
    expect(steps[0]?.step).toEqual({ action: "execute", form: undefined, state: undefined, firstStage: true });
  });

  it("puts actions before the note and the form (XEP-0050 §3.4)", async () => {
    const { exec, start, laterStages } = wizard();
    laterStages(async () => ({
      status: "executing",
      form: stageForm("Stage 2"),
      actions: ["next", "complete"],
      defaultAction: "next",
      note: { type: "warn", text: "Check this" },
    }));
    const { sessionid } = await start();
    const reply = await exec(ALICE, { action: "next", sessionid }, submitForm("x"));
    expect(reply.getChildElements().map((child) => child.name)).toEqual(["actions", "note", "x"]);
    expect(reply.getChild("actions")?.toString()).toBe('<actions execute="next"><next/><complete/></actions>');
  });

  it("brings the next request of the same full JID to the command with the submitted form and the saved state", async () => {
    const { exec, start, steps } = wizard();
    const { sessionid } = await start();
    const form = submitForm("hello");
    const reply = await exec(ALICE, { action: "complete", sessionid }, form);
    expect(reply.attrs).toMatchObject({ node: "wizard", sessionid, status: "completed" });
    expect(steps).toHaveLength(2);
    const second = steps[1]?.step;
    expect(second).toMatchObject({ action: "complete", firstStage: false, state: { asked: "v" } });
    expect(second?.form?.attrs.type).toBe("submit");
    expect(second?.form?.toString()).toBe(form.toString());
    expect(steps[1]?.from).toBe(ALICE);
  });

  it("treats execute within a session as a later stage", async () => {
    const { exec, start, steps } = wizard();
    const { sessionid } = await start();
    await exec(ALICE, { sessionid }, submitForm("x"));
    expect(steps[1]?.step).toMatchObject({ action: "execute", firstStage: false, state: { asked: "v" } });
  });

  it("gives no form to a later stage that was sent none", async () => {
    const { exec, start, steps } = wizard();
    const { sessionid } = await start();
    await exec(ALICE, { action: "complete", sessionid });
    expect(steps[1]?.step.form).toBeUndefined();
    expect(steps[1]?.step.firstStage).toBe(false);
  });

  it("refuses a session to another full JID with bad-sessionid, without running the command", async () => {
    const { exec, start, steps, registry } = wizard();
    const { sessionid } = await start();
    for (const other of ["alice@example.org/laptop", "mallory@example.org/phone", "alice@example.org"]) {
      const reply = await exec(other, { action: "complete", sessionid }, submitForm("x"));
      expect(condition(reply)).toEqual(["bad-request", "text", "bad-sessionid@commands"]);
    }
    expect(steps).toHaveLength(1);
    expect(registry.sessions.size).toBe(1);
    expect((await exec(ALICE, { action: "complete", sessionid }, submitForm("x"))).attrs.status).toBe("completed");
  });

  it("refuses another full JID's cancel without closing the session", async () => {
    const { exec, start, registry } = wizard();
    const { sessionid } = await start();
    const reply = await exec("mallory@example.org/x", { action: "cancel", sessionid });
    expect(condition(reply)).toEqual(["bad-request", "text", "bad-sessionid@commands"]);
    expect(registry.sessions.size).toBe(1);
  });

  it("closes the session on cancel, so a later use is a bad-sessionid", async () => {
    const { exec, start, steps, registry } = wizard();
    const { sessionid } = await start();
    const canceled = await exec(ALICE, { action: "cancel", sessionid });
    expect(canceled.attrs).toMatchObject({ node: "wizard", sessionid, status: "canceled" });
    expect(canceled.getChildElements()).toEqual([]);
    expect(registry.sessions.size).toBe(0);
    const later = await exec(ALICE, { action: "complete", sessionid }, submitForm("x"));
    expect(condition(later)).toEqual(["bad-request", "text", "bad-sessionid@commands"]);
    expect(steps).toHaveLength(1);
  });

  it("closes the session once the command completes", async () => {
    const { exec, start, steps, registry } = wizard();
    const { sessionid } = await start();
    expect((await exec(ALICE, { action: "complete", sessionid }, submitForm("x"))).attrs.status).toBe("completed");
    expect(registry.sessions.size).toBe(0);
    const again = await exec(ALICE, { action: "complete", sessionid }, submitForm("x"));
    expect(condition(again)).toEqual(["bad-request", "text", "bad-sessionid@commands"]);
    expect(steps).toHaveLength(2);
  });

  it("keeps the session and its new state while the command goes on executing", async () => {
    const { exec, start, steps, registry, laterStages } = wizard();
    laterStages(async (step) => ({
      status: "executing",
      form: stageForm("Again"),
      actions: ["complete"],
      defaultAction: "complete",
      state: { round: ((step.state as { round?: number }).round ?? 0) + 1 },
    }));
    const { sessionid } = await start();
    const second = await exec(ALICE, { action: "complete", sessionid }, submitForm("x"));
    expect(second.attrs).toMatchObject({ sessionid, status: "executing" });
    await exec(ALICE, { action: "complete", sessionid }, submitForm("y"));
    expect(steps.map(({ step }) => step.state)).toEqual([undefined, { asked: "v" }, { round: 1 }]);
    expect(registry.sessions.size).toBe(1);
  });

  it.each(["info", "warn", "error"] as const)("renders a %s note", async (type) => {
    const { exec, start, laterStages } = wizard();
    laterStages(async () => ({ note: { type, text: `A ${type} & more` } }));
    const { sessionid } = await start();
    const reply = await exec(ALICE, { action: "complete", sessionid }, submitForm("x"));
    expect(reply.getChild("note", NS)?.toString()).toBe(`<note type="${type}">A ${type} &amp; more</note>`);
    expect(reply.attrs.status).toBe("completed");
    expect(reply.getChild("actions")).toBeUndefined();
  });

  it("closes the session when a later stage throws, and answers with onError", async () => {
    const { exec, start, steps, registry, laterStages } = wizard();
    laterStages(async () => {
      throw new Error("store down");
    });
    const { sessionid } = await start();
    const failed = await exec(ALICE, { action: "complete", sessionid }, submitForm("x"));
    expect(failed.name).toBe("error");
    expect(failed.attrs.type).toBe("wait");
    expect(failed.getChildText("text", "urn:ietf:params:xml:ns:xmpp-stanzas")).toBe("store down");
    expect(registry.sessions.size).toBe(0);
    const later = await exec(ALICE, { action: "complete", sessionid }, submitForm("x"));
    expect(condition(later)).toEqual(["bad-request", "text", "bad-sessionid@commands"]);
    expect(steps).toHaveLength(2);
  });

  it("opens no session when the first stage throws", async () => {
    const registry = new AdhocRegistry<Ctx>({
      contextFor: (from) => ({ from, admin: false }),
      onError: (error) => stanzaError("wait", "internal-server-error", (error as Error).message),
      selfJid: () => "bot@example.org/invites",
    });
    registry.register({
      node: "boom",
      name: "Boom",
      allowed: () => true,
      run: async () => {
        throw new Error("no");
      },
    });
    const fake = fakeXmpp();
    registry.attach(fake.client);
    const reply = (await fake.call(iq("set", ALICE, xml("command", { xmlns: NS, node: "boom" })))) as Element;
    expect(reply.name).toBe("error");
    expect(registry.sessions.size).toBe(0);
  });

  it("refuses a session used on another node with bad-sessionid", async () => {
    const { registry, start } = wizard();
    registry.register({
      node: "other",
      name: "Other",
      allowed: () => true,
      run: async () => ({}),
    });
    const fake = fakeXmpp();
    registry.attach(fake.client);
    const { sessionid } = await start();
    const reply = (await fake.call(
      iq("set", ALICE, xml("command", { xmlns: NS, node: "other", action: "complete", sessionid })),
    )) as Element;
    expect(condition(reply)).toEqual(["bad-request", "text", "bad-sessionid@commands"]);
  });

  it("answers bad-action for prev within a session and keeps the session", async () => {
    const { exec, start, registry, steps } = wizard();
    const { sessionid } = await start();
    expect(condition(await exec(ALICE, { action: "prev", sessionid }))).toEqual([
      "bad-request",
      "text",
      "bad-action@commands",
    ]);
    expect(registry.sessions.size).toBe(1);
    expect(steps).toHaveLength(1);
  });

  it("refuses a session that has been idle too long with bad-sessionid", async () => {
    let now = 0;
    const { exec, start, steps } = wizard(new AdhocSessions({ idleMs: 1_000 }, () => now));
    const { sessionid } = await start();
    now = 1_000;
    const reply = await exec(ALICE, { action: "complete", sessionid }, submitForm("x"));
    expect(condition(reply)).toEqual(["bad-request", "text", "bad-sessionid@commands"]);
    expect(steps).toHaveLength(1);
  });

  it("keeps sessions of different full JIDs apart", async () => {
    const { exec, start, steps } = wizard();
    const alice = await start(ALICE);
    const bob = await start("bob@example.org/desk");
    expect(alice.sessionid).not.toBe(bob.sessionid);
    await exec("bob@example.org/desk", { action: "complete", sessionid: bob.sessionid }, submitForm("b"));
    await exec(ALICE, { action: "complete", sessionid: alice.sessionid }, submitForm("a"));
    expect(steps.map(({ from, step }) => `${from} ${step.firstStage}`)).toEqual([
      `${ALICE} true`,
      "bob@example.org/desk true",
      "bob@example.org/desk false",
      `${ALICE} false`,
    ]);
  });
});
