/**
 * "Manage API keys" over ad-hoc: the first form lists the keys and asks what to do, then create (the key shown once,
 * only its hash stored, never logged) or revoke; refusals in the catalogue's words; admins only; registered with the
 * API's keys only.
 */
import { describe, expect, it } from "vitest";
import type { CommandResult } from "../../../src/adhoc/registry.js";
import { allAdhocCommands } from "../../../src/commands/all-commands.js";
import { API_KEYS_NODE, apiKeyAdhocCommands } from "../../../src/commands/api-key-adhoc.js";
import { contextFactory } from "../../../src/commands/context.js";
import { adhocErrorFor } from "../../../src/commands/error-edges.js";
import { InviteError } from "../../../src/errors.js";
import { ApiKeyService } from "../../../src/invites/api-key-service.js";
import { type ApiKeyStore, apiKeyHash } from "../../../src/invites/api-keys.js";
import type { Policy } from "../../../src/invites/permissions.js";
import { StoreUnavailableError } from "../../../src/invites/store.js";
import { createLogger } from "../../../src/logger.js";
import { MemoryApiKeys } from "../../../src/storage/memory-api-keys.js";
import { NS } from "../../../src/xmpp/namespaces.js";
import { commandWorld, firstStep, formValues, NOW_MS, nextStep } from "../../helpers/command-world.js";

const ADMIN = "admin@example.org/laptop";
const ALICE = "alice@example.org/phone";
const KEY = /^xib_[\w-]{43}$/u;

function world(store: ApiKeyStore = new MemoryApiKeys()) {
  const policy: Policy = {
    domain: "example.org",
    admins: new Set(["admin@example.org"]),
    allowUserInvites: false,
    allowContactInvites: true,
  };
  const keys = new ApiKeyService({ store, policy, clock: () => NOW_MS });
  const logs: string[] = [];
  const ctx = contextFactory(policy, createLogger("debug", { write: (line: string) => logs.push(line) }));
  const [command] = apiKeyAdhocCommands(keys);
  if (command === undefined) throw new Error("no command");
  /** Runs the stages: the first, then one per submitted form, each with the state the one before kept. */
  const stages = async (from: string, ...forms: Record<string, string[]>[]): Promise<CommandResult[]> => {
    const results = [await command.run(ctx(from), firstStep())];
    for (const fields of forms) {
      const previous = results.at(-1);
      const state = previous?.status === "executing" ? previous.state : undefined;
      results.push(await command.run(ctx(from), nextStep(fields, { state, action: "next" })));
    }
    return results;
  };
  return { store, keys, logs, ctx, command, stages };
}

const noteOf = (result: CommandResult | undefined) => result?.note?.text ?? "";
const fieldTypes = (result: CommandResult | undefined) =>
  (result?.form?.getChildren("field") ?? []).map((field) => `${field.attrs.var}:${field.attrs.type}`);

describe("Manage API keys: create", () => {
  it("asks what to do, then name and scope, and shows the key once; only its hash is stored, never logged", async () => {
    const { store, logs, stages } = world();
    const [list, ask, made] = await stages(ADMIN, { action: ["create"] }, { name: ["Billing"], scope: ["manage"] });
    expect(list?.status).toBe("executing");
    expect(list?.form?.getChildText("instructions")).toBe("There are no API keys yet.");
    // Only "create" is offered while there is nothing to revoke.
    expect(list?.form?.getChildren("field").at(-1)?.getChildren("option").length).toBe(1);
    expect(ask).toMatchObject({ status: "executing", actions: ["complete"] });
    expect(fieldTypes(ask)).toEqual(["name:text-single", "scope:list-single"]);

    expect(made?.status).toBeUndefined();
    expect(noteOf(made)).toMatch(/^Keep it: it is not shown again\./u);
    const values = formValues(made?.form);
    expect(values.name).toEqual(["billing"]);
    expect(values.scope).toEqual(["manage"]);
    const key = values.key?.[0] ?? "";
    expect(key).toMatch(KEY);
    expect(await store.find(apiKeyHash(key))).toEqual({
      name: "billing",
      scope: "manage",
      createdBy: "admin@example.org",
      createdAt: NOW_MS / 1000,
    });
    expect(logs.join("\n")).toMatch(/API key made .*name=billing scope=manage via=ad-hoc/u);
    expect(logs.join("\n")).not.toContain(key.slice(4, 20));
  });

  it("asks again, with what was entered and the catalogue's words, for a bad or taken name", async () => {
    const { keys, ctx, logs, stages } = world();
    await keys.create(ctx(ADMIN).actor, "billing", "create");
    const [, , bad] = await stages(ADMIN, { action: ["create"] }, { name: ["bad/name"], scope: ["manage"] });
    expect(bad).toMatchObject({ status: "executing", state: { stage: "create" } });
    expect(noteOf(bad)).toMatch(/^An API key's name is 1 to 40 lower-case letters/u);
    expect(formValues(bad?.form)).toEqual({ name: ["bad/name"], scope: ["manage"] });

    const [, , taken] = await stages(ADMIN, { action: ["create"] }, { name: ["billing"], scope: ["manage"] });
    expect(taken).toMatchObject({ status: "executing", note: { type: "error" } });
    expect(noteOf(taken)).toBe("There is an API key of that name already: revoke it first, or choose another name");
    expect(logs.join("\n")).toMatch(/API key request refused .*code=api-key-name-taken/u);

    const [, , scope] = await stages(ADMIN, { action: ["create"] }, { name: ["other"], scope: ["everything"] });
    expect(noteOf(scope)).toBe("Choose the scope: create or manage.");
    expect((await keys.list(ctx(ADMIN).actor))?.map((k) => k.name)).toEqual(["billing"]);
  });

  it("shows the first form again when no action was chosen", async () => {
    const { stages } = world();
    const [, again] = await stages(ADMIN, {});
    expect(again).toMatchObject({ status: "executing", state: { stage: "choose" }, note: { type: "error" } });
    expect(noteOf(again)).toBe("Choose what to do: create or revoke a key.");
  });
});

describe("Manage API keys: list and revoke", () => {
  it("lists each key with scope, maker and dates but never a key, and revokes the one picked", async () => {
    const { keys, ctx, logs, stages } = world();
    const zapier = await keys.create(ctx(ADMIN).actor, "zapier", "create");
    await keys.create(ctx(ADMIN).actor, "billing", "manage");
    const key = zapier.ok ? zapier.key : "";
    await keys.authenticate(key);

    const [list, pick, done] = await stages(ADMIN, { action: ["revoke"] }, { name: ["zapier"] });
    expect(list?.form?.getChildText("instructions")).toMatch(/^API keys \(2\)/u);
    expect(fieldTypes(list)).toEqual(["key-0:fixed", "key-1:fixed", "action:list-single"]);
    expect(formValues(list?.form)).toMatchObject({
      "key-0": ["• billing (manage) — made 2026-11-27T01:59:02Z by admin@example.org, never used"],
      "key-1": ["• zapier (create) — made 2026-11-27T01:59:02Z by admin@example.org, last used 2026-11-27T01:59:02Z"],
    });
    expect(list?.form?.toString()).not.toContain("xib_");
    const options = pick?.form?.getChild("field")?.getChildren("option") ?? [];
    expect(options.map((option) => option.getChildText("value"))).toEqual(["billing", "zapier"]);

    expect(done?.note).toEqual({ type: "info", text: 'Revoked API key "zapier": it no longer works.' });
    expect(await keys.authenticate(key)).toBeUndefined();
    expect(logs.join("\n")).toMatch(/API key revoked .*name=zapier via=ad-hoc/u);
  });

  it("says so when the key was revoked meanwhile", async () => {
    const { keys, ctx, command, stages } = world();
    await keys.create(ctx(ADMIN).actor, "zapier", "create");
    const [, pick] = await stages(ADMIN, { action: ["revoke"] });
    await keys.revoke(ctx(ADMIN).actor, "zapier");
    const state = pick?.status === "executing" ? pick.state : undefined;
    const done = await command.run(ctx(ADMIN), nextStep({ name: ["zapier"] }, { state }));
    expect(done.note).toEqual({ type: "error", text: "There is no API key of that name" });
  });
});

describe("Manage API keys: who and when", () => {
  it("is for admins only; a user who gets to run it anyway gets the catalogue's refusal", async () => {
    const { command, ctx, stages } = world();
    expect(command.node).toBe(API_KEYS_NODE);
    expect(command.allowed(ctx(ADMIN))).toBe(true);
    expect(command.allowed(ctx(ALICE))).toBe(false);
    const [refused] = await stages(ALICE);
    expect(refused?.note).toEqual({ type: "error", text: "Only admins make, list and revoke API keys" });
    const revoked = await command.run(ctx(ALICE), nextStep({ name: ["x"] }, { state: { stage: "revoke" } }));
    expect(revoked.note?.text).toBe("Only admins make, list and revoke API keys");
  });

  it("lets an unreachable store reach the error edge, which answers it as the other commands do", async () => {
    const broken = new MemoryApiKeys();
    broken.list = () => Promise.reject(new StoreUnavailableError("connection refused"));
    const { command, ctx } = world(broken);
    const failure = await command.run(ctx(ADMIN), firstStep()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(InviteError);
    const stanza = adhocErrorFor("example.org")(failure, ctx(ADMIN));
    expect(stanza.attrs.type).toBe("wait");
    expect(stanza.getChildText("text", NS.stanzas)).toMatch(/the list cannot be shown/u);
  });

  it("is registered only with the API's keys, after the bot's other commands", () => {
    const { service, circles } = commandWorld();
    const { keys } = world();
    const without = allAdhocCommands({ invites: service, circles }).map((command) => command.node);
    const withKeys = allAdhocCommands({ invites: service, circles, apiKeys: keys }).map((command) => command.node);
    expect(without).not.toContain(API_KEYS_NODE);
    expect(withKeys).toEqual([...without, API_KEYS_NODE]);
  });
});
