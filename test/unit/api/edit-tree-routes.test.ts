/**
 * The API's edit and tree routes (src/api/edit-routes.ts, tree-routes.ts): each route × scope × key, strict
 * validation, the domain's refusals as the catalogue's problems, and the OpenAPI document listing them.
 */
import { describe, expect, it } from "vitest";
import { describeError } from "../../../src/errors.js";
import { tokenHash } from "../../../src/invites/token.js";
import { MemoryInviteStore } from "../../../src/storage/memory-store.js";
import { type ApiWorld, apiWorld, NOW_MS } from "../../helpers/api-world.js";
import { FakeAccounts } from "../../helpers/fake-accounts.js";

const INVITES = "/api/v1/invites";
const NOW = NOW_MS / 1000;
const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/u, "Z");
const at = (name: string) => `${name}@example.org`;
const tokenOf = (uri: string) => /preauth=([\w-]{24})/u.exec(uri)?.[1] ?? "";

function patch(world: ApiWorld, url: string, key: string | undefined, body: unknown) {
  return world.app.inject({
    method: "PATCH",
    url,
    headers: key === undefined ? {} : { authorization: `Bearer ${key}` },
    payload: body as object,
  });
}

async function counted(world: ApiWorld, key: string, uses = 2) {
  return (await world.call("POST", INVITES, key, { kind: "account", uses })).json() as { id: string; uri: string };
}

describe("PATCH /api/v1/invites/ID", () => {
  it("changes the expiry and the uses of a counted invite, and answers it as GET then shows it", async () => {
    const world = await apiWorld();
    const key = await world.key("manage");
    const { id } = await counted(world, key);
    const response = await patch(world, `${INVITES}/${id}`, key, { expires: iso(NOW + 86_400), maxUses: 5 });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id, kind: "account", expires: iso(NOW + 86_400), maxUses: 5, usesLeft: 5 });
    expect((await world.call("GET", `${INVITES}/${id}`, key)).json()).toEqual(response.json());
    // Any RFC 3339 offset, lower case t and z, and fractions (dropped) are the same instant.
    const offset = await patch(world, `${INVITES}/${id}`, key, { expires: "2026-11-28T03:59:02.750+02:00" });
    expect(offset.json().expires).toBe(iso(NOW + 86_400));
    expect((await patch(world, `${INVITES}/${id}`, key, { expires: "2026-11-28t01:59:02z" })).statusCode).toBe(200);
    expect((await patch(world, `${INVITES}/${id}`, key, { maxUses: 3 })).json()).toMatchObject({ maxUses: 3 });
    expect(world.logs.join("\n")).toContain("Invite edited over the API");
  });

  it("needs a usable manage key: none is 401, a create key 403, and nothing changes", async () => {
    const world = await apiWorld();
    const manage = await world.key("manage");
    const { id } = await counted(world, manage);
    const none = await patch(world, `${INVITES}/${id}`, undefined, { maxUses: 9 });
    expect(none.statusCode).toBe(401);
    expect(none.headers["www-authenticate"]).toMatch(/^Bearer /u);
    const wrong = await patch(world, `${INVITES}/${id}`, "xib_not-a-key", { maxUses: 9 });
    expect(wrong.statusCode).toBe(401);
    const create = await patch(world, `${INVITES}/${id}`, await world.key("create"), { maxUses: 9 });
    expect(create.statusCode).toBe(403);
    expect(create.headers["content-type"]).toMatch(/^application\/problem\+json/u);
    expect(create.json().code).toBe("api-key-scope");
    expect((await world.call("GET", `${INVITES}/${id}`, manage)).json().maxUses).toBe(2);
  });

  it("refuses with 400 a body or id its schema refuses, naming the problem", async () => {
    const world = await apiWorld();
    const key = await world.key("manage");
    const { id } = await counted(world, key);
    const bodies: [unknown, RegExp][] = [
      [{}, /fewer than 1/u],
      [{ maxUses: 3, lifetime: "1d" }, /no field "lifetime"/u],
      [{ maxUses: "3" }, /maxUses must be integer/u],
      [{ maxUses: 0 }, /maxUses/u],
      [{ maxUses: 101 }, /maxUses/u],
      [{ expires: 1_798_675_200 }, /expires must be string/u],
      [{ expires: "tomorrow" }, /expires must match/u],
      [{ expires: "2026-12-31" }, /expires must match/u],
      [{ expires: "2027-02-29T00:00:00Z" }, /"2027-02-29T00:00:00Z" is not a real date and time/u],
    ];
    for (const [body, mentions] of bodies) {
      const response = await patch(world, `${INVITES}/${id}`, key, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json().code, JSON.stringify(body)).toBe("form-invalid");
      expect(response.json().detail, JSON.stringify(body)).toMatch(mentions);
    }
    expect((await patch(world, `${INVITES}/short`, key, { maxUses: 3 })).json().code).toBe("form-invalid");
    const text = await world.app.inject({
      method: "PATCH",
      url: `${INVITES}/${id}`,
      headers: { authorization: `Bearer ${key}`, "content-type": "text/plain" },
      payload: "maxUses=3",
    });
    expect(text.statusCode).toBe(415);
    expect((await world.call("GET", `${INVITES}/${id}`, key)).json()).toMatchObject({ maxUses: 2, usesLeft: 2 });
  });

  it("answers the domain's refusals with the catalogue's status and code", async () => {
    const store = new MemoryInviteStore(() => NOW_MS);
    const world = await apiWorld({ store });
    const key = await world.key("manage");
    const single = (await world.call("POST", INVITES, key, { kind: "account" })).json();
    const used = await counted(world, key, 3);
    expect(store.takeUse(tokenHash(tokenOf(used.uri)))).toBe(true);
    const refusals: [string, unknown, string, RegExp][] = [
      [single.id, { maxUses: 5 }, "invite-uses-not-counted", /several uses/u],
      [used.id, { maxUses: 1 }, "invite-uses-not-allowed", /from 2 to 100: it has been used 1 time$/u],
      [used.id, { expires: iso(NOW - 60) }, "invite-expiry-not-allowed", /in the future/u],
      [used.id, { expires: iso(NOW + 400 * 86_400) }, "invite-expiry-not-allowed", /at most/u],
      ["AAAAAAAA", { maxUses: 5 }, "invite-not-found", /./u],
    ];
    for (const [id, body, code, detail] of refusals) {
      const response = await patch(world, `${INVITES}/${id}`, key, body);
      expect(response.statusCode, code).toBe(describeError(code as "invite-not-found").http.status);
      expect(response.json(), code).toMatchObject({ code, type: `urn:xmpp-invite-bot:problem:${code}` });
      expect(response.json().detail, code).toMatch(detail);
    }
    expect((await world.call("GET", `${INVITES}/${used.id}`, key)).json()).toMatchObject({ maxUses: 3, usesLeft: 2 });
  });
});

/** alice → bob → dan, alice → carol; zed apart. Contact invites made as alice, dan and zed. */
async function family(accounts?: FakeAccounts) {
  const store = new MemoryInviteStore(() => NOW_MS);
  store.recordUse(at("alice"), at("carol"));
  store.recordUse(at("alice"), at("bob"), NOW - 86_400);
  store.recordUse(at("bob"), at("dan"));
  const world = await apiWorld({ store, ...(accounts === undefined ? {} : { accounts }) });
  const key = await world.key("manage");
  for (const inviter of ["alice", "dan", "zed"]) {
    const made = await world.call("POST", INVITES, key, { kind: "contact", inviter: at(inviter) });
    expect(made.statusCode).toBe(201);
  }
  return { world, key };
}

describe("an account's invite tree", () => {
  it("GET /api/v1/accounts/JID/tree reads it, the JID normalised", async () => {
    const { world, key } = await family();
    const response = await world.call("GET", "/api/v1/accounts/Alice@Example.org/tree", key);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      root: at("alice"),
      nodes: [
        { jid: at("bob"), invitedBy: at("alice"), depth: 1, pending: 0, joined: iso(NOW - 86_400) },
        { jid: at("dan"), invitedBy: at("bob"), depth: 2, pending: 1 },
        { jid: at("carol"), invitedBy: at("alice"), depth: 1, pending: 0 },
      ],
      truncated: false,
      rootPending: 1,
      pending: 2,
      deepest: 2,
      newest: [{ jid: at("bob"), joined: iso(NOW - 86_400) }],
    });
    const nobody = await world.call("GET", `/api/v1/accounts/${encodeURIComponent(at("nobody"))}/tree`, key);
    expect(nobody.json()).toEqual({
      root: at("nobody"),
      nodes: [],
      truncated: false,
      rootPending: 0,
      pending: 0,
      deepest: 0,
      newest: [],
    });
  });

  it("POST /api/v1/accounts/JID/tree/revoke revokes the invites of the account and its tree, nobody else's", async () => {
    const { world, key } = await family();
    const response = await world.call("POST", "/api/v1/accounts/alice@example.org/tree/revoke", key);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ revoked: 2, accounts: 4, truncated: false });
    const left = (await world.call("GET", INVITES, key)).json().invites.map((i: { inviter: string }) => i.inviter);
    expect(left).toEqual([at("zed")]);
    expect(world.logs.join("\n")).toContain("Invite tree revoked over the API");
    const again = await world.call("POST", "/api/v1/accounts/alice@example.org/tree/revoke", key);
    expect(again.json()).toEqual({ revoked: 0, accounts: 4, truncated: false });
  });

  it("POST /api/v1/accounts/JID/tree/disable revokes the tree's invites and disables its accounts, each reported", async () => {
    const accounts = new FakeAccounts();
    const { world, key } = await family(accounts);
    accounts.failing.set(at("dan"), "the server says: could not");
    const response = await world.call("POST", "/api/v1/accounts/alice@example.org/tree/disable", key);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      root: at("alice"),
      way: "disable",
      revoked: 2,
      done: [at("bob"), at("carol")],
      failed: [{ jid: at("dan"), why: "the server says: could not" }],
      skipped: [],
      truncated: false,
    });
    expect(world.logs.join("\n")).toContain("Accounts of an invite tree disabled over the API");
    const unable = await family(new FakeAccounts({ way: undefined, why: "disable accounts: no commands" }));
    const refused = await unable.world.call("POST", "/api/v1/accounts/alice@example.org/tree/disable", unable.key);
    expect(refused.statusCode).toBe(501);
    expect(refused.json().code).toBe("accounts-unsupported");
    expect((await unable.world.call("GET", INVITES, unable.key)).json().total).toBe(3);
  });

  it("needs a usable manage key on both routes, and refuses what is not a JID with 400", async () => {
    const { world, key } = await family();
    const create = await world.key("create");
    const routes = [
      ["GET", "/api/v1/accounts/alice@example.org/tree"],
      ["POST", "/api/v1/accounts/alice@example.org/tree/revoke"],
      ["POST", "/api/v1/accounts/alice@example.org/tree/disable"],
    ] as const;
    for (const [method, url] of routes) {
      const none = await world.call(method, url);
      expect(none.statusCode, url).toBe(401);
      expect(none.json().code, url).toBe("api-key-missing");
      const scoped = await world.call(method, url, create);
      expect(scoped.statusCode, url).toBe(403);
      expect(scoped.json().code, url).toBe("api-key-scope");
      for (const jid of ["alice", "a@b@c", "alice@example.org%2Fphone", "%40example.org", "al%20ice@example.org"]) {
        const bad = await world.call(method, url.replace("alice@example.org", jid), key);
        expect(bad.statusCode, `${method} ${jid}`).toBe(400);
        expect(bad.json().code, `${method} ${jid}`).toBe("form-invalid");
      }
    }
    expect((await world.call("GET", INVITES, key)).json().total).toBe(3);
  });
});

describe("the OpenAPI document", () => {
  it("lists the edit and tree routes with their bodies and answers", async () => {
    const world = await apiWorld();
    const doc = (await world.app.inject({ url: "/api/v1/openapi.json" })).json();
    const edit = doc.paths["/api/v1/invites/{id}"].patch;
    expect(edit.security).toEqual([{ apiKey: [] }]);
    const body = edit.requestBody.content["application/json"].schema;
    expect(body).toMatchObject({ additionalProperties: false, minProperties: 1 });
    expect(body.properties.expires).toMatchObject({ type: "string", format: "date-time" });
    expect(edit.responses["200"].content["application/json"].schema.required).toContain("expires");
    expect(Object.keys(edit.responses).sort()).toEqual(["200", "400", "401", "403", "404", "429", "503"]);
    const tree = doc.paths["/api/v1/accounts/{jid}/tree"].get;
    expect(tree.parameters[0]).toMatchObject({ in: "path", name: "jid", required: true });
    expect(tree.responses["200"].content["application/json"].schema.required).toEqual([
      "root",
      "nodes",
      "truncated",
      "rootPending",
      "pending",
      "deepest",
      "newest",
    ]);
    const disable = doc.paths["/api/v1/accounts/{jid}/tree/disable"].post;
    expect(disable.responses["200"].content["application/json"].schema.properties.way.enum).toEqual([
      "disable",
      "ban",
      "lock",
    ]);
    expect(Object.keys(disable.responses).sort()).toEqual(["200", "400", "401", "403", "429", "501", "503"]);
    const revoke = doc.paths["/api/v1/accounts/{jid}/tree/revoke"].post;
    expect(revoke.responses["200"].content["application/json"].schema.properties).toHaveProperty("revoked");
    expect(revoke.responses["403"].content["application/problem+json"].schema.required).toContain("code");
  });
});
