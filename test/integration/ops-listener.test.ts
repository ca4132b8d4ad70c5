/**
 * The operations listener (docs/operations.md) built from a running bot's parts, against real servers: Prosody with
 * our module and Redis as deployed. /healthz is 200 while the bot is online and connected to Redis, 503 while Redis
 * is stopped and 200 again once it is back, and the compose file's healthcheck command says the same; /metrics
 * counts an invite made over chat, its use by a newcomer who registers in-band, the notice the inviter is sent, and
 * the bot's Redis commands.
 */
import { execFile } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import { type OpsListener, opsListener } from "../../src/ops/listener.js";
import { eventually, type TestBot } from "../helpers/bot.js";
import { healthcheckCommand, ROOT } from "../helpers/compose-file.js";
import { invitesAnswer } from "../helpers/invites-healthy.js";
import { uniqueName } from "../helpers/names.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import type { TestUser } from "../helpers/xmpp-user.js";

let world: Scenario;
let bot: TestBot;
let admin: TestUser;
let ops: OpsListener;
let base: string;

beforeAll(async () => {
  world = await startScenario({ inviteModule: true });
  bot = await world.startBot("bot");
  // As createApp would wire it, after the fact: whether Redis is connected now comes from the events so far.
  const link = bot.events.all("store-link").at(-1);
  ops = opsListener(
    { listen: { host: "127.0.0.1", port: 0 } },
    {
      events: bot.app.events,
      xmppStatus: () => bot.app.xmpp.status,
      log: createLogger("silent"),
      redisInitiallyUp: link !== undefined && link.state !== "lost",
    },
  );
  expect(await ops.start()).toBe(true);
  base = `http://${ops.address}`;
  admin = await world.login("admin@localhost");
});

afterAll(async () => {
  await ops?.stop();
  await world?.stop();
});

async function health(): Promise<{ code: number; body: unknown }> {
  const response = await fetch(`${base}/healthz`);
  return { code: response.status, body: await response.json() };
}

async function metrics(): Promise<string> {
  return (await fetch(`${base}/metrics`)).text();
}

function sample(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
}

/** Every Redis command timed so far, whatever its name. */
function redisCommands(text: string): number {
  return text
    .split("\n")
    .filter((line) => line.startsWith("xmpp_invite_bot_redis_command_duration_seconds_count{"))
    .reduce((sum, line) => sum + Number(line.split(" ")[1]), 0);
}

/** docker-compose.yml's healthcheck of the bot, run here with OPS_LISTEN pointing at this listener. */
function composeHealthcheck(): Promise<{ code: number; out: string }> {
  const [command = "", ...args] = healthcheckCommand("bot");
  const env = { PATH: process.env.PATH ?? "", OPS_LISTEN: ops.address ?? "" };
  return new Promise((resolve) => {
    execFile(command, args, { env, cwd: ROOT }, (error, out, err) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out: out + err }),
    );
  });
}

describe("GET /healthz", () => {
  it("is 200 while online and connected, 503 while Redis is stopped, and 200 again once it is back", async () => {
    expect(await health()).toEqual({
      code: 200,
      body: { status: "ok", xmpp: "online", redis: "up", role: "single" },
    });
    expect(await composeHealthcheck()).toEqual({ code: 0, out: "ok: XMPP online, Redis up, single\n" });

    await world.servers.redis.halt();
    try {
      const down = await eventually(async () => {
        const answer = await health();
        if (answer.code !== 503) throw new Error(`still ${answer.code}`);
        return answer;
      });
      expect(down.body).toEqual({ status: "degraded", xmpp: "online", redis: "down", role: "single" });
      expect(await composeHealthcheck()).toEqual({
        code: 1,
        out: "degraded (HTTP 503): XMPP online, Redis down, single\n",
      });
      expect(sample(await metrics(), "xmpp_invite_bot_redis_up")).toBe(0);
    } finally {
      await world.servers.redis.start();
    }
    await eventually(async () => expect((await health()).code).toBe(200));
    expect(sample(await metrics(), "xmpp_invite_bot_redis_up")).toBe(1);
    // Prosody's module met the outage too: the next test registers only once its breaker lets calls through.
    await invitesAnswer(world);
  });
});

describe("GET /metrics", () => {
  it("counts an invite made over chat, its use, the notice, and the bot's Redis commands", async () => {
    const before = await metrics();
    const made = sample(before, 'xmpp_invite_bot_invites_created_total{kind="account"}');
    const registered = sample(before, 'xmpp_invite_bot_invite_uses_total{kind="registered"}');
    const notices = sample(before, "xmpp_invite_bot_use_notices_sent_total");

    const reply = (await admin.ask(bot.jid, "invite account")).getChildText("body") ?? "";
    const token = /preauth=([\w-]{24})/u.exec(reply)?.[1] ?? "";
    expect(token, reply).not.toBe("");
    const afterInvite = await metrics();
    expect(sample(afterInvite, 'xmpp_invite_bot_invites_created_total{kind="account"}')).toBe(made + 1);
    expect(redisCommands(afterInvite)).toBeGreaterThan(redisCommands(before));

    const since = bot.events.mark();
    const newcomer = uniqueName("metered");
    const { register } = await world.registerWithInvite(token, newcomer);
    expect(register.attrs.type).toBe("result");
    const handled = await bot.events.waitFor("use-handled", {
      since,
      matches: ({ event }) => event.invitee === `${newcomer}@localhost`,
    });
    const after = await metrics();
    expect(sample(after, 'xmpp_invite_bot_invite_uses_total{kind="registered"}')).toBe(registered + 1);
    expect(handled.told).toContain("admin@localhost");
    expect(sample(after, "xmpp_invite_bot_use_notices_sent_total")).toBe(notices + handled.told.length);
    expect(after).toContain("# TYPE xmpp_invite_bot_redis_command_duration_seconds histogram");
    expect(after).toContain("process_resident_memory_bytes");
  });
});
