/**
 * `npm run demo`: a private Prosody and Redis on loopback, three accounts with
 * random passwords, and the real bot (createApp), to try with a desktop XMPP client.
 * Starts the servers with the integration-test harness (test/helpers), so the demo
 * runs exactly what the tests run. Ctrl-C / SIGTERM: the bot goes offline, both
 * servers stop, their temporary data is deleted, exit 0. The demo runs in its own
 * session under a small supervisor (demo-supervisor.ts), so that Ctrl-C does not
 * also hit the servers and they stop only after the bot.
 *
 * `npm run demo:check` (or DEMO_CHECK=1): the same, then a real client logs in as
 * the user, asks the bot for `help` and an invite, prints them and stops (exit 0,
 * or 1 if anything did not work). LOG_LEVEL sets the bot's log level (default info).
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { type App, createApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { actorFor } from "../src/invites/permissions.js";
import { createLogger } from "../src/logger.js";
import { freePort } from "../test/helpers/ports.js";
import { findOnPath, SERVER_BINARIES } from "../test/helpers/require-binary.js";
import { startServers, type TestServers } from "../test/helpers/servers.js";
import { BOT_SIGNING_ENV } from "../test/helpers/signing.js";
import { withTimeout } from "../test/helpers/xmpp-user.js";
import { runCheck } from "./demo-check.js";
import { type DemoInfo, instructions, missingBinariesMessage } from "./demo-instructions.js";
import { onSupervisorGone, SUPERVISED_ENV, superviseDemo } from "./demo-supervisor.js";

const DOMAIN = "localhost";
/** The standard c2s port, so clients need no custom port, when nothing else uses it. */
const PREFERRED_PORT = 5222;
/** The invite pages' port, when nothing else uses it. */
const PREFERRED_WEB_PORT = 8080;
const BOT_USERNAME = "invites";
const ADMIN_USERNAME = "admin";
const USER_USERNAME = "alice";
const BOT_ONLINE_TIMEOUT_MS = 15_000;
const BOT_STOP_TIMEOUT_MS = 5_000;

const checkMode = process.argv.slice(2).includes("--check") || /^(1|true|yes|on)$/iu.test(process.env.DEMO_CHECK ?? "");

/** Thrown between start-up steps once a signal asked us to stop. */
class Interrupted extends Error {}

let servers: TestServers | undefined;
let app: App | undefined;
let signalled = false;
let onSignal: () => void = () => {};
const stopRequested = new Promise<void>((resolve) => {
  onSignal = resolve;
});

/** First call: stop in order. Second call (a deliberate second Ctrl-C): exit at once. */
function requestStop(why = ""): void {
  if (signalled) {
    // The harness still kills both servers and deletes their directories as the process exits.
    console.error("Exiting now.");
    process.exit(130);
  }
  signalled = true;
  console.error(`\n${why}Stopping the demo …`);
  onSignal();
}

function checkpoint(): void {
  if (signalled) throw new Interrupted();
}

/** True when nothing listens on 127.0.0.1:`port` (or on all interfaces) right now. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen({ host: "127.0.0.1", port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

function newPassword(): string {
  return randomBytes(12).toString("base64url");
}

async function startDemoServers(): Promise<TestServers> {
  const hosts = [DOMAIN];
  if (await portIsFree(PREFERRED_PORT)) {
    try {
      return await startServers({ hosts, port: PREFERRED_PORT }, { inviteModule: true });
    } catch (error) {
      // Someone may have taken the port in the meantime; any free port will do then.
      if (!firstLine(error).includes("could not listen")) throw error;
      console.log(`Port ${PREFERRED_PORT} was taken in the meantime; using a free port instead.`);
      checkpoint();
    }
  } else {
    console.log(`Port ${PREFERRED_PORT} is in use (an XMPP server already running?); using a free port instead.`);
  }
  return startServers({ hosts }, { inviteModule: true });
}

/** The preferred port when it is free, else one the kernel picks. */
async function webPort(): Promise<number> {
  if (await portIsFree(PREFERRED_WEB_PORT)) return PREFERRED_WEB_PORT;
  console.log(`Port ${PREFERRED_WEB_PORT} is in use; the invite pages get a free port instead.`);
  return freePort();
}

async function startBot(info: { service: string; redisUrl: string; password: string; webPort: number }): Promise<App> {
  const config = loadConfig({
    // The invite pages, on loopback: open the links the bot gives in a browser on this machine.
    WEB_LISTEN: `127.0.0.1:${info.webPort}`,
    WEB_URL: `http://127.0.0.1:${info.webPort}`,
    SITE_NAME: "xmpp-invite-bot demo",
    XMPP_SERVICE: info.service,
    XMPP_DOMAIN: DOMAIN,
    XMPP_USERNAME: BOT_USERNAME,
    XMPP_PASSWORD: info.password,
    REDIS_URL: info.redisUrl,
    ADMIN_JIDS: `${ADMIN_USERNAME}@${DOMAIN}`,
    // So that the user's invites register new accounts too (;ibr=y), as on a friendly server.
    ALLOW_USER_INVITES: "true",
    LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
    // The same key the demo's Prosody signs and checks invite records with.
    ...BOT_SIGNING_ENV,
  });
  const bot = createApp(config, { log: createLogger(config.logLevel) });
  app = bot;
  const online = new Promise<void>((resolve) => bot.xmpp.once("online", () => resolve()));
  await bot.start();
  await withTimeout(online, BOT_ONLINE_TIMEOUT_MS, `the bot to log in as ${BOT_USERNAME}@${DOMAIN}`);
  return bot;
}

async function run(): Promise<void> {
  console.log("Starting a private Prosody and Redis on 127.0.0.1 …");
  servers = await startDemoServers();
  checkpoint();

  const passwords = { bot: newPassword(), admin: newPassword(), user: newPassword() };
  const { prosody } = servers;
  await prosody.register(BOT_USERNAME, DOMAIN, passwords.bot);
  await prosody.register(ADMIN_USERNAME, DOMAIN, passwords.admin);
  await prosody.register(USER_USERNAME, DOMAIN, passwords.user);
  checkpoint();

  console.log("Starting the bot …");
  const web = await webPort();
  const bot = await startBot({
    service: servers.service,
    redisUrl: servers.redisUrl,
    password: passwords.bot,
    webPort: web,
  });
  checkpoint();

  // A first account invite from the admin, so that the invite page can be tried without an XMPP client.
  const admin = actorFor(`${ADMIN_USERNAME}@${DOMAIN}`, bot.service.policy);
  const { landingUrl } = await bot.service.createAccountInvite(admin, `${ADMIN_USERNAME}@${DOMAIN}/demo`);
  const info: DemoInfo = {
    port: prosody.port,
    domain: DOMAIN,
    bot: `${BOT_USERNAME}@${DOMAIN}`,
    admin: { jid: `${ADMIN_USERNAME}@${DOMAIN}`, password: passwords.admin },
    user: { jid: `${USER_USERNAME}@${DOMAIN}`, password: passwords.user },
    redisUrl: servers.redisUrl,
    redisPort: servers.redis.port,
    webUrl: `http://127.0.0.1:${web}`,
    inviteUrl: landingUrl,
  };
  console.log(instructions(info));

  if (!checkMode) {
    await stopRequested;
    return;
  }
  const check = runCheck({
    service: servers.service,
    domain: DOMAIN,
    username: USER_USERNAME,
    password: passwords.user,
    botBare: info.bot,
    botFull: bot.xmpp.jid?.toString() ?? `${info.bot}/invites`,
    webUrl: info.webUrl,
    store: bot.store,
    print: (text) => console.log(text),
  });
  await Promise.race([check, stopRequested.then(() => Promise.reject(new Interrupted()))]);
}

/** Stops whatever was started, newest first; reports problems but never throws. */
async function stopAll(): Promise<void> {
  if (app !== undefined) {
    await withTimeout(app.stop(), BOT_STOP_TIMEOUT_MS, "the bot to stop").catch((error: unknown) =>
      console.error(`Stopping the bot: ${firstLine(error)}`),
    );
  }
  if (servers !== undefined) {
    await servers.stop().catch((error: unknown) => console.error(`Stopping the servers: ${firstLine(error)}`));
    console.log("Demo stopped; its servers are gone and their data is deleted.");
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
}

async function main(): Promise<number> {
  const missing = SERVER_BINARIES.filter((name) => findOnPath(name) === undefined);
  if (missing.length > 0) {
    console.error(missingBinariesMessage(missing));
    return 1;
  }
  process.on("SIGINT", () => requestStop());
  process.on("SIGTERM", () => requestStop());
  onSupervisorGone(() => requestStop("The terminal went away. "));
  process.on("unhandledRejection", (reason) => console.error(`Unexpected error: ${firstLine(reason)}`));

  let code = 0;
  try {
    await run();
  } catch (error) {
    if (!(error instanceof Interrupted)) {
      // The harness's messages carry the server's log tail; no stack trace needed.
      console.error(`\nThe demo failed: ${error instanceof Error ? error.message : String(error)}`);
      code = 1;
    }
  }
  await stopAll();
  return code;
}

// Outside: run the demo in its own session (see demo-supervisor.ts). Inside: the demo.
process.exit(process.env[SUPERVISED_ENV] === undefined ? await superviseDemo() : await main());
