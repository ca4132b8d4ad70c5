/** The API key chat keywords: admins make, list and revoke keys; the key is shown once and never logged or stored. */
import { describe, expect, it } from "vitest";
import { apiKeyChatKeywords } from "../../../src/commands/api-key-commands.js";
import { contextFactory } from "../../../src/commands/context.js";
import { ApiKeyService } from "../../../src/invites/api-key-service.js";
import { apiKeyHash } from "../../../src/invites/api-keys.js";
import type { Policy } from "../../../src/invites/permissions.js";
import { createLogger } from "../../../src/logger.js";
import { MemoryApiKeys } from "../../../src/storage/memory-api-keys.js";

const NOW_MS = Date.UTC(2026, 10, 27, 1, 59, 2);
const ADMIN = "admin@example.org/laptop";

function world() {
  const policy: Policy = {
    domain: "example.org",
    admins: new Set(["admin@example.org"]),
    allowUserInvites: false,
    allowContactInvites: true,
  };
  const store = new MemoryApiKeys();
  const keys = new ApiKeyService({ store, policy, clock: () => NOW_MS });
  const logs: string[] = [];
  const ctx = contextFactory(policy, createLogger("debug", { write: (line: string) => logs.push(line) }));
  const keywords = apiKeyChatKeywords(keys);
  const say = (from: string, keyword: string, args = "") => {
    const found = keywords.find((k) => k.keyword === keyword);
    if (found === undefined) throw new Error(`no keyword ${keyword}`);
    return found.run(ctx(from), args);
  };
  return { store, keys, logs, say, ctx, keywords };
}

describe("apikey create", () => {
  it("shows the new key once, stores only its hash, and logs only its name", async () => {
    const { store, logs, say } = world();
    const reply = await say(ADMIN, "apikey", "create Billing manage");
    const key = /xib_[\w-]{43}/u.exec(reply)?.[0] ?? "";
    expect(key).not.toBe("");
    expect(reply).toContain('API key "billing" (manage)');
    expect(reply).toContain("it is not shown again");
    expect(await store.find(apiKeyHash(key))).toEqual({
      name: "billing",
      scope: "manage",
      createdBy: "admin@example.org",
      createdAt: NOW_MS / 1000,
    });
    expect(logs.join("\n")).toContain("API key made");
    expect(logs.join("\n")).not.toContain(key.slice(4, 20));
  });

  it("refuses a taken name, a bad name, a bad scope and other words", async () => {
    const { say } = world();
    await say(ADMIN, "apikey", "create billing create");
    expect(await say(ADMIN, "apikey", "create billing manage")).toBe('There is already a key named "billing".');
    expect(await say(ADMIN, "apikey", "create bad/name create")).toMatch(/^A key's name is/u);
    expect(await say(ADMIN, "apikey", "create other everything")).toMatch(/^Say "apikey create NAME create"/u);
    expect(await say(ADMIN, "apikey", "create")).toMatch(/^Say/u);
    expect(await say(ADMIN, "apikey", "rotate billing")).toMatch(/^Say/u);
  });
});

describe("apikeys and apikey revoke", () => {
  it("lists keys with scope, maker and dates but never a key, and revokes by name", async () => {
    const { keys, say } = world();
    expect(await say(ADMIN, "apikeys")).toMatch(/^There are no API keys/u);
    const made = await say(ADMIN, "apikey", "create zapier create");
    await say(ADMIN, "apikey", "create billing manage");
    const key = /xib_[\w-]{43}/u.exec(made)?.[0] ?? "";
    await keys.authenticate(key);
    const list = await say(ADMIN, "apikeys");
    expect(list.split("\n")).toEqual([
      "API keys (2):",
      "• billing (manage) — made 2026-11-27T01:59:02Z by admin@example.org, never used",
      "• zapier (create) — made 2026-11-27T01:59:02Z by admin@example.org, last used 2026-11-27T01:59:02Z",
    ]);
    expect(list).not.toContain("xib_");
    expect(await say(ADMIN, "apikey", "revoke Zapier")).toBe('Revoked API key "zapier": it no longer works.');
    expect(await keys.authenticate(key)).toBeUndefined();
    expect(await say(ADMIN, "apikey", "revoke zapier")).toBe('There is no key named "zapier".');
  });

  it("is for admins only, and shown in help to them only", async () => {
    const { say, ctx, keywords } = world();
    for (const [keyword, args] of [
      ["apikey", "create mine manage"],
      ["apikey", "revoke mine"],
      ["apikeys", ""],
    ] as const) {
      expect(await say("alice@example.org/phone", keyword, args)).toBe("Only admins can manage API keys.");
    }
    expect(keywords.every((k) => k.allowed(ctx(ADMIN)) && !k.allowed(ctx("alice@example.org/phone")))).toBe(true);
  });
});
