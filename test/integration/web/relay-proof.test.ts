/**
 * The bot's relay proof: every registration through the web pages comes from the bot's address, and Prosody limits
 * invite checks per address (invites_redis_checks_per_minute). The bot proves that it relays a visitor's invite
 * (src/registration/relay-proof.ts: an HMAC of the token with the invite signing key, inside `<preauth/>`), so our
 * module spares it that limit without `invites_redis_checks_exempt`; a client that cannot make the proof is limited
 * as before. Each case uses its own loopback address, as the limit is per address, except where the point is
 * 127.0.0.1: the address both the bot's registrar and a plain client come from here.
 */
import { type Element, xml } from "@xmpp/xml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config.js";
import { createLogger } from "../../../src/logger.js";
import type { Registrar } from "../../../src/registration/registrar.js";
import { relayElement } from "../../../src/registration/relay-proof.js";
import { inBandRegistrar } from "../../../src/registration/ways.js";
import { NS } from "../../../src/xmpp/namespaces.js";
import { errorOf } from "../../helpers/adhoc-client.js";
import { type IbrSession, openIbrSession } from "../../helpers/ibr-client.js";
import { uniqueName } from "../../helpers/names.js";
import { recordWith, writeRawRecord } from "../../helpers/raw-records.js";
import { type Scenario, startScenario } from "../../helpers/scenario.js";
import { BOT_SIGNING_ENV, TEST_OLD_SIGNING_KEY, TEST_SIGNING_KEY } from "../../helpers/signing.js";
import { canLogIn } from "../../helpers/xmpp-user.js";

/** Small, so that a few registrations go over it; nothing is exempt. */
const PER_MINUTE = 2;
/** Well-formed, but no such invite: each preauth with it is one check, answered "invalid" when allowed. */
const UNKNOWN = "A".repeat(24);
const INVALID = "The invite token is invalid or expired";
const TOO_MANY = "Too many invite checks from your address. Please wait a minute and try again.";
/** A signing key Prosody does not know (neither its current nor an old one). */
const STRANGER_KEY = "a-key-prosody-does-not-know-0123456789-not-for-production";

let world: Scenario;
const logs: string[] = [];
const sessions: IbrSession[] = [];

/** The registrar the bot builds from its configuration (src/registration/ways.ts), with these variables on top. */
function botRegistrar(env: Record<string, string> = {}): Registrar {
  const config = loadConfig({
    XMPP_SERVICE: world.servers.service,
    XMPP_DOMAIN: "localhost",
    XMPP_USERNAME: "bot",
    XMPP_PASSWORD: "bot-password",
    REDIS_URL: world.servers.redisUrl,
    ...BOT_SIGNING_ENV,
    ...env,
  });
  return inBandRegistrar(config, createLogger("debug", { write: (line: string) => logs.push(line) }));
}

/** A new invite registered through `registrar`, and whether the account can then log in. */
async function registerThrough(registrar: Registrar): Promise<{ ok: boolean; reason?: string; loggedIn: boolean }> {
  const token = await writeRawRecord(world.redis, recordWith());
  const username = uniqueName("relayed");
  const password = `${username}-pw`;
  const result = await registrar.register({ token, username, password });
  const loggedIn = result.ok && (await canLogIn(world.servers.service, `${username}@localhost`, password));
  return { ...result, loggedIn };
}

async function session(localAddress: string): Promise<IbrSession> {
  const opened = await openIbrSession({ port: world.servers.prosody.port, domain: "localhost", localAddress });
  sessions.push(opened);
  return opened;
}

/**
 * How many preauths for UNKNOWN, each with `extra(UNKNOWN)` inside, a stream from `localAddress` gets answered before
 * one is refused as too many; `tries` when none is.
 */
async function checksAllowed(
  localAddress: string,
  extra: (token: string) => Element[] = () => [],
  tries = PER_MINUTE * 3,
): Promise<number> {
  const client = await session(localAddress);
  for (let i = 0; i < tries; i++) {
    const { text } = errorOf(await client.preauthWith(UNKNOWN, extra(UNKNOWN)));
    if (text === TOO_MANY) return i;
    expect(text).toBe(INVALID);
  }
  return tries;
}

/** A relay element as the bot makes it, with this key for this host (the stream goes to localhost). */
const relayWith =
  (key: string, host = "localhost") =>
  (token: string): Element[] => [relayElement(key, host, token)];

beforeAll(async () => {
  world = await startScenario({
    inviteModule: true,
    moduleConfig: [`invites_redis_checks_per_minute = ${PER_MINUTE}`, "invites_redis_checks_per_second = 1000"].join(
      "\n",
    ),
  });
});

afterAll(async () => {
  await Promise.allSettled(sessions.map((opened) => opened.close()));
  await world?.stop();
});

describe("the bot's relay proof, with no address exempt", () => {
  it("lets the bot register more accounts from one address than the per-address limit allows", async () => {
    const registrar = botRegistrar();
    // Each registration is two checks (the preauth and the registration): six checks, three times the limit.
    for (let i = 0; i < 3; i++) expect(await registerThrough(registrar)).toEqual({ ok: true, loggedIn: true });
  });

  it("still limits a plain XEP-0401 client from that address; the bot goes on while the address is over", async () => {
    expect(await checksAllowed("127.0.0.1")).toBe(PER_MINUTE);
    expect(await registerThrough(botRegistrar())).toEqual({ ok: true, loggedIn: true });
  });

  it("spares a client with the proof, made with the current or an old signing key", async () => {
    expect(await checksAllowed("127.0.0.2", relayWith(TEST_SIGNING_KEY))).toBe(PER_MINUTE * 3);
    expect(await checksAllowed("127.0.0.3", relayWith(TEST_OLD_SIGNING_KEY))).toBe(PER_MINUTE * 3);
  });

  it("does not spare a proof made with another key, for another token or host, or no proof at all", async () => {
    expect(await checksAllowed("127.0.0.4", relayWith(STRANGER_KEY))).toBe(PER_MINUTE);
    const forAnotherToken = (token: string) => relayWith(TEST_SIGNING_KEY)(`${token}B`);
    expect(await checksAllowed("127.0.0.5", forAnotherToken)).toBe(PER_MINUTE);
    expect(await checksAllowed("127.0.0.6", relayWith(TEST_SIGNING_KEY, "other.localhost"))).toBe(PER_MINUTE);
    expect(await checksAllowed("127.0.0.7", () => [xml("relay", { xmlns: NS.relay })])).toBe(PER_MINUTE);
    // Anyone can send a wrong proof: Prosody notes it for debugging only.
    const ignored = world.servers.prosody
      .logTail(100_000)
      .split("\n")
      .filter((line) => line.includes("relay proof"));
    expect(ignored.length).toBeGreaterThanOrEqual(4);
    for (const line of ignored) expect(line).toMatch(/\tdebug\t/u);
  });

  it("holds for one preauth only: the same stream's next preauth without the proof counts for the address", async () => {
    const client = await session("127.0.0.8");
    const relayed = relayWith(TEST_SIGNING_KEY)(UNKNOWN);
    for (let i = 0; i < PER_MINUTE * 2; i++)
      expect(errorOf(await client.preauthWith(UNKNOWN, relayed)).text).toBe(INVALID);
    for (let i = 0; i < PER_MINUTE; i++) expect(errorOf(await client.preauth(UNKNOWN)).text).toBe(INVALID);
    expect(errorOf(await client.preauth(UNKNOWN)).text).toBe(TOO_MANY);
  });

  it("leaves a bot with another signing key to the per-address limit, and says what to check", async () => {
    await checksAllowed("127.0.0.1"); // the address is over its limit (again)
    expect(await registerThrough(botRegistrar({ INVITE_SIGNING_KEY: STRANGER_KEY }))).toMatchObject({
      ok: false,
      reason: "throttled",
    });
    expect(logs.join("")).toMatch(
      /relay proof.*invites_redis_checks_per_second.*invites_redis_signing_key.*INVITE_SIGNING_KEY/u,
    );
  });
});
