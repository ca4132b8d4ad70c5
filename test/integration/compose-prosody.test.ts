/**
 * docker-compose's Prosody without Docker (issue 13): the real docker/prosody/entrypoint.sh and the compose
 * Prosody config (docker/prosody/prosody.cfg.lua, with its container paths and ports substituted by private
 * ones, as compose would mount and publish them) run against Debian's Prosody; then the real bot logs in over
 * STARTTLS with the private CA, as the README's compose steps describe, with a password that a shell would
 * have mangled.
 */
import { execFile, spawn } from "node:child_process";
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../helpers/bot.js";
import { selfSignedCertificate } from "../helpers/certificates.js";
import { healthcheckCommand } from "../helpers/compose-file.js";
import { onProcessExit } from "../helpers/exit-cleanup.js";
import { freePort } from "../helpers/ports.js";
import { type RedisServer, startRedis, TEST_REDIS_PASSWORDS } from "../helpers/redis-server.js";
import { requireBinaries } from "../helpers/require-binary.js";
import { BOT_SIGNING_ENV, TEST_SIGNING_KEY } from "../helpers/signing.js";
import { tcpExchange } from "../helpers/tcp.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const ENTRYPOINT = join(ROOT, "docker", "prosody", "entrypoint.sh");
const REGISTER = join(ROOT, "docker", "prosody", "register-bot-account.sh");
const CONFIG = join(ROOT, "docker", "prosody", "prosody.cfg.lua");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");
const MAIN = join(ROOT, "src", "main.ts");
/** Spaces, $, quotes, a backslash and a # : each means something to a shell, nothing to compose's dotenv. */
const PASSWORD = `pa ss $HOME "q" 'r' \\ #x`;

let dir: string;
let redis: RedisServer;
let c2sPort: number;

function prosodyIds(): { uid: number; gid: number } {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((entry) => entry.startsWith("prosody:"));
  const [, , uid, gid] = line?.split(":") ?? [];
  return { uid: Number(uid), gid: Number(gid) };
}

/** The compose config with the container's paths and ports replaced; each replaced line must be there. */
function substitutedConfig(ports: { c2s: number; s2s: number; redis: number }): string {
  const replacements: Array<[string, string]> = [
    ['pidfile = "/run/prosody/prosody.pid"', `pidfile = ${JSON.stringify(join(dir, "run", "prosody.pid"))}`],
    ['data_path = "/var/lib/prosody"', `data_path = ${JSON.stringify(join(dir, "data"))}`],
    ['interfaces = { "*" }', 'interfaces = { "127.0.0.1" }'],
    ["c2s_ports = { 5222 }", `c2s_ports = { ${ports.c2s} }`],
    ["s2s_ports = { 5269 }", `s2s_ports = { ${ports.s2s} }`],
    [
      'plugin_paths = { "/opt/xmpp-invite-bot/prosody" }',
      `plugin_paths = { ${JSON.stringify(join(ROOT, "prosody"))} }`,
    ],
    ['certificates = "/etc/prosody/certs"', `certificates = ${JSON.stringify(join(dir, "certs"))}`],
    ["@redis:6379/0", `@127.0.0.1:${ports.redis}/0`],
  ];
  let text = readFileSync(CONFIG, "utf8");
  for (const [from, to] of replacements) {
    if (!text.includes(from)) throw new Error(`docker/prosody/prosody.cfg.lua no longer has ${from}: update this test`);
    text = text.replace(from, to);
  }
  return text;
}

function environment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? "",
    XMPP_DOMAIN: "localhost",
    XMPP_USERNAME: "bot",
    XMPP_PASSWORD: PASSWORD,
    REDIS_PROSODY_PASSWORD: TEST_REDIS_PASSWORDS.prosody,
    INVITE_SIGNING_KEY: TEST_SIGNING_KEY,
    CERTS_DIR: join(dir, "certs"),
    PROSODY_CONFIG: join(dir, "prosody.cfg.lua"),
    ...extra,
  };
}

function run(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile("sh", args, { env, cwd: dir }, (error, out, err) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out, err }),
    );
  });
}

/** docker-compose.yml's healthcheck of `service`, run here with the environment its container has. */
function healthcheck(service: string, env: Record<string, string>): Promise<{ code: number; out: string }> {
  const [command = "", ...args] = healthcheckCommand(service);
  return new Promise((resolve) => {
    execFile(command, args, { env: { PATH: process.env.PATH ?? "", ...env }, cwd: dir }, (error, out, err) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out: out + err }),
    );
  });
}

beforeAll(async () => {
  requireBinaries(["prosody", "prosodyctl", "setpriv", "openssl", "bash", "redis-cli"]);
  dir = mkdtempSync(join(tmpdir(), "invite-bot-compose-"));
  onProcessExit(() => rmSync(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o755);
  const { uid, gid } = prosodyIds();
  for (const sub of ["data", "run"]) {
    mkdirSync(join(dir, sub));
    chownSync(join(dir, sub), uid, gid);
  }
  redis = await startRedis();
  c2sPort = await freePort();
  writeFileSync(
    join(dir, "prosody.cfg.lua"),
    substitutedConfig({ c2s: c2sPort, s2s: await freePort(), redis: redis.port }),
  );
  // Let's Encrypt's layout: live/DOMAIN/*.pem are links into ../../archive/DOMAIN/.
  const le = join(dir, "letsencrypt");
  await selfSignedCertificate(
    join(le, "archive", "localhost", "fullchain1.pem"),
    join(le, "archive", "localhost", "privkey1.pem"),
  );
  mkdirSync(join(le, "live", "localhost"), { recursive: true });
  symlinkSync("../../archive/localhost/fullchain1.pem", join(le, "live", "localhost", "fullchain.pem"));
  symlinkSync("../../archive/localhost/privkey1.pem", join(le, "live", "localhost", "privkey.pem"));
  mkdirSync(join(le, "accounts"), { recursive: true });
  writeFileSync(join(le, "accounts", "private_key.json"), "{}");
});

afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the compose Prosody: entrypoint and config", () => {
  it("passes prosodyctl check config, with a whole /etc/letsencrypt mounted (links into archive/ followed)", async () => {
    const result = await run(
      [ENTRYPOINT, "prosodyctl", "--config", join(dir, "prosody.cfg.lua"), "check", "config"],
      environment({ CERTS_SOURCE: join(dir, "letsencrypt") }),
    );
    expect(result.err).not.toContain("warning");
    expect(result.out).toContain("All checks passed");
    expect(result.code).toBe(0);
    expect(readFileSync(join(dir, "certs", "live", "localhost", "fullchain.pem"), "utf8")).toContain(
      "BEGIN CERTIFICATE",
    );
    // Only the certificates: not the ACME account keys.
    expect(() => readFileSync(join(dir, "certs", "accounts", "private_key.json"))).toThrow();
  });

  it("takes a top-level fullchain.pem + privkey.pem, which Prosody finds, without a warning", async () => {
    const top = join(dir, "top");
    await selfSignedCertificate(join(top, "fullchain.pem"), join(top, "privkey.pem"));
    const result = await run(
      [ENTRYPOINT, "true"],
      environment({ CERTS_SOURCE: top, CERTS_DIR: join(dir, "certs-top") }),
    );
    expect(result).toMatchObject({ code: 0, err: "" });
  });

  it("names a link that points outside the mount, copies the rest, and does not fail (no restart loop)", async () => {
    const broken = join(dir, "broken");
    await selfSignedCertificate(join(broken, "localhost.crt"), join(broken, "localhost.key"));
    symlinkSync("/nowhere/archive/chain.pem", join(broken, "chain.pem"));
    const certs = join(dir, "certs-broken");
    const result = await run([ENTRYPOINT, "true"], environment({ CERTS_SOURCE: broken, CERTS_DIR: certs }));
    expect(result.code).toBe(0);
    expect(result.err).toContain(`${broken}/chain.pem is a symlink to /nowhere/archive/chain.pem`);
    expect(result.err).not.toContain("no certificate");
    expect(readFileSync(join(certs, "localhost.crt"), "utf8")).toContain("BEGIN CERTIFICATE");
  });

  it("warns when there is no certificate at all", async () => {
    const empty = join(dir, "empty");
    mkdirSync(empty);
    const result = await run(
      [ENTRYPOINT, "true"],
      environment({ CERTS_SOURCE: empty, CERTS_DIR: join(dir, "c-empty") }),
    );
    expect(result.code).toBe(0);
    expect(result.err).toContain("warning: no certificate for localhost");
  });
});

describe("the compose healthchecks", () => {
  it("Redis: PONG as the bot's user, and Redis's own words when it is not", async () => {
    const env = { REDIS_PORT: String(redis.port), REDIS_BOT_PASSWORD: TEST_REDIS_PASSWORDS.bot };
    expect(await healthcheck("redis", env)).toEqual({ code: 0, out: "PONG\n" });
    const wrong = await healthcheck("redis", { ...env, REDIS_BOT_PASSWORD: "not-the-password" });
    expect(wrong.code).not.toBe(0);
    expect(wrong.out).toContain("WRONGPASS");
  });
});

describe("the compose steps, end to end", () => {
  it("Prosody starts as the prosody user, register-bot-account makes the bot's account, and the bot logs in over STARTTLS", async () => {
    const env = environment({ CERTS_SOURCE: join(dir, "letsencrypt") });
    const prosody = spawn("sh", [ENTRYPOINT, "prosody", "--config", join(dir, "prosody.cfg.lua"), "-F"], {
      env,
      cwd: dir,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let prosodyOut = "";
    prosody.stdout.on("data", (chunk: Buffer) => (prosodyOut += chunk.toString()));
    prosody.stderr.on("data", (chunk: Buffer) => (prosodyOut += chunk.toString()));
    const unkill = onProcessExit(() => prosody.pid !== undefined && process.kill(-prosody.pid, "SIGKILL"));
    const stopProsody = async () => {
      if (prosody.pid !== undefined && prosody.exitCode === null) process.kill(-prosody.pid, "SIGTERM");
      await new Promise((resolve) => (prosody.exitCode === null ? prosody.once("exit", resolve) : resolve(null)));
      unkill();
    };
    let bot: ReturnType<typeof spawn> | undefined;
    const prosodyHealth = { HEALTHCHECK_PORT: String(c2sPort), XMPP_DOMAIN: "localhost" };
    const botHealth = { HEALTH_FILE: join(dir, "bot.health") };
    try {
      // The stream opens and offers STARTTLS: Prosody listens, with the certificate found.
      const features = await eventually(async () => {
        const header =
          "<?xml version='1.0'?><stream:stream to='localhost' xmlns='jabber:client' " +
          "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";
        const answer = await tcpExchange(c2sPort, header, (received) => received.includes("</stream:features>"));
        if (!answer.includes("urn:ietf:params:xml:ns:xmpp-tls")) throw new Error(`no STARTTLS offered: ${answer}`);
        return answer;
      }, 15_000);
      expect(features).toContain("<required/>");
      expect(await healthcheck("prosody", prosodyHealth)).toEqual({
        code: 0,
        out: `Prosody answers for localhost on port ${c2sPort} and offers STARTTLS\n`,
      });
      expect(await healthcheck("bot", botHealth)).toEqual({
        code: 1,
        out: `${botHealth.HEALTH_FILE}: not there (is the bot running?)\n`,
      });
      // sh → setpriv → prosody is one chain of exec: the process we started is Prosody, as the prosody user.
      const status = readFileSync(`/proc/${prosody.pid}/status`, "utf8");
      expect(/^Uid:\s+(\d+)/mu.exec(status)?.[1]).toBe(String(prosodyIds().uid));
      const registered = await run([REGISTER], env);
      expect(registered.code, registered.err + registered.out).toBe(0);

      bot = spawn(TSX, [MAIN], {
        cwd: dir,
        env: {
          PATH: process.env.PATH ?? "",
          XMPP_SERVICE: `xmpp://127.0.0.1:${c2sPort}`,
          XMPP_DOMAIN: "localhost",
          XMPP_USERNAME: "bot",
          XMPP_PASSWORD: PASSWORD,
          // As in docker-compose.yml: XMPP_RESOURCE unset and the container's host name `bot`, so `invites-bot`.
          HOSTNAME: "bot",
          // The healthcheck below reads HEALTH_FILE; the image's /healthz is ops-listener.test.ts's.
          OPS_LISTEN: "off",
          REDIS_URL: redis.botUrl,
          ...BOT_SIGNING_ENV,
          // The compose way of trusting a private CA (here the self-signed certificate itself): README.
          NODE_EXTRA_CA_CERTS: join(dir, "letsencrypt", "archive", "localhost", "fullchain1.pem"),
          LOG_LEVEL: "info",
          ...botHealth,
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let botOut = "";
      bot.stdout?.on("data", (chunk: Buffer) => (botOut += chunk.toString()));
      bot.stderr?.on("data", (chunk: Buffer) => (botOut += chunk.toString()));
      // The compose healthcheck says when the bot is logged in.
      const online = await eventually(async () => {
        const answer = await healthcheck("bot", botHealth);
        if (answer.code !== 0) throw new Error(answer.out);
        return answer.out;
      }, 20_000).catch((error) => {
        throw new Error(`${error}\n${botOut}\n${prosodyOut.slice(-3000)}`);
      });
      expect(online).toMatch(/^online as bot@localhost\/invites-bot since \d{4}-/u);
      // REGISTRATION=auto finds our module through the compose config's disco feature.
      await eventually(async () => expect(botOut).toContain("Registration: the server consumes the invites"));
      expect(botOut).not.toContain(PASSWORD);
      const stopped = bot;
      await new Promise((resolve) => {
        stopped.once("exit", resolve);
        stopped.kill("SIGTERM");
      });
      expect((await healthcheck("bot", botHealth)).code).toBe(1);
    } finally {
      bot?.kill("SIGTERM");
      await stopProsody();
    }
    expect(await healthcheck("prosody", prosodyHealth)).toEqual({
      code: 1,
      out: expect.stringContaining(`nothing listens on port ${c2sPort}`),
    });
  });
});
