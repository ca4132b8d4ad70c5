/**
 * Flood control and hostile input (issue #5): one JID flooding the bot is
 * slowed down with a clear error while another user is served promptly, and
 * thousands of malformed stanzas never crash the bot or go unanswered.
 */
import { xml } from "@xmpp/xml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTACT_INVITE_NODE as CONTACT } from "../../src/commands/invite-commands.js";
import { hostileStanzas } from "../fixtures/hostile-stanzas.js";
import { errorOf, executeIq, formValues } from "../helpers/adhoc-client.js";
import type { TestBot } from "../helpers/bot.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import type { TestUser } from "../helpers/xmpp-user.js";

let world: Scenario;
let bot: TestBot;
let strictBot: TestBot;
let admin: TestUser;
let alice: TestUser;
let mallory: TestUser;

beforeAll(async () => {
  world = await startScenario();
  [bot, strictBot] = await Promise.all([
    world.startBot("bot"),
    world.startBot("bot2", {
      RATE_LIMIT_BURST: "5",
      RATE_LIMIT_PER_SECOND: "1",
      INVITE_QUOTA: "1000",
      INVITE_MAX_PENDING: "1000",
    }),
  ]);
  [admin, alice, mallory] = await world.loginAll(["admin@localhost", "alice@localhost", "bob@localhost"]);
});

afterAll(async () => {
  if (process.env.SHOW_BOT_LOG) {
    process.stderr.write(
      bot.logs
        .filter((l) => !l.includes(" DEBUG "))
        .slice(-40)
        .join(""),
    );
    process.stderr.write(world.servers.prosody.logTail(60));
  }
  await world?.stop();
});

describe("flood control", () => {
  it("slows down one JID sending as fast as it can, and still serves another user promptly", async () => {
    const flood = Array.from({ length: 40 }, () => alice.requestRaw(executeIq(strictBot.jid, CONTACT), 20_000));
    const started = Date.now();
    const other = await admin.requestRaw(executeIq(strictBot.jid, CONTACT));
    const otherMs = Date.now() - started;
    expect(formValues(other.getChild("command")?.getChild("x")).uri).toMatch(/preauth=/u);
    expect(otherMs).toBeLessThan(2_000);

    const replies = await Promise.all(flood);
    const served = replies.filter((r) => r.attrs.type === "result");
    const limited = replies.filter((r) => errorOf(r).condition === "resource-constraint");
    expect(served.length).toBeGreaterThanOrEqual(5);
    expect(served.length).toBeLessThan(10);
    expect(served.length + limited.length).toBe(40);
    expect(errorOf(limited[0] ?? xml("iq"))).toMatchObject({
      type: "wait",
      text: expect.stringMatching(/^You are sending requests too fast; please wait \d+ seconds? and try again\.$/u),
    });
  });

  it("answers a chat flood once, then stays quiet until the flood is over", async () => {
    const before = alice.received.length;
    for (let i = 0; i < 20; i += 1) await alice.sendChat(strictBot.jid, "help");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const answers = alice.received
      .slice(before)
      .filter((s) => s.is("message") && s.attrs.from === strictBot.jid)
      .map((s) => s.getChildText("body") ?? "");
    expect(answers.filter((a) => a.startsWith("You are sending requests too fast"))).toHaveLength(1);
    expect(answers.length).toBeLessThanOrEqual(6);
  });
});

describe("hostile stanzas", () => {
  it("answers every one of 10,000 generated IQs with a result or a proper error, and keeps serving", async () => {
    const stanzas = hostileStanzas(10_000, bot.jid);
    const since = bot.events.mark();
    let answered = 0;
    const pending: Promise<void>[] = [];
    const normalUser = (async () => {
      for (let i = 0; i < 5; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        const reply = await alice.requestRaw(executeIq(bot.jid, CONTACT), 10_000);
        // The whole answer when it is not an invite, to say what the user got instead.
        expect(formValues(reply.getChild("command")?.getChild("x")).uri ?? reply.toString()).toMatch(/preauth=/u);
      }
    })();
    for (const [i, stanza] of stanzas.entries()) {
      if (stanza.is("iq")) {
        pending.push(
          mallory.requestRaw(stanza, 60_000).then((reply) => {
            expect(["result", "error"]).toContain(reply.attrs.type);
            if (reply.attrs.type === "error") {
              expect(reply.getChild("error")?.attrs.type).toMatch(/^(auth|cancel|modify|wait)$/u);
            }
            answered += 1;
          }),
        );
      } else {
        await mallory.send(stanza);
      }
      if (i % 500 === 499) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending);
    await normalUser;
    const iqCount = stanzas.filter((s) => s.is("iq")).length;
    expect(answered).toBe(iqCount);
    // The bot's session lasted the whole run, so every answer is the bot's own: the server answers
    // for a full JID only when its session is gone.
    expect(bot.app.xmpp.status).toBe("online");
    expect(bot.events.all("online", { since })).toEqual([]);
    expect(bot.events.all("disconnected", { since })).toEqual([]);
    expect(bot.logs.some((line) => / ERROR .*Command failed unexpectedly/u.test(line))).toBe(false);
  }, 180_000);
});
