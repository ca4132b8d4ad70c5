/** The invite pages through Fastify's inject(), with the memory store and a fake registrar. */
import { describe, expect, it } from "vitest";
import { actorFor } from "../../../src/invites/permissions.js";
import type { HitCounter } from "../../../src/invites/store.js";
import { StoreUnavailableError } from "../../../src/invites/store.js";
import { tokenHash } from "../../../src/invites/token.js";
import { MemoryInviteStore } from "../../../src/storage/memory-store.js";
import { POLICY, WEB_URL, type WebWorld, webWorld } from "../../helpers/web-fakes.js";
import { cookieOf, csrfFieldOf, formBody, textOf } from "../../helpers/web-form.js";

const admin = actorFor("admin@example.org", POLICY);
const alice = actorFor("alice@example.org", POLICY);
const ANDROID = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36";
const SAME_ORIGIN = { origin: WEB_URL, "sec-fetch-site": "same-origin" };

async function openForm(world: WebWorld, token: string) {
  const page = await world.server.inject({ method: "GET", url: `/invite/${token}/register` });
  expect(page.statusCode).toBe(200);
  return { csrf: csrfFieldOf(page.body), cookie: cookieOf(page.headers["set-cookie"]) };
}

async function submit(world: WebWorld, token: string, fields: Record<string, string>, headers = SAME_ORIGIN) {
  const { csrf, cookie } = await openForm(world, token);
  return world.server.inject({
    method: "POST",
    url: `/invite/${token}/register`,
    headers: { ...headers, cookie, "content-type": "application/x-www-form-urlencoded" },
    payload: formBody({ csrf, ...fields }),
  });
}

describe("invite landing pages", () => {
  it("show an account invite: who invited, the way to the form, the apps, two QR codes", async () => {
    const world = webWorld();
    const { invite } = await world.service.createAccountInvite(admin, "admin@example.org/laptop");
    const page = await world.server.inject({ method: "GET", url: `/invite/${invite.token}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<html lang="en">');
    expect(textOf(page.body, { className: "intro" })).toBe(
      "admin@example.org invites you to create an account on Example Chat.",
    );
    expect(page.body).toContain(`href="/invite/${invite.token}/register?lang=en"`);
    expect(page.body.match(/<svg class="qr"/gu)).toHaveLength(2);
    for (const app of ["conversations", "cheogram", "monal", "siskin", "gajim", "dino", "conversejs"]) {
      expect(page.body).toContain(`data-app="${app}"`);
    }
    expect(page.headers.link).toBe(`<${invite.uri}>; rel="alternate"`);
    expect(page.body).toContain(`<link rel="alternate" href="${invite.uri}">`);
  });

  it("show an account-and-contact invite with both paths", async () => {
    const world = webWorld();
    const { invite } = await world.service.createContactInvite(alice, "alice@example.org/phone");
    expect(invite.uri).toContain(";ibr=y");
    const page = await world.server.inject({ method: "GET", url: `/invite/${invite.token}` });
    expect(textOf(page.body, { className: "have-account" })).toContain("I already have an XMPP account");
    expect(textOf(page.body, { className: "need-account" })).toContain("Create an account on example.org");
    expect(page.body).toContain("<h1>alice@example.org invites you to chat</h1>");
    expect(page.body).toContain(`class="button open-invite" href="${invite.uri.replaceAll("&", "&amp;")}"`);
  });

  it("give contact-only invites a page too, without a registration form", async () => {
    const world = webWorld();
    const other = webWorld({ store: world.store });
    const service = new (await import("../../../src/invites/service.js")).InviteService({
      store: world.store,
      policy: { ...POLICY, allowUserInvites: false },
      ttlSeconds: 3600,
      invitePage: undefined,
    });
    const { invite } = await service.createContactInvite(alice, "alice@example.org/phone");
    expect(invite.uri).not.toContain("ibr=y");
    const page = await other.server.inject({ method: "GET", url: `/invite/${invite.token}` });
    expect(page.statusCode).toBe(200);
    expect(textOf(page.body, { className: "address" })).toBe("The address to add: alice@example.org");
    expect(page.body).not.toContain("/register");
    expect(page.body).not.toContain("<form");
    const form = await other.server.inject({ method: "GET", url: `/invite/${invite.token}/register` });
    expect(form.statusCode).toBe(303);
    expect(form.headers.location).toBe(`/invite/${invite.token}?lang=en`);
  });

  it("show a reset link as its form, for that account only", async () => {
    const world = webWorld();
    const { invite } = await world.service.createPasswordResetInvite(admin, "admin@example.org/x", "bob@example.org");
    const page = await world.server.inject({ method: "GET", url: `/invite/${invite.token}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("<h1>Set a new password for bob@example.org</h1>");
    expect(page.body).toMatch(/name="username" type="text" value="bob"[^>]* readonly/u);
    expect(page.headers.link).toBeUndefined();
  });

  it("answer unknown, made-up and odd tokens with the same 404 page, odd ones without a lookup", async () => {
    const world = webWorld();
    let lookups = 0;
    const find = world.store.findByToken.bind(world.store);
    world.store.findByToken = (token) => {
      lookups += 1;
      return find(token);
    };
    const unknown = await world.server.inject({ method: "GET", url: "/invite/AAAAAAAAAAAAAAAAAAAAAAAA" });
    const odd = await world.server.inject({ method: "GET", url: "/invite/%3Cscript%3E" });
    for (const page of [unknown, odd]) {
      expect(page.statusCode).toBe(404);
      expect(page.body).toContain("This invite link is no longer valid");
      expect(page.headers["cache-control"]).toBe("no-store");
    }
    expect(lookups).toBe(1);
    expect(odd.body).not.toContain("<script>");
  });

  it("answer 404 once an invite has expired", async () => {
    let now = Date.now();
    const world = webWorld({ clock: () => now });
    const { invite } = await world.service.createAccountInvite(admin, "admin@example.org/x");
    now += 3601_000;
    expect((await world.server.inject({ method: "GET", url: `/invite/${invite.token}` })).statusCode).toBe(404);
  });

  it("say the store is unavailable with 503, not that the invite is invalid", async () => {
    const world = webWorld();
    world.store.findByToken = async () => {
      throw new StoreUnavailableError("Redis is not connected");
    };
    const page = await world.server.inject({ method: "GET", url: "/invite/AAAAAAAAAAAAAAAAAAAAAAAA" });
    expect(page.statusCode).toBe(503);
    expect(page.body).toContain("Not available right now");
  });

  it("put the visitor's platform first and keep every app one click away", async () => {
    const world = webWorld();
    const { invite } = await world.service.createAccountInvite(admin, "admin@example.org/x");
    const page = await world.server.inject({
      method: "GET",
      url: `/invite/${invite.token}`,
      headers: { "user-agent": ANDROID },
    });
    const [first, all] = page.body.split('<details class="all-apps">');
    expect(first).toContain('data-app="conversations"');
    expect(first).not.toContain('data-app="monal"');
    expect(all).toContain('data-app="monal"');
    // Google Play gets the invite as referrer, every character of it (";" too) percent-encoded.
    expect(first).toContain(`referrer=${encodeURIComponent(invite.uri)}`);
    expect(first).toContain("After installing, come back to this page");
  });
});

describe("a WEB_URL with a path", () => {
  it("serves every page, link and asset under that path", async () => {
    const world = webWorld({ web: { url: "https://example.org/join" } });
    const { invite } = await world.service.createAccountInvite(admin, "admin@example.org/x");
    const page = await world.server.inject({ method: "GET", url: `/join/invite/${invite.token}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('href="/join/assets/style.css"');
    expect(page.body).toContain(`href="/join/invite/${invite.token}/register?lang=en"`);
    expect((await world.server.inject({ method: "GET", url: "/join/assets/style.css" })).statusCode).toBe(200);
    expect((await world.server.inject({ method: "GET", url: `/invite/${invite.token}` })).statusCode).toBe(404);
    const wrong = await world.server.inject({ method: "DELETE", url: `/join/invite/${invite.token}` });
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers.allow).toBe("GET, HEAD");
    const form = await world.server.inject({ method: "GET", url: `/join/invite/${invite.token}/register` });
    expect(form.headers["set-cookie"]).toContain("Path=/join;");
    expect(form.headers["set-cookie"]).toContain("; Secure");
  });
});

describe("languages", () => {
  it("follow Accept-Language, with a switch that wins over it", async () => {
    const world = webWorld();
    const { invite } = await world.service.createAccountInvite(admin, "admin@example.org/x");
    const german = await world.server.inject({
      method: "GET",
      url: `/invite/${invite.token}`,
      headers: { "accept-language": "de-AT,de;q=0.9,en;q=0.5" },
    });
    expect(german.body).toContain('<html lang="de">');
    expect(german.headers["content-language"]).toBe("de");
    expect(german.headers.vary).toContain("Accept-Language");
    expect(german.body).toContain("Du bist zu Example Chat eingeladen");
    expect(german.body).toContain(`href="/invite/${invite.token}?lang=fr" hreflang="fr"`);
    const french = await world.server.inject({
      method: "GET",
      url: `/invite/${invite.token}?lang=fr`,
      headers: { "accept-language": "de" },
    });
    expect(french.body).toContain('<html lang="fr">');
    expect(french.body).toContain("Vous êtes invité·e sur Example Chat");
  });
});

describe("headers", () => {
  it("forbid scripts, framing and referrers on every page, and HSTS over https", async () => {
    const world = webWorld();
    for (const url of ["/", "/invite/AAAAAAAAAAAAAAAAAAAAAAAA", "/nothing/here", "/assets/style.css"]) {
      const reply = await world.server.inject({ method: "GET", url });
      expect(reply.headers["content-security-policy"]).toContain("default-src 'self'");
      expect(reply.headers["content-security-policy"]).toContain("script-src 'none'");
      expect(reply.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
      expect(reply.headers["x-content-type-options"]).toBe("nosniff");
      expect(reply.headers["referrer-policy"]).toBe("no-referrer");
      expect(reply.headers["strict-transport-security"]).toBe("max-age=31536000");
    }
    const plain = webWorld({ web: { url: "http://127.0.0.1:8080" } });
    expect(
      (await plain.server.inject({ method: "GET", url: "/" })).headers["strict-transport-security"],
    ).toBeUndefined();
  });

  it("let scripts elsewhere read the Link header, and answer the CORS preflight", async () => {
    const world = webWorld();
    const { invite } = await world.service.createAccountInvite(admin, "admin@example.org/x");
    const page = await world.server.inject({ method: "GET", url: `/invite/${invite.token}` });
    expect(page.headers["access-control-allow-origin"]).toBe("*");
    expect(page.headers["access-control-expose-headers"]).toBe("Link");
    const preflight = await world.server.inject({ method: "OPTIONS", url: `/invite/${invite.token}` });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers["access-control-allow-methods"]).toBe("GET, HEAD");
    const head = await world.server.inject({ method: "HEAD", url: `/invite/${invite.token}` });
    expect(head.statusCode).toBe(200);
    expect(head.headers.link).toBe(`<${invite.uri}>; rel="alternate"`);
  });
});

describe("registration through the form", () => {
  it("asks the registrar with the invite's token, then shows the new address without the password", async () => {
    const world = webWorld();
    const { invite } = await world.service.createAccountInvite(admin, "admin@example.org/x");
    const done = await submit(world, invite.token, {
      username: "Newbie",
      password: "s3cret-pass",
      password_again: "s3cret-pass",
      app: "gajim",
    });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain("Welcome, newbie@example.org!");
    expect(done.body).toContain("Log in to Gajim with your address newbie@example.org");
    expect(done.body).not.toContain("s3cret-pass");
    expect(world.registrar.calls).toEqual([
      // The name folded as the server stores it: what the registrar sends and the page shows.
      { kind: "register", token: invite.token, username: "newbie", password: "s3cret-pass" },
    ]);
    expect(world.logs.join("")).not.toContain("s3cret-pass");
  });

  it("says the inviter is already a contact after an account-and-contact invite", async () => {
    const world = webWorld();
    const { invite } = await world.service.createContactInvite(alice, "alice@example.org/phone");
    const done = await submit(world, invite.token, {
      username: "nina",
      password: "pw-12345",
      password_again: "pw-12345",
    });
    expect(done.body).toContain("alice@example.org is already in your contacts.");
  });

  it("keeps the username of an invite bound to one, whatever the form says", async () => {
    const world = webWorld();
    const { invite } = await world.service.createAccountInvite(admin, "admin@example.org/x", { username: "carol" });
    const form = await world.server.inject({ method: "GET", url: `/invite/${invite.token}/register` });
    expect(form.body).toMatch(/value="carol"[^>]* readonly/u);
    await submit(world, invite.token, { username: "mallory", password: "pw-12345", password_again: "pw-12345" });
    expect(world.registrar.calls.map((call) => call.username)).toEqual(["carol"]);
  });

  it("sets a new password with a reset link through the registrar's reset", async () => {
    const world = webWorld();
    const { invite } = await world.service.createPasswordResetInvite(admin, "admin@example.org/x", "bob@example.org");
    const page = await world.server.inject({ method: "GET", url: `/invite/${invite.token}` });
    const done = await world.server.inject({
      method: "POST",
      url: `/invite/${invite.token}/register`,
      headers: {
        ...SAME_ORIGIN,
        cookie: cookieOf(page.headers["set-cookie"]),
        "content-type": "application/x-www-form-urlencoded",
      },
      payload: formBody({
        csrf: csrfFieldOf(page.body),
        username: "x",
        password: "new-pw-1",
        password_again: "new-pw-1",
      }),
    });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain("Your password was changed");
    expect(world.registrar.calls).toEqual([
      { kind: "reset", token: invite.token, username: "bob", password: "new-pw-1" },
    ]);
  });

  it("shows each mistake next to its field and keeps what was typed, never the password", async () => {
    const world = webWorld();
    const { invite } = await world.service.createAccountInvite(admin, "admin@example.org/x");
    const mismatch = await submit(world, invite.token, {
      username: "dora",
      password: "one-pass",
      password_again: "two",
    });
    expect(mismatch.statusCode).toBe(400);
    expect(textOf(mismatch.body, { id: "password-error" })).toBe("The two passwords are not the same.");
    expect(mismatch.body).toContain('value="dora"');
    expect(mismatch.body).not.toContain("one-pass");
    const empty = await submit(world, invite.token, {});
    expect(textOf(empty.body, { id: "username-error" })).toBe("Please choose a username.");
    expect(textOf(empty.body, { id: "password-error" })).toBe("Please choose a password.");
    const invalid = await submit(world, invite.token, { username: "a b@c", password: "p", password_again: "p" });
    expect(textOf(invalid.body, { id: "username-error" })).toBe(
      "This username contains characters that are not allowed.",
    );
    expect(world.registrar.calls).toEqual([]);
  });

  it("puts the server's refusals into words", async () => {
    const world = webWorld();
    const { invite } = await world.service.createAccountInvite(admin, "admin@example.org/x");
    const fields = { username: "erin", password: "pw-12345", password_again: "pw-12345" };
    const cases = [
      { next: { ok: false, reason: "username-taken" }, status: 409, id: "username-error", text: /already taken/u },
      {
        next: { ok: false, reason: "password-refused", serverText: "Your password is too short" },
        status: 400,
        id: "password-error",
        text: /did not accept this password: Your password is too short/u,
      },
      { next: { ok: false, reason: "invite-invalid" }, status: 410, className: "form-error", text: /used up/u },
      { next: { ok: false, reason: "unavailable" }, status: 503, className: "form-error", text: /at the moment/u },
    ] as const;
    for (const { next, status, text, ...where } of cases) {
      world.registrar.next = next;
      const reply = await submit(world, invite.token, fields);
      expect(reply.statusCode).toBe(status);
      expect(textOf(reply.body, where)).toMatch(text);
      expect(reply.body).toContain('value="erin"');
    }
  });
});

describe("forged posts", () => {
  it("are refused from another origin or site, and create nothing", async () => {
    const world = webWorld();
    const { invite } = await world.service.createAccountInvite(admin, "admin@example.org/x");
    const fields = { username: "zed", password: "pw-12345", password_again: "pw-12345" };
    for (const headers of [
      { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
      { origin: "https://evil.example" },
      { "sec-fetch-site": "same-site" },
    ]) {
      const reply = await submit(world, invite.token, fields, headers as typeof SAME_ORIGIN);
      expect(reply.statusCode).toBe(403);
    }
    expect(world.registrar.calls).toEqual([]);
  });

  it("are refused without the form's token or its cookie, with the form to fill in again", async () => {
    const world = webWorld();
    const { invite } = await world.service.createAccountInvite(admin, "admin@example.org/x");
    const other = await world.service.createAccountInvite(admin, "admin@example.org/x");
    const { csrf, cookie } = await openForm(world, invite.token);
    const otherForm = await openForm(world, other.invite.token);
    const post = (headers: Record<string, string>, fields: Record<string, string>) =>
      world.server.inject({
        method: "POST",
        url: `/invite/${invite.token}/register`,
        headers: { ...SAME_ORIGIN, "content-type": "application/x-www-form-urlencoded", ...headers },
        payload: formBody({ username: "zed", password: "pw-12345", password_again: "pw-12345", ...fields }),
      });
    const attempts = [
      post({ cookie }, {}),
      post({}, { csrf }),
      post({ cookie: otherForm.cookie }, { csrf }),
      post({ cookie }, { csrf: otherForm.csrf }),
    ];
    for (const reply of await Promise.all(attempts)) {
      expect(reply.statusCode).toBe(403);
      expect(textOf(reply.body, { className: "form-error" })).toBe("This form has expired. Please fill it in again.");
      expect(reply.body).toContain('value="zed"');
    }
    expect(world.registrar.calls).toEqual([]);
    expect((await post({ cookie }, { csrf })).statusCode).toBe(200);
  });
});

describe("rate limits", () => {
  it("answer 429 with Retry-After and a page saying when", async () => {
    const world = webWorld({ limits: { viewsPerAddress: { limit: 2, windowMs: 120_000 } } });
    const url = "/invite/AAAAAAAAAAAAAAAAAAAAAAAA";
    await world.server.inject({ method: "GET", url });
    await world.server.inject({ method: "GET", url });
    const refused = await world.server.inject({ method: "GET", url });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers["retry-after"]).toBe("120");
    expect(refused.body).toContain("Please wait 2 minutes, then try again.");
    const elsewhere = await world.server.inject({ method: "GET", url, remoteAddress: "192.0.2.9" });
    expect(elsewhere.statusCode).toBe(404);
  });

  it("count registration attempts per invite, from any address", async () => {
    const world = webWorld({ limits: { postsPerInvite: { limit: 1, windowMs: 60_000 } } });
    const { invite } = await world.service.createAccountInvite(admin, "admin@example.org/x");
    world.registrar.next = { ok: false, reason: "username-taken" };
    const fields = { username: "x1", password: "pw-12345", password_again: "pw-12345" };
    expect((await submit(world, invite.token, fields)).statusCode).toBe(409);
    expect((await submit(world, invite.token, fields)).statusCode).toBe(429);
    expect(world.registrar.calls).toHaveLength(1);
  });

  it("hold an address to its limits before asking the store, and count per invite only invites that exist", async () => {
    const counted: string[] = [];
    const hits: HitCounter = {
      hit: async (key) => {
        counted.push(key);
        return { count: 1, resetInMs: 3_600_000 };
      },
    };
    let lookups = 0;
    const store = new (class extends MemoryInviteStore {
      override async findByToken(token: string) {
        lookups += 1;
        return super.findByToken(token);
      }
    })();
    const world = webWorld({ store, hits, limits: { postsPerAddress: { limit: 5, windowMs: 600_000 } } });
    const post = (token: string, remoteAddress = "192.0.2.1") =>
      world.server.inject({
        method: "POST",
        url: `/invite/${token}/register`,
        remoteAddress,
        headers: { ...SAME_ORIGIN, "content-type": "application/x-www-form-urlencoded" },
        payload: "username=x",
      });
    const statuses: number[] = [];
    for (let i = 0; i < 20; i += 1) statuses.push((await post(`${"A".repeat(20)}${String(1000 + i)}`)).statusCode);
    expect(statuses).toEqual([...Array(5).fill(404), ...Array(15).fill(429)]);
    expect(lookups).toBe(5);
    expect(counted).toEqual([]);
    const { invite } = await world.service.createAccountInvite(admin, "admin@example.org/x");
    // Counted before the form token is looked at: this one is refused for the lack of it.
    expect((await post(invite.token, "192.0.2.2")).statusCode).toBe(403);
    expect(counted).toEqual([`invite:${tokenHash(invite.token)}`]);
  });
});

describe("hostile requests", () => {
  it("escape HTML in every field and in the invite's own data", async () => {
    const store = new MemoryInviteStore();
    const world = webWorld({ store, web: { siteName: '<img src=x onerror="alert(1)">' } });
    const { invite } = await world.service.createAccountInvite(admin, "admin@example.org/x");
    const reply = await submit(world, invite.token, {
      username: '"><script>alert(1)</script>',
      password: "p",
      password_again: "q",
      app: '"><b>x</b>',
    });
    expect(reply.statusCode).toBe(400);
    expect(reply.body).not.toMatch(/<script>|<img src=x|<b>x<\/b>/u);
    expect(reply.body).toContain("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("answer wrong methods, unknown paths, other body types and huge bodies with a 4xx page", async () => {
    const world = webWorld();
    const { invite } = await world.service.createAccountInvite(admin, "admin@example.org/x");
    const cases = [
      { request: { method: "DELETE", url: `/invite/${invite.token}` }, status: 405 },
      { request: { method: "PUT", url: `/invite/${invite.token}/register` }, status: 405 },
      { request: { method: "GET", url: "/wp-admin.php" }, status: 404 },
      {
        request: {
          method: "POST",
          url: `/invite/${invite.token}/register`,
          headers: { ...SAME_ORIGIN, "content-type": "application/json" },
          payload: '{"username":"x"}',
        },
        status: 415,
      },
      {
        request: {
          method: "POST",
          url: `/invite/${invite.token}/register`,
          headers: { ...SAME_ORIGIN, "content-type": "application/x-www-form-urlencoded" },
          payload: `username=${"a".repeat(20_000)}`,
        },
        status: 413,
      },
      {
        request: {
          method: "POST",
          url: `/invite/${invite.token}/register`,
          headers: { ...SAME_ORIGIN, "content-type": "application/x-www-form-urlencoded" },
          payload: "username=%E0%A4%A&password=%",
        },
        status: 403,
      },
    ] as const;
    for (const { request, status } of cases) {
      const reply = await world.server.inject(request as never);
      expect(reply.statusCode, `${request.method} ${request.url.slice(0, 40)}`).toBe(status);
      expect(reply.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(reply.body).toContain("<!doctype html>");
      expect(reply.body).not.toMatch(/at .+\.ts:\d+|Error:|FST_/u);
    }
    expect(world.registrar.calls).toEqual([]);
  });

  it("refuse repeated and over-long fields and odd Unicode without asking the server", async () => {
    const world = webWorld();
    const { invite } = await world.service.createAccountInvite(admin, "admin@example.org/x");
    const long = await submit(world, invite.token, { username: "é".repeat(600), password: "p", password_again: "p" });
    expect(textOf(long.body, { id: "username-error" })).toBe(
      "This username is too long: at most 83 bytes (fewer letters with accents or in other scripts).",
    );
    const control = await submit(world, invite.token, { username: "a\u0000b", password: "p", password_again: "p" });
    expect(textOf(control.body, { id: "username-error" })).toBe(
      "This username contains characters that are not allowed.",
    );
    const { csrf, cookie } = await openForm(world, invite.token);
    const repeated = await world.server.inject({
      method: "POST",
      url: `/invite/${invite.token}/register`,
      headers: { ...SAME_ORIGIN, cookie, "content-type": "application/x-www-form-urlencoded" },
      payload: `csrf=${csrf}&username=a&username=b&password=p&password_again=p`,
    });
    expect(textOf(repeated.body, { id: "username-error" })).toBe("Please choose a username.");
    expect(world.registrar.calls).toEqual([]);
  });
});
