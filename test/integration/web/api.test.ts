/**
 * The HTTP API against real servers (docs/api.md): Prosody with our module, Redis as deployed (the bot's ACL user
 * for the invites and the keys), the bot's own InviteService, and the API on a loopback port spoken to over HTTP.
 * A key makes an account invite that a newcomer registers with in-band; a manage key lists and revokes; a create
 * key cannot revoke; a revoked key is refused. On Prosody 13 the API gives the account a role; on 0.12 it refuses one.
 */
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerApi } from "../../../src/api/api.js";
import { ApiKeyService } from "../../../src/invites/api-key-service.js";
import { findInvite } from "../../../src/invites/invite-lookup.js";
import { actorFor } from "../../../src/invites/permissions.js";
import { inviteSummary } from "../../../src/invites/stats.js";
import { createLogger } from "../../../src/logger.js";
import type { TestBot } from "../../helpers/bot.js";
import { eventually } from "../../helpers/bot.js";
import { effectiveRoles, ROLE_SHELL_MODULES } from "../../helpers/effective-role.js";
import { uniqueName } from "../../helpers/names.js";
import { prosodyMajorVersion } from "../../helpers/prosody-server.js";
import { type Scenario, startScenario } from "../../helpers/scenario.js";

const ON_13 = prosodyMajorVersion() >= 13;
const ADMIN = "admin@localhost";
let world: Scenario;
let bot: TestBot;
let keys: ApiKeyService;
let api: FastifyInstance;
let base: string;

function fail(message: string): never {
  throw new Error(message);
}

beforeAll(async () => {
  world = await startScenario({ inviteModule: true, moreModules: [...ROLE_SHELL_MODULES] });
  bot = await world.startBot("bot");
  const { service, store, storage } = bot.app;
  keys = new ApiKeyService({
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
    summary: (actor) => inviteSummary(storage.stats ?? fail("the bot's backend has no summary logs"), actor, Date.now),
  });
  base = `${await api.listen({ host: "127.0.0.1", port: 0 })}/api/v1`;
});

afterAll(async () => {
  await api?.close();
  await world?.stop();
});

const admin = () => actorFor(ADMIN, bot.app.service.policy);

async function namedKey(scope: "create" | "manage"): Promise<{ key: string; name: string }> {
  const name = uniqueName(`it-${scope}-`);
  const made = await keys.create(admin(), name, scope);
  if (!made.ok) throw new Error(made.reason);
  return { key: made.key, name };
}

const newKey = async (scope: "create" | "manage") => (await namedKey(scope)).key;

function call(method: string, path: string, key: string, body?: unknown): Promise<Response> {
  return fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** What the API's answers hold, as far as these tests read them. */
interface Answer {
  id: string;
  uri: string;
  code: string;
  total: number;
  invites: { id: string }[];
}

const answer = async (response: Response | Promise<Response>): Promise<Answer> =>
  (await (await response).json()) as Answer;

const tokenOf = (uri: string) => /preauth=([\w-]{24})/u.exec(uri)?.[1] ?? "";

describe(`the HTTP API over Redis and Prosody ${ON_13 ? "13" : "0.12"}`, () => {
  it("makes an account invite a newcomer registers with in-band, and which is then gone", async () => {
    const key = await newKey("create");
    const response = await call("POST", "/invites", key, { kind: "account", note: "from the API" });
    expect(response.status).toBe(201);
    const created = await answer(response);
    expect(created).toMatchObject({ kind: "account", inviter: ADMIN, note: "from the API", allowsRegistration: true });
    const username = uniqueName("apinew");
    const handled = bot.events.waitFor("use-handled", { matches: ({ event }) => event.invite === created.id });
    const { register } = await world.registerWithInvite(tokenOf(created.uri), username);
    expect(register.attrs.type, register.toString()).toBe("result");
    expect((await handled).event).toMatchObject({ kind: "registered", invitee: `${username}@localhost` });
    // Single use: the module removed it with its use.
    const manage = await newKey("manage");
    await eventually(async () => expect((await call("GET", `/invites/${created.id}`, manage)).status).toBe(404));
  });

  it("lets a manage key list, read and revoke another invite, which then no longer registers", async () => {
    const key = await newKey("manage");
    const created = await answer(call("POST", "/invites", key, { kind: "account", uses: 3 }));
    const list = await answer(call("GET", `/invites?inviter=${ADMIN}&kind=account`, key));
    expect(list.invites.map((invite: { id: string }) => invite.id)).toContain(created.id);
    expect(JSON.stringify(list)).not.toContain(tokenOf(created.uri));
    const read = await call("GET", `/invites/${created.id}`, key);
    expect(await answer(read)).toMatchObject({ id: created.id, maxUses: 3, usesLeft: 3 });
    expect((await call("DELETE", `/invites/${created.id}`, key)).status).toBe(204);
    expect((await call("GET", `/invites/${created.id}`, key)).status).toBe(404);
    const { register } = await world.registerWithInvite(tokenOf(created.uri), uniqueName("apirevoked"));
    expect(register.attrs.type).toBe("error");
  });

  it("counts in the summary the invites made, the use Prosody recorded, and not the used-up one as expired", async () => {
    const key = await newKey("manage");
    const stats = bot.app.storage.stats ?? fail("the bot's backend has no summary logs");
    const summary = async () =>
      ((await (await call("GET", "/summary", key)).json()) as { windows: { created: number; used: number }[] })
        .windows[0];
    // Two weeks on, every invite made here has expired unless it was used up or revoked.
    const expiredLater = async () => (await stats.counts(Math.floor(Date.now() / 1000) + 14 * 86_400, [30]))[0];
    const before = await summary();
    const used = await answer(call("POST", "/invites", key, { kind: "account" }));
    await answer(call("POST", "/invites", key, { kind: "account" }));
    const expiringBefore = (await expiredLater())?.expired ?? 0;
    const username = uniqueName("apisummary");
    const handled = bot.events.waitFor("use-handled", { matches: ({ event }) => event.invite === used.id });
    const { register } = await world.registerWithInvite(tokenOf(used.uri), username);
    expect(register.attrs.type, register.toString()).toBe("result");
    await handled;
    const after = await summary();
    expect(after).toMatchObject({ created: (before?.created ?? 0) + 2, used: (before?.used ?? 0) + 1 });
    expect((await expiredLater())?.expired).toBe(expiringBefore - 1);
  });

  it("refuses a create key anything but creating (403), and a revoked key everything (401)", async () => {
    const manage = await newKey("manage");
    const other = await answer(call("POST", "/invites", manage, { kind: "account" }));
    const create = await newKey("create");
    const refused = await call("DELETE", `/invites/${other.id}`, create);
    expect(refused.status).toBe(403);
    expect(refused.headers.get("content-type")).toMatch(/^application\/problem\+json/u);
    expect((await answer(refused)).code).toBe("api-key-scope");
    expect((await call("GET", `/invites/${other.id}`, manage)).status).toBe(200);

    const gone = await namedKey("manage");
    expect((await call("GET", "/invites", gone.key)).status).toBe(200);
    expect(await keys.revoke(admin(), gone.name)).toBe(true);
    const afterRevoke = await call("GET", "/invites", gone.key);
    expect(afterRevoke.status).toBe(401);
    expect(afterRevoke.headers.get("www-authenticate")).toContain("Bearer");
  });

  if (ON_13) {
    it("13: gives the new account the role the API asked for", async () => {
      await eventually(async () => {
        if (!bot.app.service.rolesOnJoin) throw new Error("the bot does not offer roles (yet)");
      });
      const key = await newKey("create");
      const created = await answer(call("POST", "/invites", key, { kind: "account", role: "prosody:guest" }));
      const username = uniqueName("apiguest");
      expect((await world.registerWithInvite(tokenOf(created.uri), username)).register.attrs.type).toBe("result");
      expect(await effectiveRoles(world.servers.prosody, `${username}@localhost`)).toEqual(["prosody:guest"]);
    });
  } else {
    it("0.12: refuses a role, as the server cannot set one, and makes nothing", async () => {
      const key = await newKey("manage");
      const before = (await answer(call("GET", "/invites", key))).total;
      const refused = await call("POST", "/invites", key, { kind: "account", role: "prosody:guest" });
      expect((await answer(refused)).code).toBe("roles-unsupported");
      expect((await answer(call("GET", "/invites", key))).total).toBe(before);
    });
  }
});
