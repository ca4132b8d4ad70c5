/**
 * The registration suite (test/helpers/registration-suite.ts) on Valkey 8, Debian 12's bookworm-backports
 * valkey-server (scripts/valkey8.sh; docs/redis.md "Valkey"), with Prosody's module and the bot: on one server as
 * deployed (docker/redis/redis.conf, the ACL file of write-acl.sh with the default user off, append-only file) and
 * on a cluster of three masters joined by `valkey-cli --cluster create`. The same suite runs on a Redis Cluster in
 * cluster-registration.test.ts. Fails (never skips) when Valkey 8 is not installed. On 0.12 and 13.
 */
import { expect, it } from "vitest";
import { ACCOUNT_INVITE_NODE as ACCOUNT } from "../../src/commands/invite-commands.js";
import { inviteId } from "../../src/invites/pending.js";
import { recordKey } from "../../src/storage/keys.js";
import { tokenHash } from "../../src/storage/record.js";
import { createInviteUri, tokenOf } from "../helpers/adhoc-client.js";
import { clusterBotEnv, startClusterServers } from "../helpers/cluster-servers.js";
import { uniqueName } from "../helpers/names.js";
import { startRedis } from "../helpers/redis-server.js";
import { registrationSuite } from "../helpers/registration-suite.js";
import { rawRedisClient } from "../helpers/scenario.js";
import { prosodyOn } from "../helpers/stand-in-servers.js";
import { valkey8Binaries } from "../helpers/valkey.js";

/** INFO server's `server_name` and `valkey_version`, to be sure the suite ran on Valkey 8 and not on Redis. */
function expectValkey8(info: string): void {
  expect(info).toMatch(/\r\nserver_name:valkey\r\n/);
  expect(info).toMatch(/\r\nvalkey_version:8\.\d+\.\d+\r\n/);
}

registrationSuite({
  title: "on Valkey 8, one server as deployed",
  async start() {
    const redis = await startRedis({ binaries: valkey8Binaries() });
    try {
      return { servers: await prosodyOn(redis, []), botEnv: {} };
    } catch (error) {
      await redis.stop();
      throw error;
    }
  },
  more(world) {
    it("is Valkey 8 as deployed: append-only file, the default user off, the bot's user held to its commands", async () => {
      const { redis, servers } = world();
      expectValkey8(await redis.info("server"));
      expect(await redis.configGet("appendonly")).toEqual({ appendonly: "yes" });
      const defaultUser = (await redis.sendCommand(["ACL", "GETUSER", "default"])) as unknown[];
      expect(defaultUser[defaultUser.indexOf("flags") + 1]).toContain("off");
      const asBot = rawRedisClient(servers.redisUrl);
      asBot.on("error", () => {});
      await asBot.connect();
      try {
        await expect(asBot.sendCommand(["FLUSHALL"])).rejects.toThrow(/NOPERM/);
        await expect(asBot.get("someone-else:key")).rejects.toThrow(/NOPERM/);
      } finally {
        asBot.destroy();
      }
    });

    it("keeps an invite over a restart (the append-only file), and Prosody and the bot carry on", async () => {
      const { servers, redis, bots, users } = world();
      const [bot] = bots;
      const admin = users.find((user) => user.jid.startsWith("admin@"));
      if (bot === undefined || admin === undefined) throw new Error("the suite's bot and admin are gone");
      const token = tokenOf(await createInviteUri(admin, bot.jid, ACCOUNT));
      await servers.redis.restart();
      expect(await redis.exists(recordKey("localhost", tokenHash(token)))).toBe(1);
      expect(servers.redis.logTail(200)).not.toMatch(/NOPERM|CRITICAL|Bad file format/u);
      const handled = bot.events.waitFor("use-handled", { matches: ({ event }) => event.invite === inviteId(token) });
      const name = uniqueName("reg-after-restart");
      expect((await world().registerWithInvite(token, name)).register.attrs.type).toBe("result");
      expect((await handled).event).toMatchObject({ kind: "registered", invitee: `${name}@localhost` });
    });
  },
});

registrationSuite({
  title: "on a Valkey 8 cluster",
  firstCall: "Prosody following the redirection from a node without the host's slot",
  async start() {
    const servers = await startClusterServers({ binaries: valkey8Binaries() });
    return { servers, botEnv: clusterBotEnv(servers.cluster) };
  },
  more(world) {
    it("is a cluster of Valkey 8 masters", async () => {
      expectValkey8(await world().redis.info("server"));
      expect(await world().redis.sendCommand(["CLUSTER", "INFO"])).toMatch(/cluster_known_nodes:3\r\n/);
    });
  },
});
