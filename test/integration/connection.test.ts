/** Connecting: a server that is not up yet, and a wrong password (issue 2 point 3). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import { type EventLog, recordEvents } from "../helpers/app-events.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import { BOT_SIGNING_ENV } from "../helpers/signing.js";

let world: Scenario;
const apps: App[] = [];

beforeAll(async () => {
  world = await startScenario();
});

afterAll(async () => {
  await Promise.allSettled(apps.map((app) => app.stop()));
  await world?.stop();
});

function buildBot(password: string): { app: App; events: EventLog; logs: string[] } {
  const logs: string[] = [];
  const config = loadConfig({
    XMPP_SERVICE: world.servers.service,
    // This server has no registration hook of ours; the bot need not find out (docs/servers.md).
    REGISTRATION: "server",
    XMPP_DOMAIN: "localhost",
    XMPP_USERNAME: "bot",
    XMPP_PASSWORD: password,
    REDIS_URL: world.servers.redisUrl,
    OPS_LISTEN: "off",
    ...BOT_SIGNING_ENV,
  });
  const app = createApp(config, { log: createLogger("debug", { write: (line: string) => logs.push(line) }) });
  apps.push(app);
  return { app, events: recordEvents(app.events), logs };
}

describe("connecting", () => {
  it("logs a clear authentication failure, keeps running, and never logs the password", async () => {
    const { app, events, logs } = buildBot("wrong-password-123");
    await app.start();
    await events.waitFor("connection-failed", { matches: ({ reason }) => reason === "auth" });
    const line = logs.find((l) => l.includes("Authentication failed")) ?? "";
    expect(line).toContain("check XMPP_USERNAME and XMPP_PASSWORD");
    expect(line).toContain("condition=not-authorized");
    expect(app.xmpp.status).not.toBe("online");
    expect(logs.join("")).not.toContain("wrong-password-123");
    if (process.env.SHOW_BOT_LOG) process.stderr.write(logs.join(""));
    await app.stop();
  });

  it("waits for a server that is not up yet and comes online when it is", async () => {
    await world.servers.prosody.halt();
    const { app, events, logs } = buildBot("bot-password");
    await app.start(); // resolves even though nothing listens yet
    await events.waitFor("connection-failed", { matches: ({ reason }) => reason === "unreachable" });
    expect(logs.join("")).toContain("Cannot reach the XMPP server");
    await world.servers.prosody.start();
    await events.waitFor("online");
    expect(events.all("online")).toHaveLength(1);
    expect(logs.filter((l) => l.includes(" Online "))).toHaveLength(1);
  });
});
