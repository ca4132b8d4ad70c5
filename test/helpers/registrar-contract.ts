/**
 * The Registrar contract (src/registration/registrar.ts: how the web pages make an account from an invite), run
 * against every implementation on a real server — in-band on Prosody with our module, XEP-0133 as an admin on
 * ejabberd and on Prosody without it — with a "backend away" group (the XMPP server not answering). The sign-up
 * flow each server's tests used to repeat, once.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Invite } from "../../src/invites/invite.js";
import type { Registrar } from "../../src/registration/registrar.js";
import { type BackendAway, timed } from "./backend-away.js";
import { accountInvite, contactInvite, resetInvite } from "./contract-invites.js";

export interface RegistrarSubject {
  registrar: Registrar;
  /** XMPP_DOMAIN. */
  domain: string;
  /** Stores an invite where the registrar's server finds it. */
  save(invite: Invite): Promise<void>;
  /** Makes an account on the server directly. */
  addAccount(name: string, password: string): Promise<void>;
  canLogIn(name: string, password: string): Promise<boolean>;
}

let names = 0;
/** A name no account has yet (on this server, in this run). */
const newName = (what: string) => `${what}${String(++names).padStart(2, "0")}${process.pid % 1000}`;

export function registrarContract(
  name: string,
  subject: () => RegistrarSubject,
  { away = [] }: { readonly away?: readonly BackendAway[] } = {},
): void {
  describe(`${name} follows the Registrar contract`, () => {
    const saved = async (invite: Invite) => {
      await subject().save(invite);
      return invite.token;
    };
    const register = (token: string, username: string, password = `${username}-password`) =>
      subject().registrar.register({ token, username, password });

    it("makes one account with an account invite, which logs in; the invite is then used", async () => {
      const { domain, canLogIn } = subject();
      const token = await saved(accountInvite(domain));
      const [made, again] = [newName("made"), newName("again")];
      expect(await register(token, made)).toEqual({ ok: true });
      expect(await canLogIn(made, `${made}-password`)).toBe(true);
      expect(await register(token, again)).toMatchObject({ ok: false, reason: "invite-invalid" });
      expect(await canLogIn(again, `${again}-password`)).toBe(false);
    });

    it("says a taken name is taken, leaves that account alone, and the invite usable", async () => {
      const { domain, addAccount, canLogIn } = subject();
      const taken = newName("taken");
      await addAccount(taken, "first-password");
      const token = await saved(accountInvite(domain));
      expect(await register(token, taken, "second-password")).toMatchObject({ ok: false, reason: "username-taken" });
      expect(await canLogIn(taken, "first-password")).toBe(true);
      expect(await register(token, newName("instead"))).toEqual({ ok: true });
    });

    it("refuses a name the username rule does not allow, and the invite stays usable", async () => {
      const token = await saved(accountInvite(subject().domain));
      for (const bad of ["has space", "at@sign", ""]) {
        expect(await register(token, bad)).toMatchObject({ ok: false, reason: "username-invalid" });
      }
      expect(await register(token, newName("valid"))).toEqual({ ok: true });
    });

    it("registers only its name with an invite bound to a username", async () => {
      const { domain, canLogIn } = subject();
      const bound = newName("bound");
      const token = await saved(accountInvite(domain, { username: bound }));
      expect(await register(token, newName("other"))).toMatchObject({ ok: false, reason: "wrong-username" });
      expect(await register(token, bound)).toEqual({ ok: true });
      expect(await canLogIn(bound, `${bound}-password`)).toBe(true);
    });

    it("refuses made-up, expired and contact-only tokens", async () => {
      const { domain } = subject();
      const expired = await saved(accountInvite(domain, { ttlSeconds: 1 }));
      const contactOnly = await saved(contactInvite(`inviter@${domain}`, false));
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      for (const token of ["madeUpTokenAAAAAAAAAAAAA", expired, contactOnly]) {
        expect(await register(token, newName("refused"))).toMatchObject({ ok: false, reason: "invite-invalid" });
      }
    });

    it("makes an account with a contact invite that allows registration, once", async () => {
      const { domain, addAccount, canLogIn } = subject();
      const inviter = newName("inviter");
      await addAccount(inviter, "inviter-password");
      const token = await saved(contactInvite(`${inviter}@${domain}`));
      const friend = newName("friend");
      expect(await register(token, friend)).toEqual({ ok: true });
      expect(await canLogIn(friend, `${friend}-password`)).toBe(true);
      expect(await register(token, newName("second"))).toMatchObject({ ok: false, reason: "invite-invalid" });
    });

    it("stops a counted invite at its cap", async () => {
      const { domain } = subject();
      const token = await saved(accountInvite(domain, { maxUses: 2 }));
      expect(await register(token, newName("capped"))).toEqual({ ok: true });
      expect(await register(token, newName("capped"))).toEqual({ ok: true });
      expect(await register(token, newName("capped"))).toMatchObject({ ok: false, reason: "invite-invalid" });
    });

    it("sets a new password with a reset link, once; the old password stops working", async () => {
      const { domain, addAccount, canLogIn, registrar } = subject();
      const forgets = newName("forgets");
      await addAccount(forgets, "old-password");
      const token = await saved(resetInvite(domain, forgets));
      expect(await registrar.resetPassword({ token, username: forgets, password: "new-password" })).toEqual({
        ok: true,
      });
      expect(await canLogIn(forgets, "new-password")).toBe(true);
      expect(await canLogIn(forgets, "old-password")).toBe(false);
      const again = await registrar.resetPassword({ token, username: forgets, password: "third-password" });
      expect(again).toMatchObject({ ok: false, reason: "invite-invalid" });
    });

    it("sets no other account's password with a reset link, and makes no account with it", async () => {
      const { domain, addAccount, canLogIn, registrar } = subject();
      const [owner, other] = [newName("owner"), newName("victim")];
      await addAccount(owner, "owner-password");
      await addAccount(other, "victim-password");
      const token = await saved(resetInvite(domain, owner));
      const stolen = await registrar.resetPassword({ token, username: other, password: "stolen-password" });
      expect(stolen.ok).toBe(false);
      expect(await canLogIn(other, "victim-password")).toBe(true);
      const made = newName("madewithreset");
      expect((await register(token, made)).ok).toBe(false);
      expect(await canLogIn(made, `${made}-password`)).toBe(false);
    });

    for (const backend of away) {
      describe(`backend away: ${backend.name}`, () => {
        afterEach(async () => {
          await backend.leave();
        });

        it("answers unavailable within its deadline; the invite works once the server answers again", async () => {
          const { domain, canLogIn } = subject();
          const token = await saved(accountInvite(domain));
          const lost = newName("lost");
          await backend.enter();
          const { ms, outcome } = await timed(() => register(token, lost));
          expect(outcome).toMatchObject({ status: "fulfilled", value: { ok: false, reason: "unavailable" } });
          expect(ms).toBeLessThanOrEqual(backend.failsWithinMs);
          await backend.leave();
          const found = newName("found");
          expect(await register(token, found)).toEqual({ ok: true });
          expect(await canLogIn(found, `${found}-password`)).toBe(true);
        });

        it("answers unavailable to a password reset within its deadline; the link works once the server answers", async () => {
          const { domain, addAccount, canLogIn, registrar } = subject();
          const forgets = newName("away");
          await addAccount(forgets, "old-password");
          const token = await saved(resetInvite(domain, forgets));
          await backend.enter();
          const request = { token, username: forgets, password: "new-password" };
          const { ms, outcome } = await timed(() => registrar.resetPassword(request));
          expect(outcome).toMatchObject({ status: "fulfilled", value: { ok: false, reason: "unavailable" } });
          expect(ms).toBeLessThanOrEqual(backend.failsWithinMs);
          expect(await canLogIn(forgets, "old-password")).toBe(true);
          await backend.leave();
          expect(await registrar.resetPassword(request)).toEqual({ ok: true });
          expect(await canLogIn(forgets, "new-password")).toBe(true);
        });
      });
    }
  });
}
