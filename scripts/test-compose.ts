/**
 * `npm run test:compose`: the README's self-hosting steps, for real, with Docker Compose v2 (not part of
 * `npm test`, which runs the same scripts and configs without Docker: compose-prosody.test.ts,
 * redis-restart.test.ts). In a copy of this checkout, so an admin's own .env and data are never touched:
 *
 *   test certificates (scripts/make-test-certificates.sh), .env from .env.example, `docker compose up -d --build`,
 *   the bot's account and a first admin, every service healthy; an invite by chat, a newcomer registered through
 *   the invite page, the inviter told; then a restart of each service and `down && up`: a pending invite still
 *   registers, the inviter is told by offline message; a second bot from docker-compose.instances.yml, one
 *   leader, the other taking over when the leader's container is killed (compose-instances.ts); no secret in any
 *   log; `down -v` at the end.
 *
 * It refuses to start, with the reason, where no Docker engine answers, Compose v2 is missing, or a base image
 * is not there and cannot be pulled (scripts/compose-base-images.sh builds them from Debian's packages).
 * Exit 0 when every check passed, 1 when one failed, 2 when it could not run.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { getCACertificates, setDefaultCACertificates } from "node:tls";
import { fileURLToPath } from "node:url";
import { freePort } from "../test/helpers/ports.js";
import { WebVisitor } from "../test/helpers/web-client.js";
import { canLogIn, connectUser, type TestUser } from "../test/helpers/xmpp-user.js";
import { checkTwoInstances } from "./compose-instances.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DOMAIN = "chat.test";
const BASE_IMAGES = ["debian:12-slim", "node:24-bookworm-slim"];
const SERVICES = ["redis", "prosody", "bot"];
/** The compose files of the README's steps, and with the second bot (README, "Two bot instances"). */
const ONE_BOT = ["-f", "docker-compose.yml"];
const TWO_BOTS = [...ONE_BOT, "-f", "docker-compose.instances.yml"];
/** Building three images from scratch on 2 cores, with Debian's mirror and the npm registry. */
const BUILD_TIMEOUT_MS = 20 * 60_000;
/** The bot retries a failed login every 30 s (src/xmpp/connection.ts), so its account may take that long. */
const HEALTHY_TIMEOUT_MS = 120_000;

class CannotRun extends Error {}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

interface Run {
  code: number;
  out: string;
}

/**
 * This process's environment without the variables .env.example names: compose takes a variable from the
 * shell before .env, so one of this machine's (NODE_EXTRA_CA_CERTS, say) would replace the .env under test.
 */
function composeEnvironment(): NodeJS.ProcessEnv {
  const names = readFileSync(join(ROOT, ".env.example"), "utf8").matchAll(/^#?([A-Z0-9_]+)=/gmu);
  const env = { ...process.env };
  for (const [, name] of names) if (name !== undefined) delete env[name];
  return env;
}

function run(command: string, args: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}) {
  return new Promise<Run>((resolve) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd ?? ROOT,
        env: composeEnvironment(),
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        resolve({ code, out: `${stdout}${stderr}` });
      },
    );
  });
}

async function must(command: string, args: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}) {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.code}):\n${result.out}`);
  return result.out;
}

async function preflight(): Promise<void> {
  const info = await run("docker", ["info", "--format", "{{.ServerVersion}}"]);
  if (info.code !== 0) {
    throw new CannotRun(
      `no Docker engine answers (docker info: ${info.out.trim().split("\n").pop() ?? ""}). ` +
        "Install one (Debian: apt-get install -y docker.io) and start it.",
    );
  }
  const compose = await run("docker", ["compose", "version", "--short"]);
  if (compose.code !== 0 || !/^v?2\./u.test(compose.out.trim())) {
    throw new CannotRun(
      "Docker Compose v2 is missing (`docker compose version`). On Debian 12 install the docker-compose package " +
        "of Debian 13 (2.x; Debian 12's own 1.29 cannot read docker-compose.yml) or Docker's docker-compose-plugin.",
    );
  }
  for (const image of BASE_IMAGES) {
    if ((await run("docker", ["image", "inspect", image])).code === 0) continue;
    const pulled = await run("docker", ["pull", image], { timeoutMs: 300_000 });
    if (pulled.code !== 0) {
      throw new CannotRun(
        `the base image ${image} is not here and cannot be pulled (${pulled.out.trim().split("\n").pop() ?? ""}). ` +
          "Build it from Debian's packages: sudo sh scripts/compose-base-images.sh",
      );
    }
  }
  say(`Docker ${info.out.trim()}, Compose ${compose.out.trim()}, base images ${BASE_IMAGES.join(", ")}`);
}

/** A copy of this checkout (the files git knows, committed or not), with nothing of an admin's local state. */
async function copyOfCheckout(): Promise<string> {
  const work = mkdtempSync(join(tmpdir(), "invite-bot-compose-"));
  const files = (await must("git", ["ls-files", "-co", "--exclude-standard", "-z"])).split("\0").filter(Boolean);
  for (const file of files) {
    mkdirSync(dirname(join(work, file)), { recursive: true });
    try {
      cpSync(join(ROOT, file), join(work, file));
    } catch {
      // A file deleted in the work tree but still known to git.
    }
  }
  return work;
}

const secrets = {
  // A $ and a # in single quotes: compose reads it as typed, and so does the bot's dotenv.
  botPassword: `bot pa$word#${randomBytes(6).toString("hex")}`,
  adminPassword: `admin-${randomBytes(12).toString("hex")}`,
  redisBot: randomBytes(32).toString("hex"),
  redisProsody: randomBytes(32).toString("hex"),
  signingKey: randomBytes(32).toString("base64"),
};

/** .env from .env.example, as the README has the admin fill it in. */
function writeEnv(work: string, ports: { xmpp: number; web: number; web2: number }): void {
  const values: Record<string, string> = {
    XMPP_DOMAIN: DOMAIN,
    XMPP_PASSWORD: `'${secrets.botPassword}'`,
    ADMIN_JIDS: `admin@${DOMAIN}`,
    REDIS_BOT_PASSWORD: secrets.redisBot,
    REDIS_PROSODY_PASSWORD: secrets.redisProsody,
    INVITE_SIGNING_KEY: secrets.signingKey,
    WEB_URL: `http://127.0.0.1:${ports.web}`,
    NODE_EXTRA_CA_CERTS: "/ca/ca.pem",
    // On loopback only: nothing of a test listens beyond this machine.
    XMPP_PORT: `127.0.0.1:${ports.xmpp}`,
    WEB_PORT: String(ports.web),
    WEB_PORT_2: String(ports.web2),
  };
  const lines = readFileSync(join(work, ".env.example"), "utf8").split("\n");
  const seen = new Set<string>();
  const env = lines.map((line) => {
    const name = /^#?([A-Z0-9_]+)=/u.exec(line)?.[1];
    if (name === undefined || values[name] === undefined || seen.has(name)) return line;
    seen.add(name);
    return `${name}=${values[name]}`;
  });
  for (const [name, value] of Object.entries(values)) if (!seen.has(name)) env.push(`${name}=${value}`);
  writeFileSync(join(work, ".env"), env.join("\n"), { mode: 0o600 });
}

function checker() {
  let failed = 0;
  return {
    check(what: string, ok: boolean, detail = ""): void {
      say(`${ok ? "PASS" : "FAIL"} ${what}${ok || detail === "" ? "" : `\n     ${detail}`}`);
      if (!ok) failed += 1;
    },
    get failed() {
      return failed;
    },
  };
}

async function main(): Promise<number> {
  await preflight();
  const work = await copyOfCheckout();
  // One project name: a run that was killed is cleaned up by the next, and the built images are reused.
  const project = "invitebot-compose-test";
  await run("docker", ["compose", "-p", project, ...TWO_BOTS, "down", "-v", "--remove-orphans"], { cwd: work });
  const ports = { xmpp: await freePort(), web: await freePort(), web2: await freePort() };
  // The README's steps with docker-compose.yml alone; then the second bot's file too (checkTwoInstances).
  let files = ONE_BOT;
  let services = SERVICES;
  const compose = (args: readonly string[], timeoutMs?: number) =>
    must("docker", ["compose", "-p", project, ...files, ...args], { cwd: work, ...(timeoutMs ? { timeoutMs } : {}) });
  const checks = checker();
  const check = checks.check;
  const users: TestUser[] = [];

  const healthy = async (what: string): Promise<void> => {
    const started = Date.now();
    let last = "";
    while (Date.now() - started < HEALTHY_TIMEOUT_MS) {
      const states = (await compose(["ps", "--all", "--format", "json"]))
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { Service: string; State: string; Health: string });
      last = states.map((s) => `${s.Service}=${s.State}/${s.Health || "-"}`).join(" ");
      if (services.every((name) => states.some((s) => s.Service === name && s.Health === "healthy"))) {
        check(`${what}: ${services.join(", ")} are healthy`, true);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    // What each healthcheck said last: the reason, as an admin would read it with docker inspect.
    const said: string[] = [];
    for (const name of services) {
      const id = (
        await run("docker", ["compose", "-p", project, ...files, "ps", "-q", name], { cwd: work })
      ).out.trim();
      const health = await run("docker", ["inspect", "--format", "{{range .State.Health.Log}}{{.Output}}{{end}}", id]);
      said.push(`${name}: ${health.out.trim().split("\n").pop() ?? ""}`);
    }
    check(`${what}: every service healthy within ${HEALTHY_TIMEOUT_MS / 1000} s`, false, `${last}\n${said.join("\n")}`);
    throw new Error("not healthy");
  };
  const login = async (username: string, password: string): Promise<TestUser> => {
    const user = await connectUser({
      service: `xmpp://127.0.0.1:${ports.xmpp}`,
      domain: DOMAIN,
      username,
      password,
      timeoutMs: 20_000,
    });
    users.push(user);
    return user;
  };
  const inviteByChat = async (admin: TestUser): Promise<string> => {
    await admin.sendChat(`invites@${DOMAIN}`, "invite account");
    const reply = await admin.nextMessage({ from: `invites@${DOMAIN}`, body: /\/invite\//u }, 20_000);
    const url = /http:\/\/127\.0\.0\.1:\d+\/invite\/[\w-]+/u.exec(reply.getChildText("body") ?? "")?.[0];
    if (url === undefined) throw new Error(`no invite link in ${reply.toString()}`);
    return url;
  };
  const registerThroughPage = async (url: string, username: string): Promise<boolean> => {
    const visitor = new WebVisitor(`http://127.0.0.1:${ports.web}`);
    const landing = await visitor.get(url);
    if (landing.status !== 200) return false;
    const form = await visitor.follow(landing, "create-account");
    const done = await visitor.submit(form, {
      username,
      password: `${username}-password`,
      password_again: `${username}-password`,
    });
    return done.status === 200 && done.body.includes(`${username}@${DOMAIN}`);
  };

  say(`Working in ${work} as compose project ${project}; XMPP on 127.0.0.1:${ports.xmpp}, pages on :${ports.web}`);
  try {
    await must("sh", ["scripts/make-test-certificates.sh", DOMAIN], { cwd: work });
    setDefaultCACertificates([...getCACertificates("default"), readFileSync(join(work, "ca", "ca.pem"), "utf8")]);
    writeEnv(work, ports);

    say("docker compose up -d --build (the first build takes a few minutes)");
    await compose(["up", "-d", "--build"], BUILD_TIMEOUT_MS);
    await compose(["exec", "-T", "prosody", "register-bot-account"]);
    await compose(["exec", "-T", "prosody", "prosodyctl", "register", "admin", DOMAIN, secrets.adminPassword]);
    await healthy("after the README's steps");
    check(
      "the bot's password with $ and # in single quotes is the one the admin typed",
      await canLogIn(`xmpp://127.0.0.1:${ports.xmpp}`, `invites@${DOMAIN}`, secrets.botPassword, 20_000),
    );
    const botEnv = await compose(["exec", "-T", "bot", "env"]);
    check("the bot's environment holds no Redis password but its own", !botEnv.includes(secrets.redisProsody));
    // The image's compile cache (Dockerfile): filled at build, so the container's first start reads it.
    const cached = await compose(["exec", "-T", "bot", "find", "/app/.compile-cache", "-type", "f"]);
    check("the image holds the bot's compiled modules (NODE_COMPILE_CACHE)", cached.trim().split("\n").length > 10);

    let admin = await login("admin", secrets.adminPassword);
    const first = await inviteByChat(admin);
    check("an account invite by chat links to the bot's page", first.startsWith(`http://127.0.0.1:${ports.web}/`));
    check("a newcomer registers through the invite page", await registerThroughPage(first, "newcomer"));
    check(
      "the newcomer logs in over XMPP",
      await canLogIn(`xmpp://127.0.0.1:${ports.xmpp}`, `newcomer@${DOMAIN}`, "newcomer-password", 20_000),
    );
    const told = await admin.nextMessage({ from: `invites@${DOMAIN}`, body: /^newcomer@chat\.test /u }, 20_000).then(
      () => true,
      () => false,
    );
    check("the inviter is told in chat", told);
    const pending = await inviteByChat(admin);
    await admin.stop();

    const visitor = new WebVisitor(`http://127.0.0.1:${ports.web}`);
    for (const service of SERVICES) {
      await compose(["restart", service]);
      await healthy(`after restarting ${service}`);
      check(`the pending invite's page opens after restarting ${service}`, (await visitor.get(pending)).status === 200);
    }
    await compose(["down"]);
    await compose(["up", "-d"], BUILD_TIMEOUT_MS);
    await healthy("after down && up");
    check("the pending invite registers after down && up", await registerThroughPage(pending, "later"));
    admin = await login("admin", secrets.adminPassword);
    const offline = await admin.nextMessage({ from: `invites@${DOMAIN}`, body: /^later@chat\.test /u }, 30_000).then(
      () => true,
      () => false,
    );
    check("the inviter, offline at the time, is told when back", offline);

    files = TWO_BOTS;
    services = [...SERVICES, "bot-2"];
    const newcomer = await login("newcomer", "newcomer-password");
    await checkTwoInstances({ domain: DOMAIN, compose, healthy, check }, newcomer);

    const logs = await compose(["logs", "--no-color"]);
    const leaked = Object.entries(secrets).filter(([, value]) => logs.includes(value));
    check("no password or key in any log", leaked.length === 0, leaked.map(([name]) => name).join(", "));
    const token = /\/invite\/([\w-]+)/u.exec(pending)?.[1] ?? "";
    check("no invite token in any log", token !== "" && !logs.includes(token));
    check("Redis refused nothing while replaying its append-only file", !/NOPERM|CRITICAL/u.test(logs));
  } finally {
    await Promise.allSettled(users.map((user) => user.stop()));
    if (process.env.KEEP_COMPOSE === undefined) {
      // The volumes (every account and invite of the test) go; the built images stay for the next run
      // (docker compose -p invitebot-compose-test down --rmi local removes them too).
      say("docker compose down -v");
      await run("docker", ["compose", "-p", project, ...TWO_BOTS, "down", "-v"], { cwd: work });
      rmSync(work, { recursive: true, force: true });
    } else {
      say(`KEEP_COMPOSE is set: the stack ${project} stays up in ${work}`);
    }
  }
  return checks.failed;
}

try {
  const failures = await main();
  say(failures === 0 ? "All compose checks passed" : `${failures} compose check(s) failed`);
  process.exitCode = failures === 0 ? 0 : 1;
} catch (error) {
  if (error instanceof CannotRun) {
    say(`test:compose cannot run here: ${error.message}`);
    process.exitCode = 2;
  } else {
    say(`test:compose failed: ${(error as Error).stack ?? String(error)}`);
    process.exitCode = 1;
  }
}
