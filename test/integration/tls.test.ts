/**
 * TLS (issue #5, secrets): against a Prosody that requires encryption with a
 * self-signed certificate, the bot refuses the unverifiable certificate, and
 * connects once it is given the private CA (NODE_EXTRA_CA_CERTS).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import { InBandRegistrar } from "../../src/registration/in-band.js";
import { eventually } from "../helpers/bot.js";
import { selfSignedCertificate } from "../helpers/certificates.js";
import { type MainRun, runMain } from "../helpers/main-process.js";
import { type ProsodyServer, startProsody } from "../helpers/prosody-server.js";
import { type RedisServer, startRedis } from "../helpers/redis-server.js";
import { requireBinaries } from "../helpers/require-binary.js";
import { BOT_SIGNING_ENV, TEST_SIGNING_KEY } from "../helpers/signing.js";

let dir: string;
let prosody: ProsodyServer;
let redis: RedisServer;
let cert: string;

beforeAll(async () => {
  requireBinaries();
  dir = await mkdtemp(join(tmpdir(), "invite-bot-tls-"));
  cert = join(dir, "localhost.crt");
  const key = join(dir, "localhost.key");
  await selfSignedCertificate(cert, key);
  redis = await startRedis();
  prosody = await startProsody({
    hosts: ["localhost"],
    extraModules: ["tls"],
    extraConfig: [
      "c2s_require_encryption = true",
      "allow_unencrypted_plain_auth = false",
      `ssl = { certificate = ${JSON.stringify(cert)}; key = ${JSON.stringify(key)} }`,
    ].join("\n"),
  });
  await prosody.register("bot", "localhost", "bot-password");
});

afterAll(async () => {
  await prosody?.stop();
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

function runBot(extraEnv: Record<string, string>): MainRun {
  return runMain(dir, {
    XMPP_SERVICE: prosody.service,
    // This server has no registration hook of ours; the bot need not find out (docs/servers.md).
    REGISTRATION: "server",
    XMPP_DOMAIN: "localhost",
    XMPP_USERNAME: "bot",
    XMPP_PASSWORD: "bot-password",
    REDIS_URL: redis.botUrl,
    ...BOT_SIGNING_ENV,
    LOG_LEVEL: "debug",
    ...extraEnv,
  });
}

describe("TLS", () => {
  it("refuses a certificate it cannot verify, and never sends the password", async () => {
    const run = runBot({});
    try {
      await eventually(
        async () =>
          expect(run.output()).toMatch(
            /ERROR The server's TLS certificate could not be verified; not logging in .*self[- ]signed certificate/u,
          ),
        15_000,
      );
      expect(run.output()).toContain("NODE_EXTRA_CA_CERTS");
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(run.output()).not.toContain(" Online ");
      expect(run.output()).not.toContain("bot-password");
      expect(prosody.logTail(400)).not.toMatch(/Authenticated as bot@localhost/u);
    } finally {
      run.child.kill("SIGTERM");
      await run.exited;
    }
  });

  it("connects over STARTTLS when given the private CA", async () => {
    const run = runBot({ NODE_EXTRA_CA_CERTS: cert });
    try {
      await run.online().catch((error) => {
        throw new Error(`${error}\n${prosody.logTail(40)}`);
      });
      expect(run.output()).not.toContain("bot-password");
      run.child.kill("SIGTERM");
      expect(await run.exited).toBe(0);
    } finally {
      await run.kill();
    }
  });
});

describe("TLS for the web pages' registrations", () => {
  it("refuses a certificate it cannot verify before sending the invite or the password", async () => {
    const lines: string[] = [];
    const registrar = new InBandRegistrar({
      service: prosody.service,
      domain: "localhost",
      timeoutMs: 5_000,
      signingKey: TEST_SIGNING_KEY,
      log: createLogger("debug", { write: (line: string) => lines.push(line) }),
    });
    const result = await registrar.register({ token: "A".repeat(24), username: "nobody", password: "web-secret" });
    expect(result).toEqual({ ok: false, reason: "unavailable" });
    const log = lines.join("");
    expect(log).toMatch(/Web registration failed .*step="?opening the stream/u);
    expect(log).toMatch(/self[- ]signed certificate/iu);
    expect(log).not.toContain("web-secret");
  });
});
