/** What the API's invite routes do: each kind of invite, listing, reading, revoking, validation, the OpenAPI document. */
import { describe, expect, it } from "vitest";
import { describeError } from "../../../src/errors.js";
import { MemoryInviteStore } from "../../../src/storage/memory-store.js";
import { ADMIN, apiWorld, NOW_MS, WEEK } from "../../helpers/api-world.js";

const INVITES = "/api/v1/invites";
const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/u, "Z");
const NOW = NOW_MS / 1000;

describe("POST /api/v1/invites", () => {
  it("makes an account invite with every option of the ad-hoc form, and answers its links once", async () => {
    const world = await apiWorld();
    const key = await world.key("create");
    const response = await world.call("POST", INVITES, key, {
      kind: "account",
      username: "Newcomer",
      lifetime: "1d",
      uses: 1,
      note: "for the choir",
      contact: true,
    });
    expect(response.statusCode).toBe(201);
    const created = response.json();
    expect(created).toEqual({
      id: expect.stringMatching(/^[\w-]{8}$/u),
      kind: "contact",
      inviter: ADMIN,
      expires: iso(NOW + 86_400),
      allowsRegistration: true,
      username: "newcomer",
      note: "for the choir",
      uri: expect.stringMatching(/^xmpp:admin@example\.org\?roster;preauth=[\w-]{24};ibr=y$/u),
      landingPage: expect.stringMatching(/^https:\/\/example\.org\/i/u),
    });
    const plain = (await world.call("POST", INVITES, key, { kind: "account", uses: 5, note: "club" })).json();
    expect(plain).toMatchObject({ kind: "account", maxUses: 5, usesLeft: 5, expires: iso(NOW + WEEK) });
    expect(plain.uri).toMatch(/^xmpp:example\.org\?register;preauth=[\w-]{24}$/u);
  });

  it("makes a contact invite as the local user it names, within that user's rights", async () => {
    const world = await apiWorld();
    const key = await world.key("create");
    const response = await world.call("POST", INVITES, key, { kind: "contact", inviter: "Alice@example.org" });
    expect(response.statusCode).toBe(201);
    // Users may not invite new users here (ALLOW_USER_INVITES=false): the invite only makes a contact.
    expect(response.json()).toMatchObject({ kind: "contact", inviter: "alice@example.org", allowsRegistration: false });
    expect(response.json().uri).toMatch(/^xmpp:alice@example\.org\?roster;preauth=[\w-]{24}$/u);
    const admins = (await world.call("POST", INVITES, key, { kind: "contact", inviter: ADMIN })).json();
    expect(admins).toMatchObject({ inviter: ADMIN, allowsRegistration: true });
    const remote = await world.call("POST", INVITES, key, { kind: "contact", inviter: "eve@other.org" });
    expect(remote.statusCode).toBe(describeError("not-local-user").http.status);
    expect(remote.json().code).toBe("not-local-user");
  });

  it("makes a password reset link for an account of the domain, and none for another domain's", async () => {
    const world = await apiWorld();
    const key = await world.key("create");
    const response = await world.call("POST", INVITES, key, { kind: "reset", username: "alice" });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ kind: "reset", allowsRegistration: true, expires: iso(NOW + 86_400) });
    const other = await world.call("POST", INVITES, key, { kind: "reset", username: "alice@other.org" });
    expect(other.json().code).toBe("password-reset-not-local");
  });

  it("refuses with 400 what its schema or the ad-hoc form's rules refuse, naming the problem, and makes nothing", async () => {
    const world = await apiWorld();
    const key = await world.key("manage");
    const bodies: [unknown, RegExp][] = [
      [{}, /kind/u],
      [{ kind: "group" }, /kind/u],
      [{ kind: "account", lifetme: "1d" }, /lifetme/u],
      [{ kind: "account", uses: "5" }, /uses/u],
      [{ kind: "account", uses: 101 }, /uses/u],
      [{ kind: "account", lifetime: "2d" }, /lifetime/u],
      [{ kind: "account", note: "x".repeat(201) }, /note/u],
      [{ kind: "account", inviter: "alice@example.org" }, /"inviter" is not an option of a account invite/u],
      [{ kind: "account", username: "no/slash" }, /./u],
      [{ kind: "contact" }, /inviter/u],
      [{ kind: "contact", inviter: "not a jid" }, /inviter/u],
      [{ kind: "reset" }, /username/u],
      [{ kind: "reset", username: "alice", note: "x" }, /"note" is not an option of a reset invite/u],
    ];
    for (const [body, mentions] of bodies) {
      const response = await world.call("POST", INVITES, key, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      const problem = response.json();
      expect(problem.code, JSON.stringify(body)).toMatch(/^(form-invalid|username-not-allowed)$/u);
      expect(problem.detail, JSON.stringify(body)).toMatch(mentions);
    }
    expect((await world.call("GET", INVITES, key)).json().total).toBe(0);
  });
});

describe("listing, reading and revoking", () => {
  it("lists by short id without links, filters by inviter and kind, reads one and revokes it", async () => {
    const world = await apiWorld();
    const key = await world.key("manage");
    const account = (await world.call("POST", INVITES, key, { kind: "account", note: "a" })).json();
    const contact = (await world.call("POST", INVITES, key, { kind: "contact", inviter: "alice@example.org" })).json();
    const list = await world.call("GET", INVITES, key);
    expect(list.statusCode).toBe(200);
    expect(list.json()).toMatchObject({ total: 2, page: 1, pageSize: 25 });
    expect(JSON.stringify(list.json())).not.toMatch(/preauth|uri|landing/u);
    const ids = (query: string) =>
      world.call("GET", `${INVITES}?${query}`, key).then((r) => r.json().invites.map((i: { id: string }) => i.id));
    expect(await ids("kind=contact")).toEqual([contact.id]);
    expect(await ids("inviter=Alice@example.org")).toEqual([contact.id]);
    expect(await ids(`inviter=${ADMIN}&kind=account`)).toEqual([account.id]);
    expect(await ids("page=2")).toEqual([]);
    // The filters are the store's: the total is of the filtered list.
    expect((await world.call("GET", `${INVITES}?kind=contact`, key)).json()).toMatchObject({ total: 1 });
    const soon = (await world.call("POST", INVITES, key, { kind: "account", lifetime: "1h" })).json();
    expect(await ids(`expires_before=${iso(NOW + 7200)}`)).toEqual([soon.id]);
    expect(await ids(`expires_before=${iso(NOW + 7200)}&kind=contact`)).toEqual([]);
    await world.call("DELETE", `${INVITES}/${soon.id}`, key);

    const read = await world.call("GET", `${INVITES}/${account.id}`, key);
    expect(read.statusCode).toBe(200);
    const { uri: _uri, landingPage: _page, ...listed } = account;
    expect(read.json()).toEqual(listed);

    const revoked = await world.call("DELETE", `${INVITES}/${account.id}`, key);
    expect(revoked.statusCode).toBe(204);
    expect(revoked.body).toBe("");
    expect((await world.call("GET", `${INVITES}/${account.id}`, key)).statusCode).toBe(404);
    expect(await ids("")).toEqual([contact.id]);
  });

  it("refuses a malformed id, page or filter with 400", async () => {
    const world = await apiWorld();
    const key = await world.key("manage");
    for (const url of [
      `${INVITES}/short`,
      `${INVITES}?page=0`,
      `${INVITES}?kind=group`,
      `${INVITES}?inviter=x`,
      `${INVITES}?colour=red`,
      `${INVITES}?expires_before=tomorrow`,
      `${INVITES}?expires_before=2027-02-29T00:00:00Z`,
    ]) {
      const response = await world.call(url.startsWith(`${INVITES}/`) ? "DELETE" : "GET", url, key);
      expect(response.statusCode, url).toBe(400);
      expect(response.json().code, url).toBe("form-invalid");
    }
  });
});

describe("GET /api/v1/summary", () => {
  it("counts the invites created, used and expired in the last 7 and 30 days, for a manage key", async () => {
    const store = new MemoryInviteStore(() => NOW_MS);
    const world = await apiWorld({ store });
    const key = await world.key("manage");
    const made = (await world.call("POST", INVITES, key, { kind: "account" })).json();
    await world.call("POST", INVITES, key, { kind: "contact", inviter: "alice@example.org" });
    await world.call("POST", INVITES, key, { kind: "reset", username: "alice" });
    await store.stats.noteUse({ entryId: "1-0", invite: made.id, at: NOW - 60 });
    const response = await world.call("GET", "/api/v1/summary", key);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      windows: [
        { days: 7, created: 2, used: 1, expired: 0 },
        { days: 30, created: 2, used: 1, expired: 0 },
      ],
    });
    const create = await world.call("GET", "/api/v1/summary", await world.key("create"));
    expect(create.statusCode).toBe(403);
    expect((await world.call("GET", "/api/v1/summary")).statusCode).toBe(401);
  });
});

describe("GET /api/v1/openapi.json", () => {
  it("is an OpenAPI 3.1 document of every route, made from their schemas", async () => {
    const world = await apiWorld();
    const response = await world.app.inject({ url: "/api/v1/openapi.json" });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^application\/json/u);
    const doc = JSON.parse(response.body);
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info).toMatchObject({ title: expect.any(String), version: "0.0.0-test" });
    expect(doc.components.securitySchemes.apiKey).toEqual({ type: "http", scheme: "bearer" });
    expect(Object.keys(doc.paths).sort()).toEqual([
      "/api/v1/accounts/{jid}/tree",
      "/api/v1/accounts/{jid}/tree/disable",
      "/api/v1/accounts/{jid}/tree/revoke",
      "/api/v1/invites",
      "/api/v1/invites/{id}",
      "/api/v1/summary",
    ]);
    expect(Object.keys(doc.paths["/api/v1/invites"]).sort()).toEqual(["get", "post"]);
    expect(Object.keys(doc.paths["/api/v1/invites/{id}"]).sort()).toEqual(["delete", "get", "patch"]);
    const post = doc.paths["/api/v1/invites"].post;
    expect(post.requestBody.content["application/json"].schema.properties.kind.enum).toEqual([
      "account",
      "contact",
      "reset",
    ]);
    expect(post.responses["201"].content["application/json"].schema.required).toContain("uri");
    expect(post.responses["401"].content["application/problem+json"].schema.required).toEqual(
      expect.arrayContaining(["type", "title", "status", "detail"]),
    );
    expect(post.security).toEqual([{ apiKey: [] }]);
    const list = doc.paths["/api/v1/invites"].get;
    expect(list.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`).sort()).toEqual([
      "query:expires_before",
      "query:inviter",
      "query:kind",
      "query:page",
    ]);
    expect(doc.paths["/api/v1/invites/{id}"].delete.parameters[0]).toMatchObject({
      in: "path",
      name: "id",
      required: true,
    });
  });
});
