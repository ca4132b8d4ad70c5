/**
 * The raw in-band-registration client (test/helpers/ibr-client.ts) against a real Prosody (0.12 or 13)
 * running its own invite modules (mod_invites + mod_invites_register, invite-only), with account invites
 * made on the command line while the server runs (commandLineInviteArgs: `prosodyctl mod_invites generate`
 * on 0.12, `prosodyctl shell invite create_account` on 13). The server runs without encryption on loopback
 * (c2s_require_encryption = false), so registration is offered on the plain stream; with Prosody's default,
 * encryption required, it is offered only after STARTTLS: registration-encryption.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorOf } from "../helpers/adhoc-client.js";
import {
  type IbrStreamError,
  inviteFromProsodyctl,
  NS_IBR_TOKEN,
  NS_REGISTER,
  openIbrSession,
  registerWithToken,
} from "../helpers/ibr-client.js";
import { commandLineInviteArgs, prosodyMajorVersion } from "../helpers/prosody-server.js";
import { startServers, type TestServers } from "../helpers/servers.js";
import { canLogIn, connectUser } from "../helpers/xmpp-user.js";

const DOMAIN = "localhost";
const INVALID_TOKEN_TEXT = "The invite token is invalid or expired";
const INVITE_ONLY_TEXT = "Registration on this server is through invitation only";

let servers: TestServers;

beforeAll(async () => {
  servers = await startServers({
    // Prosody 13 makes command-line invites through the admin shell (commandLineInviteArgs).
    extraModules: ["register", "invites", "invites_register", ...(prosodyMajorVersion() >= 13 ? ["admin_shell"] : [])],
    allowRegistration: true,
  });
});

afterAll(async () => {
  await servers?.stop();
});

/** A fresh account invite for localhost, made by Prosody's own CLI while Prosody runs. */
async function generateInvite(): Promise<{ uri: string; token: string }> {
  return inviteFromProsodyctl(await servers.prosody.prosodyctl(...commandLineInviteArgs(DOMAIN)));
}

function open() {
  return openIbrSession({ port: servers.prosody.port, domain: DOMAIN, timeoutMs: 15_000 });
}

describe("the command-line invite (0.12: prosodyctl mod_invites generate; 13: prosodyctl shell invite create_account)", () => {
  it("prints an xmpp: URI with the preauth token", async () => {
    const output = await servers.prosody.prosodyctl(...commandLineInviteArgs(DOMAIN));
    const { uri, token } = inviteFromProsodyctl(output);
    expect(uri).toBe(`xmpp:${DOMAIN}?register;preauth=${token}`);
    expect(token).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(() => inviteFromProsodyctl("startup warn something\n")).toThrow(/no xmpp:.*preauth=TOKEN line/);
  });

  it("reads both versions' output: 0.12's bare URI line and 13's `OK: ` line", () => {
    const uri = `xmpp:${DOMAIN}?register;preauth=abcdefghijklmnop`;
    expect(inviteFromProsodyctl(`warn: something\n${uri}\n`)).toEqual({ uri, token: "abcdefghijklmnop" });
    expect(inviteFromProsodyctl(`OK: ${uri}\n`)).toEqual({ uri, token: "abcdefghijklmnop" });
  });
});

describe("in-band registration with an invite token on Prosody", () => {
  it("offers <register xmlns='urn:xmpp:ibr-token:0'/> to unauthenticated streams", async () => {
    const session = await open();
    try {
      expect(session.offersTokenRegistration).toBe(true);
      expect(session.features.getChild("register", NS_IBR_TOKEN)).toBeDefined();
      expect(session.features.getChild("register", "http://jabber.org/features/iq-register")).toBeDefined();
      expect(session.features.getChild("register", "urn:xmpp:invite")).toBeDefined();
    } finally {
      await session.close();
    }
  });

  it("serves the XEP-0077 form: username and password", async () => {
    const session = await open();
    try {
      const reply = await session.registrationForm();
      expect(reply.attrs.type).toBe("result");
      const query = reply.getChild("query", NS_REGISTER);
      expect(query?.getChild("username")).toBeDefined();
      expect(query?.getChild("password")).toBeDefined();
      const fields = query?.getChild("x", "jabber:x:data")?.getChildren("field") ?? [];
      expect(fields.map((field) => field.attrs.var)).toEqual(["FORM_TYPE", "username", "password"]);
    } finally {
      await session.close();
    }
  });

  it("accepts a valid token, registers the account, and the new user can log in", async () => {
    const { token } = await generateInvite();
    const session = await open();
    try {
      const preauth = await session.preauth(token);
      expect(preauth.attrs.type, preauth.toString()).toBe("result");
      const register = await session.register("newbie", "s3cret-pass");
      expect(register.attrs.type, register.toString()).toBe("result");
    } finally {
      await session.close();
    }
    const user = await connectUser({
      service: servers.service,
      domain: DOMAIN,
      username: "newbie",
      password: "s3cret-pass",
      timeoutMs: 15_000,
    });
    try {
      expect(user.bareJid).toBe(`newbie@${DOMAIN}`);
      expect(user.jid.startsWith(`newbie@${DOMAIN}/`)).toBe(true);
    } finally {
      await user.stop();
    }
  });

  it("refuses a token that was already used (forbidden)", async () => {
    const { token } = await generateInvite();
    const first = await registerWithToken({
      port: servers.prosody.port,
      domain: DOMAIN,
      token,
      username: "first-user",
      password: "pw-first",
    });
    expect(first.preauth.attrs.type, first.preauth.toString()).toBe("result");
    expect(first.register.attrs.type, first.register.toString()).toBe("result");

    const again = await registerWithToken({
      port: servers.prosody.port,
      domain: DOMAIN,
      token,
      username: "second-user",
      password: "pw-second",
    });
    expect(again.preauth.attrs.type).toBe("error");
    expect(errorOf(again.preauth)).toEqual({ type: "cancel", condition: "forbidden", text: INVALID_TOKEN_TEXT });
    expect(errorOf(again.register)).toEqual({ type: "modify", condition: "not-acceptable", text: INVITE_ONLY_TEXT });
    expect(await canLogIn(servers.service, `second-user@${DOMAIN}`, "pw-second", 15_000)).toBe(false);
  });

  it("refuses a made-up token (forbidden)", async () => {
    const session = await open();
    try {
      const preauth = await session.preauth("made-up-token-123456");
      expect(preauth.attrs.type).toBe("error");
      expect(errorOf(preauth)).toEqual({ type: "cancel", condition: "forbidden", text: INVALID_TOKEN_TEXT });
      const empty = await session.preauth("");
      expect(errorOf(empty).condition).toBe("forbidden");
    } finally {
      await session.close();
    }
  });

  it("refuses registration without a preauth (invite-only)", async () => {
    const session = await open();
    try {
      const register = await session.register("gatecrasher", "pw-gate");
      expect(register.attrs.type).toBe("error");
      expect(errorOf(register)).toEqual({ type: "modify", condition: "not-acceptable", text: INVITE_ONLY_TEXT });
    } finally {
      await session.close();
    }
    expect(await canLogIn(servers.service, `gatecrasher@${DOMAIN}`, "pw-gate", 15_000)).toBe(false);
  });

  it("Prosody quirk (0.12.3 and 13.0.1 alike): one preauth lets the same stream register several accounts", async () => {
    // mod_invites_register keeps session.validated_invite after invite:use(), so the token is
    // spent for new streams but still valid on the stream that presented it.
    const { token } = await generateInvite();
    const session = await open();
    try {
      expect((await session.preauth(token)).attrs.type).toBe("result");
      expect((await session.register("quirk-one", "pw-one")).attrs.type).toBe("result");
      const second = await session.register("quirk-two", "pw-two");
      expect(second.attrs.type, `Prosody fixed the quirk? ${second.toString()}`).toBe("result");
    } finally {
      await session.close();
    }
    const reuse = await open();
    try {
      expect(errorOf(await reuse.preauth(token)).condition).toBe("forbidden");
    } finally {
      await reuse.close();
    }
  });

  it("rejects with the stream error condition for a host Prosody does not serve", async () => {
    const failed = openIbrSession({ port: servers.prosody.port, domain: "unknown.example", timeoutMs: 15_000 });
    await expect(failed).rejects.toThrow(/stream error <host-unknown\/> .*cannot wait for <stream:features\/>/s);
    await expect(failed).rejects.toSatisfy(
      (error: unknown) => error instanceof Error && (error.cause as IbrStreamError).condition === "host-unknown",
    );
  });

  it("keeps IQ ids unique and matches replies by id", async () => {
    const session = await open();
    try {
      const [a, b, c] = await Promise.all([
        session.registrationForm(),
        session.preauth("nope"),
        session.register("", ""),
      ]);
      expect(new Set([a.attrs.id, b.attrs.id, c.attrs.id]).size).toBe(3);
      expect(a.attrs.type).toBe("result");
      expect(errorOf(b).condition).toBe("forbidden");
      expect(errorOf(c).condition).toBe("not-acceptable");
      await session.close();
      await session.close();
      await expect(session.registrationForm(1000)).rejects.toThrow(
        /the session was closed by close\(\) \(the stream is over\), so cannot wait for the reply to the registration form request/,
      );
    } finally {
      await session.close();
    }
  });
});
