/**
 * Registration with an invite when Prosody requires encryption, as it does unless told otherwise
 * (`c2s_require_encryption = true`), on 0.12 and 13 alike: mod_invites_register offers `urn:xmpp:ibr-token:0` and
 * in-band registration only on a stream that went through STARTTLS, so the admin must give Prosody a TLS
 * certificate (docs/prosody.md). A client that stays in plain text has its preauth answered and its registration
 * refused; the bot's own registrar, which its web pages use, starts TLS and registers. The other test servers run
 * without encryption on loopback (test/helpers/prosody-config.ts); tls.test.ts has the bot's refusal of a
 * certificate it cannot verify.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import { InBandRegistrar } from "../../src/registration/in-band.js";
import { errorOf } from "../helpers/adhoc-client.js";
import { selfSignedCertificate } from "../helpers/certificates.js";
import { defaultInviteeRoles, effectiveRoles, ROLE_SHELL_MODULES } from "../helpers/effective-role.js";
import { NS_IBR_TOKEN, NS_REGISTER, openIbrSession } from "../helpers/ibr-client.js";
import { registerTrusting } from "../helpers/in-band-registrar-process.js";
import { uniqueName } from "../helpers/names.js";
import { recordWith, storedRecord, writeRawRecord } from "../helpers/raw-records.js";
import { type RawRedis, rawRedisClient } from "../helpers/scenario.js";
import { startServers, type TestServers } from "../helpers/servers.js";
import { TEST_SIGNING_KEY } from "../helpers/signing.js";
import { featuresAroundStartTls, NS_TLS } from "../helpers/starttls-features.js";

const DOMAIN = "localhost";
const ENCRYPTION_REQUIRED = { condition: "policy-violation", text: "Encryption is required" };

interface Server {
  servers: TestServers;
  redis: RawRedis;
}

let dir: string;
let cert: string;
let withCertificate: Server;
let withoutCertificate: Server;

/** Prosody with our module, requiring encryption (a later line of the config wins over the tests' `false`). */
async function requiringEncryption(tls: string): Promise<Server> {
  const servers = await startServers(
    {},
    {
      inviteModule: true,
      moreModules: ["tls", ...ROLE_SHELL_MODULES],
      moduleConfig: ["c2s_require_encryption = true", tls].join("\n"),
    },
  );
  const redis = rawRedisClient(servers.redis.url);
  redis.on("error", () => {});
  await redis.connect();
  return { servers, redis };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "invite-bot-encryption-"));
  cert = join(dir, "localhost.crt");
  const key = join(dir, "localhost.key");
  await selfSignedCertificate(cert, key);
  withCertificate = await requiringEncryption(
    `ssl = { certificate = ${JSON.stringify(cert)}; key = ${JSON.stringify(key)} }`,
  );
  withoutCertificate = await requiringEncryption("");
});

afterAll(async () => {
  for (const server of [withCertificate, withoutCertificate]) {
    if (server?.redis.isOpen) server.redis.destroy();
    await server?.servers.stop();
  }
  await rm(dir, { recursive: true, force: true });
});

/** What a registration form offers: the invite token (XEP-0445) and XEP-0077 in-band registration. */
function registrationOffers(features: { getChild(name: string, xmlns?: string): unknown }) {
  return {
    token: features.getChild("register", NS_IBR_TOKEN) !== undefined,
    inBand: features.getChild("register", "http://jabber.org/features/iq-register") !== undefined,
  };
}

describe("with c2s_require_encryption and a TLS certificate", () => {
  it("offers registration with an invite only on the stream after STARTTLS", async () => {
    const { plain, secure } = await featuresAroundStartTls({
      port: withCertificate.servers.prosody.port,
      domain: DOMAIN,
      ca: await readFile(cert, "utf8"),
    });
    expect(plain.getChild("starttls", NS_TLS)?.getChild("required")).toBeDefined();
    expect(registrationOffers(plain)).toEqual({ token: false, inBand: false });
    expect(registrationOffers(secure)).toEqual({ token: true, inBand: true });
  });

  it("a client that stays in plain text: its preauth is answered, its registration refused, the invite unused", async () => {
    const token = await writeRawRecord(withCertificate.redis, recordWith());
    const session = await openIbrSession({ port: withCertificate.servers.prosody.port, domain: DOMAIN });
    try {
      expect((await session.preauth(token)).attrs.type).toBe("result");
      expect(errorOf(await session.register(uniqueName("plain"), "plain-pw"))).toMatchObject(ENCRYPTION_REQUIRED);
      const form = await session.registrationForm();
      expect(form.getChild("query", NS_REGISTER)).toBeUndefined();
    } finally {
      await session.close();
    }
    expect(await storedRecord(withCertificate.redis, token)).toBeDefined();
  });

  it("the bot's registrar (its web pages) starts TLS and registers with the invite", async () => {
    const token = await writeRawRecord(withCertificate.redis, recordWith());
    const username = uniqueName("webtls");
    const { result, logs } = await registerTrusting(
      cert,
      { service: withCertificate.servers.service, domain: DOMAIN },
      { token, username, password: "web-tls-secret" },
    );
    expect(result, logs).toEqual({ ok: true });
    expect(logs).not.toContain("web-tls-secret");
    // The account exists (with the role any invitee gets) and the invite is used up.
    expect(await effectiveRoles(withCertificate.servers.prosody, `${username}@${DOMAIN}`)).toEqual(
      defaultInviteeRoles(),
    );
    expect(await storedRecord(withCertificate.redis, token)).toBeUndefined();
  });
});

describe("with c2s_require_encryption and no certificate (the admin has yet to add one)", () => {
  it("nobody can register: STARTTLS is offered but fails, and plain text is refused", async () => {
    const { prosody } = withoutCertificate.servers;
    const token = await writeRawRecord(withoutCertificate.redis, recordWith());
    // Prosody offers STARTTLS all the same, then has nothing to negotiate with ("no shared cipher").
    await expect(
      featuresAroundStartTls({ port: prosody.port, domain: DOMAIN, ca: await readFile(cert, "utf8") }),
    ).rejects.toThrow();
    expect(prosody.logTail(100_000)).toContain("No certificate present in SSL/TLS configuration for localhost");
    const session = await openIbrSession({ port: prosody.port, domain: DOMAIN });
    try {
      expect(registrationOffers(session.features)).toEqual({ token: false, inBand: false });
      expect((await session.preauth(token)).attrs.type).toBe("result");
      expect(errorOf(await session.register(uniqueName("plain"), "plain-pw"))).toMatchObject(ENCRYPTION_REQUIRED);
    } finally {
      await session.close();
    }
    const lines: string[] = [];
    const registrar = new InBandRegistrar({
      service: withoutCertificate.servers.service,
      domain: DOMAIN,
      timeoutMs: 5_000,
      signingKey: TEST_SIGNING_KEY,
      log: createLogger("debug", { write: (line: string) => lines.push(line) }),
    });
    const username = uniqueName("nocert");
    // The bot's registrar takes the STARTTLS offered, and gives up when the handshake fails.
    expect(await registrar.register({ token, username, password: "no-cert-secret" })).toEqual({
      ok: false,
      reason: "unavailable",
    });
    expect(lines.join("")).toMatch(/Web registration failed .*step="?opening the stream/u);
    expect(await effectiveRoles(prosody, `${username}@${DOMAIN}`)).toBeUndefined();
    expect(await storedRecord(withoutCertificate.redis, token)).toBeDefined();
  });
});
