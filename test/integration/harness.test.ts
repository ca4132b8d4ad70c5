/** Checks the integration harness itself: private Prosody + Redis, real clients, restarts. */
import { createClient } from "@keyv/redis";
import { xml } from "@xmpp/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { liveDescendants } from "../helpers/descendants.js";
import { startProsody } from "../helpers/prosody-server.js";
import { redisPing, startRedis } from "../helpers/redis-server.js";
import { INSTALL_COMMAND, requireBinaries } from "../helpers/require-binary.js";
import { startScenario } from "../helpers/scenario.js";
import { startServers, type TestServers } from "../helpers/servers.js";
import { connectUser, type TestUser } from "../helpers/xmpp-user.js";

const PING = () => xml("ping", { xmlns: "urn:xmpp:ping" });

describe("integration harness", { timeout: 60_000 }, () => {
  let servers: TestServers | undefined;
  const users: TestUser[] = [];

  const connect = async (username: string, domain = "localhost"): Promise<TestUser> => {
    if (servers === undefined) throw new Error("servers not started");
    const user = await connectUser({ service: servers.service, domain, username, password: `${username}-pw` });
    users.push(user);
    return user;
  };

  beforeAll(async () => {
    servers = await startServers();
    await servers.prosody.register("alice", "localhost", "alice-pw");
    await servers.prosody.register("bob", "localhost", "bob-pw");
    await servers.prosody.register("carol", "other.localhost", "carol-pw");
  }, 60_000);

  afterAll(async () => {
    await Promise.all(users.map((user) => user.stop()));
    await servers?.stop();
  }, 60_000);

  it("serves private loopback ports", () => {
    expect(servers?.service).toMatch(/^xmpp:\/\/127\.0\.0\.1:\d+$/);
    expect(servers?.redis.url).toMatch(/^redis:\/\/invite-bot-tests:\w+@127\.0\.0\.1:\d+$/u);
    expect(servers?.redisUrl).toMatch(/^redis:\/\/xmpp-invite-bot:\w+@127\.0\.0\.1:\d+$/);
    expect(servers?.prosody.port).not.toBe(5222);
  });

  it("delivers a chat message between two users and across hosts", async () => {
    const alice = await connect("alice");
    const bob = await connect("bob");
    const carol = await connect("carol", "other.localhost");
    expect(alice.jid).toMatch(/^alice@localhost\/test-/);

    await alice.sendChat(bob.bareJid, "hello bob");
    const got = await bob.nextMessage({ from: alice.bareJid, body: "hello bob" });
    expect(got.attrs.type).toBe("chat");
    expect(got.attrs.from).toBe(alice.jid);

    await carol.sendChat(alice.jid, "hi from the other host");
    const fromCarol = await alice.nextMessage({ from: carol.bareJid, body: "hi from the other host" });
    expect(fromCarol.attrs.from).toBe(carol.jid);
  });

  it("takes the message a test names, leaving an earlier one from the same sender for later", async () => {
    const alice = await connect("alice");
    const bob = await connect("bob");
    await alice.sendChat(bob.bareJid, "an earlier notice");
    await alice.sendChat(bob.bareJid, "the answer");
    const answer = await bob.nextMessage({ from: alice.bareJid, body: /answer/u });
    expect(answer.getChildText("body")).toBe("the answer");
    // The earlier one was not consumed: it is still the oldest message from alice.
    const oldest = await bob.nextMessage({ from: alice.bareJid, body: /./u });
    expect(oldest.getChildText("body")).toBe("an earlier notice");
  });

  it("handles presence subscriptions and ad-hoc command discovery", async () => {
    const alice = await connect("alice");
    const bob = await connect("bob");
    await alice.send(xml("presence", { to: bob.bareJid, type: "subscribe" }));
    await bob.nextPresence({ from: alice.bareJid, type: "subscribe" });
    await bob.send(xml("presence", { to: alice.bareJid, type: "subscribed" }));
    await alice.nextPresence({ from: bob.bareJid, type: "subscribed" });
    // Once subscribed, alice is told bob is available.
    const available = await alice.nextPresence({ from: bob.jid, type: "available" });
    expect(available.attrs.type).toBeUndefined();

    const items = await alice.request(
      xml(
        "iq",
        { type: "get", to: "localhost" },
        xml("query", { xmlns: "http://jabber.org/protocol/disco#items", node: "http://jabber.org/protocol/commands" }),
      ),
    );
    expect(items.getChild("query")?.attrs.node).toBe("http://jabber.org/protocol/commands");
  });

  it("pings the server (XEP-0199) and reports stanza errors", async () => {
    const alice = await connect("alice");
    const pong = await alice.request(xml("iq", { type: "get", to: "localhost" }, PING()));
    expect(pong.attrs.type).toBe("result");

    const unknown = xml("iq", { type: "get", to: "localhost" }, xml("query", { xmlns: "urn:example:nothing" }));
    const raw = await alice.requestRaw(unknown);
    expect(raw.attrs.type).toBe("error");
    await expect(
      alice.request(xml("iq", { type: "get", to: "localhost" }, xml("query", { xmlns: "urn:example:nothing" }))),
    ).rejects.toMatchObject({ condition: "service-unavailable" });
  });

  it("times out clearly when no message comes", async () => {
    const bob = await connect("bob");
    await expect(bob.nextMessage({ from: "nobody@localhost", body: "never sent" }, 200)).rejects.toThrow(
      /timed out after 200 ms waiting for a message from nobody@localhost with body never sent/,
    );
  });

  it("rejects a wrong password with a clear error", async () => {
    if (servers === undefined) throw new Error("servers not started");
    await expect(
      connectUser({ service: servers.service, domain: "localhost", username: "alice", password: "wrong" }),
    ).rejects.toThrow(/could not log in as alice@localhost/);
  });

  it("answers Redis PING, raw and through a client", async () => {
    if (servers === undefined) throw new Error("servers not started");
    expect(await redisPing(servers.redis.port)).toBe(true);
    const redis = createClient({ url: servers.redisUrl });
    await redis.connect();
    try {
      expect(await redis.ping()).toBe("PONG");
    } finally {
      redis.destroy();
    }
  });

  it("lets users log in again after Prosody restarts (same port, same accounts)", async () => {
    if (servers === undefined) throw new Error("servers not started");
    const port = servers.prosody.port;
    await servers.prosody.restart();
    expect(servers.prosody.port).toBe(port);
    const bob = await connect("bob");
    const pong = await bob.request(xml("iq", { type: "get", to: "localhost" }, PING()));
    expect(pong.attrs.type).toBe("result");
    const carol = await connectUser({
      service: servers.service,
      domain: "other.localhost",
      username: "carol",
      password: "carol-pw",
      resource: "phone",
    });
    users.push(carol);
    expect(carol.jid).toBe("carol@other.localhost/phone");
  });

  it("answers PING again after Redis restarts (same port)", async () => {
    if (servers === undefined) throw new Error("servers not started");
    await servers.redis.restart();
    expect(await redisPing(servers.redis.port)).toBe(true);
    const redis = createClient({ url: servers.redisUrl });
    await redis.connect();
    try {
      expect(await redis.ping()).toBe("PONG");
    } finally {
      redis.destroy();
    }
  });

  it("refuses to start a server on a port that is already taken", async () => {
    if (servers === undefined) throw new Error("servers not started");
    await expect(startProsody({ port: servers.redis.port, readyTimeoutMs: 5000 })).rejects.toThrow(
      /could not listen on 127\.0\.0\.1/,
    );
    await expect(startRedis({ port: servers.prosody.port, readyTimeoutMs: 5000 })).rejects.toThrow(
      /redis-server on port \d+ exited/,
    );
  });

  it("fails (never skips) with the install command when a binary is missing", () => {
    const path = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      expect(() => requireBinaries()).toThrow(INSTALL_COMMAND);
    } finally {
      process.env.PATH = path;
    }
    expect(INSTALL_COMMAND).toBe("apt-get install -y prosody redis-server");
  });
});

describe("a start that fails half-way", { timeout: 60_000 }, () => {
  /** The processes this test file has started and not stopped, as "pid command". */
  const running = () => liveDescendants().map(({ pid, command }) => `${pid} ${command}`);

  /** The error `start` fails with; a start that succeeds is stopped again and fails the test. */
  const failureOf = async (start: Promise<{ stop(): Promise<void> }>): Promise<string> => {
    const started = await start.catch((error: unknown) => error);
    if (!(started instanceof Error)) {
      await (started as { stop(): Promise<void> }).stop();
      throw new Error("the start was meant to fail");
    }
    return started.message;
  };

  it("stops the Redis it started when Prosody then fails to start, and says that Prosody failed", async () => {
    const before = running();
    const failure = await failureOf(startServers({}, { inviteModule: true, moduleConfig: "this is not Lua" }));
    expect(running()).toEqual(before);
    expect(failure).toMatch(
      /^startServers: starting Prosody with the invite module failed: prosody on port \d+ exited/u,
    );
  });

  it("stops Prosody and Redis when an account cannot be registered after both are up", async () => {
    const before = running();
    // Prosody starts with an authentication provider it cannot load; prosodyctl register then fails.
    const failure = await failureOf(
      startScenario({ inviteModule: true, moduleConfig: 'authentication = "no_such_provider"' }),
    );
    expect(running()).toEqual(before);
    expect(failure).toMatch(/^startScenario: registering admin@localhost failed: prosodyctl register/u);
  });
});
