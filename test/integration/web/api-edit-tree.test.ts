/**
 * The API's edit and tree routes against real servers (docs/api.md): Prosody with our module, Redis as deployed (the
 * bot's ACL user), the bot's own InviteService, and the API on a loopback port over HTTP. A manage key raises a
 * counted invite's uses, and the module, which reads the record on every use, then lets one more account register;
 * a manage key reads the invite tree the server recorded for a chain of three accounts, and revokes it so its pending
 * invites no longer register. Prosody 0.12 and 13 alike.
 */
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerApi } from "../../../src/api/api.js";
import { ApiKeyService } from "../../../src/invites/api-key-service.js";
import { findInvite } from "../../../src/invites/invite-lookup.js";
import { actorFor } from "../../../src/invites/permissions.js";
import { createLogger } from "../../../src/logger.js";
import type { TestBot } from "../../helpers/bot.js";
import { eventually } from "../../helpers/bot.js";
import { uniqueName } from "../../helpers/names.js";
import { prosodyMajorVersion } from "../../helpers/prosody-server.js";
import { type Scenario, startScenario } from "../../helpers/scenario.js";

const VERSION = prosodyMajorVersion() >= 13 ? "13" : "0.12";
const ADMIN = "admin@localhost";
let world: Scenario;
let bot: TestBot;
let api: FastifyInstance;
let base: string;
let key: string;

function fail(message: string): never {
  throw new Error(message);
}

beforeAll(async () => {
  world = await startScenario({ inviteModule: true });
  // Users may invite new users, so each account of the chain can invite the next.
  // Trees of accounts made a moment ago: the account-age rule (user-invite-policy.test.ts) is off here.
  bot = await world.startBot("bot", {
    ALLOW_USER_INVITES: "true",
    INVITE_MIN_ACCOUNT_AGE: "0",
    INVITE_CHAIN_PACE: "0",
  });
  const { service, store, storage } = bot.app;
  const keys = new ApiKeyService({
    // The bot's own store of keys, on its backend's connection to Redis as its ACL user.
    store: storage.apiKeys ?? fail("the bot's backend has no API keys"),
    policy: service.policy,
  });
  api = Fastify({ logger: false });
  registerApi(api, {
    keys,
    invites: service,
    findInvite: (actor, id) => findInvite({ store, clock: Date.now }, actor, id),
    hits: storage.hits,
    log: createLogger("silent"),
    version: "test",
  });
  base = `${await api.listen({ host: "127.0.0.1", port: 0 })}/api/v1`;
  const made = await keys.create(actorFor(ADMIN, service.policy), uniqueName("it-manage-"), "manage");
  if (!made.ok) throw new Error(made.reason);
  key = made.key;
});

afterAll(async () => {
  await api?.close();
  await world?.stop();
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: response.status === 204 ? undefined : await response.json() };
}

const tokenOf = (uri: string) => /preauth=([\w-]{24})/u.exec(uri)?.[1] ?? "";

async function registers(token: string, username: string): Promise<boolean> {
  return (await world.registerWithInvite(token, username)).register.attrs.type === "result";
}

/** A pending invite made by user `jid` through the bot's service, as chat's "invite" makes one; its token. */
async function inviteBy(jid: string): Promise<string> {
  // A user's invite is a contact invite that also registers an account (ALLOW_USER_INVITES).
  const { invite } = await bot.app.service.createContactInvite(actorFor(jid, bot.app.service.policy), `${jid}/it`);
  return invite.token;
}

describe(`the API's edit and tree routes over Redis and Prosody ${VERSION}`, () => {
  it("raises a counted invite's uses from 2 to 3, and a third account then registers with it", async () => {
    const created = (await call("POST", "/invites", { kind: "account", uses: 2 })).json as { id: string; uri: string };
    const token = tokenOf(created.uri);
    expect(await registers(token, uniqueName("apiedit"))).toBe(true);
    await eventually(async () => {
      expect((await call("GET", `/invites/${created.id}`)).json).toMatchObject({ maxUses: 2, usesLeft: 1 });
    });
    const edited = await call("PATCH", `/invites/${created.id}`, { maxUses: 3 });
    expect(edited.status).toBe(200);
    expect(edited.json).toMatchObject({ id: created.id, maxUses: 3, usesLeft: 2 });
    expect((await call("GET", `/invites/${created.id}`)).json).toEqual(edited.json);
    expect(await registers(token, uniqueName("apiedit"))).toBe(true);
    expect(await registers(token, uniqueName("apiedit"))).toBe(true);
    expect(await registers(token, uniqueName("apiedit"))).toBe(false);
    await eventually(async () => expect((await call("GET", `/invites/${created.id}`)).status).toBe(404));
  });

  it("refuses to cap uses at or below those already taken, as the catalogue says", async () => {
    const created = (await call("POST", "/invites", { kind: "account", uses: 3 })).json as { id: string; uri: string };
    expect(await registers(tokenOf(created.uri), uniqueName("apicap"))).toBe(true);
    await eventually(async () => {
      expect((await call("GET", `/invites/${created.id}`)).json).toMatchObject({ usesLeft: 2 });
    });
    const refused = await call("PATCH", `/invites/${created.id}`, { maxUses: 1 });
    expect(refused).toMatchObject({ status: 400, json: { code: "invite-uses-not-allowed" } });
    expect((await call("GET", `/invites/${created.id}`)).json).toMatchObject({ maxUses: 3, usesLeft: 2 });
  });

  it("reads the tree of a chain of three accounts, and revokes its pending invites, nobody else's", async () => {
    const [first, second, third] = [uniqueName("tree1-"), uniqueName("tree2-"), uniqueName("tree3-")];
    const jid = (name: string) => `${name}@localhost`;
    const root = (await call("POST", "/invites", { kind: "account" })).json as { uri: string };
    expect(await registers(tokenOf(root.uri), first)).toBe(true);
    expect(await registers(await inviteBy(jid(first)), second)).toBe(true);
    expect(await registers(await inviteBy(jid(second)), third)).toBe(true);
    const joined = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/u);
    // The module records who invited whom, and when each account joined, as each account registers.
    await eventually(async () => {
      const read = await call("GET", `/accounts/${jid(first)}/tree`);
      expect(read).toEqual({
        status: 200,
        json: {
          root: jid(first),
          nodes: [
            { jid: jid(second), invitedBy: jid(first), depth: 1, pending: 0, joined },
            { jid: jid(third), invitedBy: jid(second), depth: 2, pending: 0, joined },
          ],
          truncated: false,
          rootPending: 0,
          pending: 0,
          deepest: 2,
          newest: expect.arrayContaining([
            { jid: jid(second), joined },
            { jid: jid(third), joined },
          ]),
        },
      });
    });

    const pending = [await inviteBy(jid(first)), await inviteBy(jid(third))];
    expect((await call("GET", `/accounts/${jid(first)}/tree`)).json).toMatchObject({ rootPending: 1, pending: 2 });
    const admins = (await call("POST", "/invites", { kind: "account" })).json as { id: string };
    const revoked = await call("POST", `/accounts/${encodeURIComponent(jid(first))}/tree/revoke`);
    expect(revoked).toEqual({ status: 200, json: { revoked: 2, accounts: 3, truncated: false } });
    for (const token of pending) expect(await registers(token, uniqueName("treelate"))).toBe(false);
    // This Prosody does not make the bot a server admin: it cannot disable the tree's accounts, says why, and
    // revokes nothing (test/integration/tree-accounts.test.ts has a bot that can).
    const later = await inviteBy(jid(third));
    const disable = await call("POST", `/accounts/${encodeURIComponent(jid(first))}/tree/disable`);
    expect(disable).toMatchObject({ status: 501, json: { code: "accounts-unsupported" } });
    expect((disable.json as { detail: string }).detail).toContain("make the bot's account a server administrator");
    expect(await registers(later, uniqueName("treeok"))).toBe(true);
    expect((await call("GET", `/invites/${admins.id}`)).status).toBe(200);
    expect((await call("GET", `/invites?inviter=${jid(third)}`)).json).toMatchObject({ total: 0 });
  });
});
