/** The registration form and the username rule (src/invites/username.ts), through inject() and a fake registrar. */
import { describe, expect, it } from "vitest";
import { actorFor } from "../../../src/invites/permissions.js";
import { usernameRuleFor } from "../../../src/invites/username.js";
import { POLICY, WEB_URL, type WebWorld, webWorld } from "../../helpers/web-fakes.js";
import { cookieOf, csrfFieldOf, formBody, textOf } from "../../helpers/web-form.js";

const admin = actorFor("admin@example.org", POLICY);
const SAME_ORIGIN = { origin: WEB_URL, "sec-fetch-site": "same-origin" };

async function submit(world: WebWorld, token: string, username: string) {
  const form = await world.server.inject({ method: "GET", url: `/invite/${token}/register` });
  return world.server.inject({
    method: "POST",
    url: `/invite/${token}/register`,
    headers: {
      ...SAME_ORIGIN,
      cookie: cookieOf(form.headers["set-cookie"]),
      "content-type": "application/x-www-form-urlencoded",
    },
    payload: formBody({ csrf: csrfFieldOf(form.body), username, password: "pw-123456", password_again: "pw-123456" }),
  });
}

describe("the username rule on the registration form", () => {
  it.each(["victim＠other.example", "victim﹫other.example", "other.example／", "bo\u00adb2", "snow☃"])(
    "refuses %j as an invalid name without asking the registrar",
    async (username) => {
      const world = webWorld();
      const { invite } = await world.service.createAccountInvite(admin, "admin@example.org/x");
      const page = await submit(world, invite.token, username);
      expect(page.statusCode).toBe(400);
      expect(textOf(page.body, { id: "username-error" })).toBe(
        "This username contains characters that are not allowed.",
      );
      expect(world.registrar.calls).toEqual([]);
    },
  );

  it("refuses a name longer than every server stores, without asking the registrar", async () => {
    const world = webWorld();
    const { invite } = await world.service.createAccountInvite(admin, "admin@example.org/x");
    const page = await submit(world, invite.token, "é".repeat(100));
    expect(page.statusCode).toBe(400);
    expect(textOf(page.body, { id: "username-error" })).toBe(
      "This username is too long: at most 83 bytes (fewer letters with accents or in other scripts).",
    );
    expect(world.registrar.calls).toEqual([]);
  });

  it("refuses a lookalike of an admin's name when the check is on, and passes it on when it is off", async () => {
    const on = webWorld({ usernameRule: usernameRuleFor(POLICY, true) });
    const first = await on.service.createAccountInvite(admin, "admin@example.org/x");
    const refused = await submit(on, first.invite.token, "аdmin");
    expect(refused.statusCode).toBe(400);
    expect(textOf(refused.body, { id: "username-error" })).toBe(
      "This username looks too much like the name of an administrator or of this service. Please choose another one.",
    );
    expect(on.registrar.calls).toEqual([]);
    const off = webWorld({ usernameRule: usernameRuleFor(POLICY, false) });
    const second = await off.service.createAccountInvite(admin, "admin@example.org/x");
    expect((await submit(off, second.invite.token, "аdmin")).statusCode).toBe(200);
    expect(off.registrar.calls.map((call) => call.username)).toEqual(["аdmin"]);
  });

  it("registers and shows the name as the server stores it", async () => {
    const world = webWorld();
    const { invite } = await world.service.createAccountInvite(admin, "admin@example.org/x");
    const done = await submit(world, invite.token, "Straße");
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain("Welcome, strasse@example.org!");
    expect(world.registrar.calls.map((call) => call.username)).toEqual(["strasse"]);
  });
});
