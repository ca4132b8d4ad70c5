/**
 * Redis as a trust boundary, seen from Prosody (issue: storage layout v2): records
 * written without the signing key, or changed after signing, register nobody,
 * reset no password, pre-approve no subscription and grant no role; Prosody's own
 * invites are signed; no token is kept at rest; every use keeps the indexes right;
 * a store layout the module does not know stops it until it is fixed.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { xml } from "@xmpp/xml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InviteRecord } from "../../src/invites/record.js";
import { byInviterKey, idsKey, layoutKey, pendingKey, recordKey, usedKey } from "../../src/storage/keys.js";
import { tokenHash } from "../../src/storage/record.js";
import { createInviteUri, errorOf, tokenOf } from "../helpers/adhoc-client.js";
import { eventually } from "../helpers/bot.js";
import { inviteFromProsodyctl, registerWithToken } from "../helpers/ibr-client.js";
import { readRawRecord, recordWith, writeRawRecord } from "../helpers/raw-records.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import { TEST_OLD_SIGNING_KEY } from "../helpers/signing.js";
import { connectUser, type TestUser } from "../helpers/xmpp-user.js";

const ADMIN_ROLES = { roles: { "prosody:admin": true } };
let world: Scenario;
let counter = 0;

beforeAll(async () => {
  // The layout is read on every operation here, so that a change shows at once.
  world = await startScenario({ inviteModule: true, moduleConfig: "invites_redis_layout_check_interval = 0" });
});

afterAll(async () => world?.stop());

function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}${counter}`;
}

function register(token: string, username: string, password = `${username}-pw`) {
  return registerWithToken({ port: world.servers.prosody.port, domain: "localhost", token, username, password });
}

/** Whether Prosody stored roles for this account (mod_invites_register imports them from the invite). */
function hasRolesFile(username: string): boolean {
  return existsSync(join(world.servers.prosody.dir, "data", "localhost", "roles", `${username}.dat`));
}

/** A correctly signed record whose text is then changed as an attacker with write access would. */
async function tamperedToken(change: (record: InviteRecord) => InviteRecord): Promise<string> {
  const token = await writeRawRecord(world.redis, recordWith());
  const value = (await readRawRecord(world.redis, token)) as { record: string; tag: string };
  const changed = change(JSON.parse(value.record) as InviteRecord);
  await writeRawRecord(world.redis, changed, { token, value: { ...value, record: JSON.stringify(changed) } });
  return token;
}

describe("records not signed with the key", () => {
  const forgeries: Record<string, () => Promise<string>> = {
    "an unsigned admin invite": () =>
      writeRawRecord(world.redis, recordWith(), {
        value: { record: JSON.stringify(recordWith({ additional_data: ADMIN_ROLES })) },
      }),
    "an admin invite signed with another key": () =>
      writeRawRecord(world.redis, recordWith({ additional_data: ADMIN_ROLES }), { signingKey: "x".repeat(40) }),
    "a signed invite with roles added afterwards": () =>
      tamperedToken((r) => ({ ...r, additional_data: { ...r.additional_data, ...ADMIN_ROLES } })),
    "a signed invite whose username binding was changed": () =>
      tamperedToken((r) => ({ ...r, jid: "localhost", additional_data: { username: "someone" } })),
    "a signed invite whose uses were raised": () =>
      tamperedToken((r) => ({ ...r, reusable: true, additional_data: { max_uses: 100 } })),
    "a signed invite whose expiry was extended": () => tamperedToken((r) => ({ ...r, expires: r.expires + 86_400 })),
    "a record with a tag copied from another invite": async () => {
      const other = await writeRawRecord(world.redis, recordWith({ additional_data: ADMIN_ROLES }));
      const value = (await readRawRecord(world.redis, other)) as { record: string; tag: string };
      return writeRawRecord(world.redis, recordWith(), { value });
    },
  };

  for (const [what, forge] of Object.entries(forgeries)) {
    it(`registers nobody with ${what}`, async () => {
      const username = uniqueName("forger");
      const attempt = await register(await forge(), username);
      expect(errorOf(attempt.preauth).condition).toBe("forbidden");
      expect(attempt.register.attrs.type).toBe("error");
      expect(existsSync(join(world.servers.prosody.dir, "data", "localhost", "accounts", `${username}.dat`))).toBe(
        false,
      );
      expect(hasRolesFile(username)).toBe(false);
    });
  }

  it("resets no password with a forged reset link for the admin", async () => {
    const reset = recordWith({ jid: "admin@localhost", additional_data: { allow_reset: "admin" } });
    const token = await writeRawRecord(world.redis, reset, { value: { record: JSON.stringify(reset) } });
    const attempt = await register(token, "admin", "taken-over");
    expect(errorOf(attempt.preauth).condition).toBe("forbidden");
    const admin = await connectUser({
      service: world.servers.service,
      domain: "localhost",
      username: "admin",
      password: "admin-password",
    });
    world.users.push(admin);
    expect(admin.bareJid).toBe("admin@localhost");
  });

  it("pre-approves no subscription with a forged contact invite: the inviter is asked as usual", async () => {
    const [alice, bob] = await world.loginAll(["alice@localhost", "bob@localhost"]);
    const contact = recordWith({ type: "roster", jid: "alice@localhost", allow_registration: false });
    const token = await writeRawRecord(world.redis, contact, { signingKey: "y".repeat(40) });
    await bob.send(
      xml(
        "presence",
        { to: "alice@localhost", type: "subscribe" },
        xml("preauth", { xmlns: "urn:xmpp:pars:0", token }),
      ),
    );
    await alice.nextPresence({ from: "bob@localhost", type: "subscribe" });
    expect(bob.received.some((p) => p.attrs.from === "alice@localhost" && p.attrs.type === "subscribed")).toBe(false);
    expect(world.servers.prosody.logTail(10_000)).toContain("signature does not verify");
    expect(world.servers.prosody.logTail(10_000)).not.toContain(token);
  });
});

describe("signed records", () => {
  it("register with the current key and with an old one still configured (rotation)", async () => {
    for (const signingKey of [undefined, TEST_OLD_SIGNING_KEY]) {
      const token = await writeRawRecord(world.redis, recordWith(), signingKey === undefined ? {} : { signingKey });
      expect((await register(token, uniqueName("signed"))).register.attrs.type).toBe("result");
    }
  });

  it("grant no role, even signed, unless invites_redis_trust_roles is set", async () => {
    const username = uniqueName("roled");
    const token = await writeRawRecord(world.redis, recordWith({ additional_data: ADMIN_ROLES }));
    expect((await register(token, username)).register.attrs.type).toBe("result");
    expect(hasRolesFile(username)).toBe(false);
  });

  it("are what Prosody writes for its own invites, and hold no token anywhere in Redis", async () => {
    const { token } = inviteFromProsodyctl(
      await world.servers.prosody.prosodyctl("mod_invites", "generate", "localhost"),
    );
    const bot = await world.startBot("bot");
    const alice = world.users.find((u) => u.bareJid === "alice@localhost") ?? (await world.login("alice@localhost"));
    const contact = tokenOf(await createInviteUri(alice, bot.jid, "urn:xmpp:invite#invite"));
    const text: string[] = [];
    for await (const keys of world.redis.scanIterator({ MATCH: "*", COUNT: 1000 })) {
      for (const key of keys) {
        text.push(key);
        const type = await world.redis.type(key);
        if (type === "string") text.push((await world.redis.get(key)) ?? "");
        if (type === "zset") text.push(...(await world.redis.zRange(key, 0, -1)));
        if (type === "set") text.push(...(await world.redis.sMembers(key)));
        if (type === "stream") text.push(JSON.stringify(await world.redis.xRange(key, "-", "+")));
      }
    }
    const everything = text.join("\n");
    expect(everything).toContain(tokenHash(token));
    for (const t of [token, contact]) expect(everything).not.toContain(t);
    expect((await register(token, uniqueName("cli"))).register.attrs.type).toBe("result");
  });
});

describe("indexes through every use", () => {
  async function indexed(token: string, inviter?: string): Promise<boolean[]> {
    const hash = tokenHash(token);
    return [
      (await world.redis.exists(recordKey("localhost", hash))) === 1,
      (await world.redis.zScore(pendingKey("localhost"), hash)) !== null,
      (await world.redis.zScore(idsKey("localhost"), hash)) !== null,
      ...(inviter === undefined ? [] : [(await world.redis.zScore(byInviterKey("localhost", inviter), hash)) !== null]),
    ];
  }

  it("a registration removes a single-use invite from every index", async () => {
    const token = await writeRawRecord(world.redis, recordWith());
    expect(await indexed(token, "admin@localhost")).toEqual([true, true, true, true]);
    expect((await register(token, uniqueName("once"))).register.attrs.type).toBe("result");
    expect(await indexed(token, "admin@localhost")).toEqual([false, false, false, false]);
  });

  it("a counted contact invite gives exactly its uses over registration and XEP-0379, then is gone", async () => {
    const [alice, bob, admin] = await world.loginAll(["alice@localhost", "bob@localhost", "admin@localhost"]);
    const record = recordWith({
      type: "roster",
      jid: "alice@localhost",
      reusable: true,
      additional_data: { source: "alice@localhost/x", max_uses: 3 },
    });
    const token = await writeRawRecord(world.redis, record);
    const subscribe = (user: TestUser) =>
      user.send(
        xml(
          "presence",
          { to: "alice@localhost", type: "subscribe" },
          xml("preauth", { xmlns: "urn:xmpp:pars:0", token }),
        ),
      );
    expect((await register(token, uniqueName("club"))).register.attrs.type).toBe("result");
    await subscribe(bob);
    await bob.nextPresence({ from: "alice@localhost", type: "subscribed" });
    expect(await world.redis.get(usedKey("localhost", tokenHash(token)))).toBe("2");
    expect((await register(token, uniqueName("club"))).register.attrs.type).toBe("result");
    // The cap is reached: every key of the invite is gone, and the next subscription is asked for as usual.
    expect(await indexed(token, "alice@localhost")).toEqual([false, false, false, false]);
    expect(await world.redis.exists(usedKey("localhost", tokenHash(token)))).toBe(0);
    await subscribe(admin);
    await alice.nextPresence({ from: "admin@localhost", type: "subscribe" });
    expect(admin.received.some((p) => p.attrs.from === "alice@localhost" && p.attrs.type === "subscribed")).toBe(false);
    expect((await register(token, uniqueName("club"))).register.attrs.type).toBe("error");
  });
});

describe("a store layout the module does not know", () => {
  it("refuses every invite with a clear log line, and works again once the layout is 2", async () => {
    const token = await writeRawRecord(world.redis, recordWith());
    await world.redis.set(layoutKey("localhost"), "3");
    try {
      const attempt = await register(token, uniqueName("layout"));
      expect(errorOf(attempt.preauth)).toMatchObject({ type: "wait", condition: "internal-server-error" });
      expect(world.servers.prosody.logTail(10_000)).toContain(
        "invite store layout 3 is not supported by this module; update prosody/",
      );
    } finally {
      await world.redis.set(layoutKey("localhost"), "2");
    }
    await eventually(async () => {
      expect((await register(token, uniqueName("layout"))).register.attrs.type).toBe("result");
    });
  });
});

describe("with invites_redis_trust_roles = true", () => {
  let trusting: Scenario;
  beforeAll(async () => {
    trusting = await startScenario({ inviteModule: true, moduleConfig: "invites_redis_trust_roles = true" });
  });
  afterAll(async () => trusting?.stop());

  it("a signed invite's roles are applied (so the check above sees roles where there are some)", async () => {
    const token = await writeRawRecord(trusting.redis, recordWith({ additional_data: ADMIN_ROLES }));
    const attempt = await registerWithToken({
      port: trusting.servers.prosody.port,
      domain: "localhost",
      token,
      username: "trusted",
      password: "trusted-pw",
    });
    expect(attempt.register.attrs.type).toBe("result");
    await eventually(async () =>
      expect(existsSync(join(trusting.servers.prosody.dir, "data", "localhost", "roles", "trusted.dat"))).toBe(true),
    );
  });
});
