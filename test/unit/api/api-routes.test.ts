/** The HTTP API's routes through inject(): every route × scope × authentication case, and what each answers. */
import { describe, expect, it } from "vitest";
import { API_RATE_LIMIT } from "../../../src/api/auth.js";
import { describeError } from "../../../src/errors.js";
import { StoreUnavailableError } from "../../../src/invites/store.js";
import { ADMIN, apiWorld } from "../../helpers/api-world.js";

const INVITES = "/api/v1/invites";
const ROUTES = [
  { method: "POST", url: INVITES, body: { kind: "account" }, ok: 201, scope: "create" },
  { method: "GET", url: INVITES, ok: 200, scope: "manage" },
  { method: "GET", url: `${INVITES}/AAAAAAAA`, ok: 404, scope: "manage" },
  { method: "DELETE", url: `${INVITES}/AAAAAAAA`, ok: 404, scope: "manage" },
] as const;

/** A problem as RFC 9457 shapes it, from the catalogue's `code`. */
function expectProblem(
  response: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
  code: string,
) {
  expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/u);
  const problem = response.json() as Record<string, unknown>;
  expect(problem).toEqual({
    type: `urn:xmpp-invite-bot:problem:${code}`,
    title: expect.any(String),
    status: response.statusCode,
    detail: expect.any(String),
    code,
  });
  return problem;
}

describe("authentication", () => {
  for (const route of ROUTES) {
    describe(`${route.method} ${route.url}`, () => {
      it("refuses a request without a key: 401, WWW-Authenticate: Bearer without an error code", async () => {
        const world = await apiWorld();
        const response = await world.call(route.method, route.url, undefined, "body" in route ? route.body : undefined);
        expect(response.statusCode).toBe(401);
        expect(response.headers["www-authenticate"]).toBe('Bearer realm="xmpp-invite-bot"');
        expectProblem(response, "api-key-missing");
      });

      it("refuses an unknown, a malformed and a revoked key alike: 401 invalid_token", async () => {
        const world = await apiWorld();
        const revoked = await world.key("manage", "gone");
        await world.keys.revoke({ jid: ADMIN, localUser: "admin", isAdmin: true }, "gone");
        const body = "body" in route ? route.body : undefined;
        for (const key of [`xib_${"A".repeat(43)}`, "not-a-key", revoked]) {
          const response = await world.call(route.method, route.url, key, body);
          expect(response.statusCode).toBe(401);
          expect(response.headers["www-authenticate"]).toBe('Bearer realm="xmpp-invite-bot", error="invalid_token"');
          expectProblem(response, "api-key-missing");
        }
      });

      it("refuses the key of someone who is no longer an admin", async () => {
        const world = await apiWorld();
        const key = await world.key("manage", "former", "former@example.org");
        const response = await world.call(route.method, route.url, key, "body" in route ? route.body : undefined);
        expect(response.statusCode).toBe(401);
      });

      it(`lets a manage key through, and a create key ${route.scope === "create" ? "too" : "not (403)"}`, async () => {
        const world = await apiWorld();
        const body = "body" in route ? route.body : undefined;
        expect((await world.call(route.method, route.url, await world.key("manage"), body)).statusCode).toBe(route.ok);
        const create = await world.call(route.method, route.url, await world.key("create"), body);
        if (route.scope === "create") {
          expect(create.statusCode).toBe(route.ok);
        } else {
          expect(create.statusCode).toBe(403);
          expect(create.headers["www-authenticate"]).toContain('error="insufficient_scope"');
          expectProblem(create, "api-key-scope");
        }
      });
    });
  }

  it("takes the scheme in any case, and nothing but Bearer", async () => {
    const world = await apiWorld();
    const key = await world.key("manage");
    const asked = (authorization: string) => world.app.inject({ url: INVITES, headers: { authorization } });
    expect((await asked(`bearer ${key}`)).statusCode).toBe(200);
    expect((await asked(`Basic ${key}`)).statusCode).toBe(401);
  });

  it("never logs a key", async () => {
    const world = await apiWorld();
    const key = await world.key("manage");
    await world.call("POST", INVITES, key, { kind: "account" });
    await world.call("GET", INVITES, key);
    expect(world.logs.join("\n")).not.toContain(key.slice(4, 20));
    expect(world.logs.join("\n")).toContain("Invite created over the API");
  });
});

describe("rate limit", () => {
  it(`answers 429 with Retry-After past ${API_RATE_LIMIT.max} requests a minute of one key, not of another`, async () => {
    const world = await apiWorld();
    const busy = await world.key("manage");
    for (let i = 0; i < API_RATE_LIMIT.max; i += 1)
      expect((await world.call("GET", INVITES, busy)).statusCode).toBe(200);
    const refused = await world.call("GET", INVITES, busy);
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    expect(Number(refused.headers["retry-after"])).toBeLessThanOrEqual(60);
    expectProblem(refused, "too-many-requests");
    expect((await world.call("GET", INVITES, await world.key("manage"))).statusCode).toBe(200);
  });

  it("answers 503 store-unavailable when the counters cannot be reached", async () => {
    const world = await apiWorld({
      hits: { hit: () => Promise.reject(new StoreUnavailableError("Redis is away")) },
    });
    const response = await world.call("GET", INVITES, await world.key("manage"));
    expect(response.statusCode).toBe(503);
    expectProblem(response, "store-unavailable");
  });
});

describe("errors", () => {
  it("answers an unknown path under /api/v1 with a 404 problem", async () => {
    const world = await apiWorld();
    const response = await world.call("GET", "/api/v1/users", await world.key("manage"));
    expect(response.statusCode).toBe(404);
    expectProblem(response, "page-not-found");
  });

  it("takes JSON only: a form is 415, broken JSON 400, both as problems", async () => {
    const world = await apiWorld();
    const key = await world.key("manage");
    const form = await world.app.inject({
      method: "POST",
      url: INVITES,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/x-www-form-urlencoded" },
      payload: "kind=account",
    });
    expect(form.statusCode).toBe(415);
    expect(form.headers["content-type"]).toMatch(/^application\/problem\+json/u);
    const broken = await world.app.inject({
      method: "POST",
      url: INVITES,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      payload: "{kind",
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.headers["content-type"]).toMatch(/^application\/problem\+json/u);
  });

  it("maps the catalogue's codes to their status", async () => {
    const world = await apiWorld();
    const key = await world.key("manage");
    const missing = await world.call("DELETE", `${INVITES}/AAAAAAAA`, key);
    expect(missing.statusCode).toBe(describeError("invite-not-found").http.status);
    expectProblem(missing, "invite-not-found");
    const roles = await world.call("POST", INVITES, key, { kind: "account", role: "prosody:member" });
    expect(roles.statusCode).toBe(describeError("roles-unsupported").http.status);
    expectProblem(roles, "roles-unsupported");
  });
});
