import { fileURLToPath } from "node:url";
/** Starts the private Prosody and Redis that the integration tests run against. */
import { type ProsodyServer, type StartProsodyOptions, startProsody } from "./prosody-server.js";
import { type RedisProxy, startRedisProxy } from "./redis-proxy.js";
import { type RedisServer, startRedis } from "./redis-server.js";
import { requireBinaries } from "./require-binary.js";
import { TEST_OLD_SIGNING_KEY, TEST_SIGNING_KEY } from "./signing.js";
import { allSettledOrThrow, startInSteps } from "./start-steps.js";

/** The repository's prosody/ folder (mod_invites_redis and its storage driver). */
export const PROSODY_MODULE_DIR = fileURLToPath(new URL("../../prosody", import.meta.url));

/** Test-only Prosody modules (mod_load_in_order). */
const FIXTURE_MODULE_DIR = fileURLToPath(new URL("../fixtures/prosody", import.meta.url));

/**
 * Prosody's invite modules plus ours, reading invites from `redisUrl`, as
 * docs/prosody.md tells admins to configure it. admin@localhost is a Prosody
 * admin, for Prosody's own invite commands.
 */
export function inviteModuleOptions(
  redisUrl: string,
  moduleDir = PROSODY_MODULE_DIR,
  inviteBot?: string,
  morePluginPaths: readonly string[] = [],
): StartProsodyOptions {
  return {
    // The admin shell: Prosody 13 makes command-line invites through it (commandLineInviteArgs), and the tests ask
    // it for Prosody's state on both versions (test/helpers/prosody-shell.ts).
    extraModules: [
      "invites",
      "invites_register",
      // Our mod_invites_bot replaces Prosody's own invite commands (docs/prosody.md).
      inviteBot === undefined ? "invites_adhoc" : "invites_bot",
      "invites_redis",
      "admin_shell",
    ],
    storage: '{ invite_token = "invites_redis" }',
    extraConfig: [
      `plugin_paths = { ${[moduleDir, ...morePluginPaths].map((path) => JSON.stringify(path)).join(", ")} }`,
      'admins = { "admin@localhost" }',
      `invites_redis_url = ${JSON.stringify(`${redisUrl}/0`)}`,
      "invites_redis_timeout = 0.3",
      // Every test client comes from 127.0.0.1: the per-address limit is tested on its own (stall.test.ts).
      "invites_redis_checks_per_minute = 100000",
      "invites_redis_checks_per_second = 100000",
      `invites_redis_signing_key = ${JSON.stringify(TEST_SIGNING_KEY)}`,
      `invites_redis_signing_keys_old = { ${JSON.stringify(TEST_OLD_SIGNING_KEY)} }`,
      ...(inviteBot === undefined ? [] : [`invites_bot_jid = ${JSON.stringify(inviteBot)}`]),
    ].join("\n"),
  };
}

export interface TestServers {
  prosody: ProsodyServer;
  redis: RedisServer;
  /** Same as prosody.service (`xmpp://127.0.0.1:PORT`). */
  service: string;
  /** The bot's Redis URL: its ACL user of docs/security.md (redis.url is the unrestricted test client). */
  redisUrl: string;
  /** With `redisProxy`: what Prosody reaches Redis through (the bot and the tests' client go direct). */
  redisProxy?: RedisProxy;
  /** Stops both servers (each even if the other fails to stop). */
  stop(): Promise<void>;
}

/**
 * Throws with the install command if a binary is missing; never skips.
 * With `inviteModule`, Redis starts first and Prosody reads its invites from it;
 * `moduleConfig` adds lines to that configuration (e.g. an option of the module).
 * If a server fails to start, those already started are stopped before the error (which names it) is thrown.
 */
export interface ServerOptions {
  inviteModule?: boolean;
  moduleConfig?: string;
  /** Prosody reaches Redis through a proxy (test/helpers/redis-proxy.ts) that can hang or delay it. */
  redisProxy?: boolean;
  /** Another copy of prosody/ to load (the benchmark compares versions); the repository's by default. */
  moduleDir?: string;
  /** The host name Prosody's Redis URL uses instead of 127.0.0.1 (e.g. `localhost`). */
  prosodyRedisHost?: string;
  /** More Prosody modules (e.g. the community `invites_page` for the benchmark, `smacks` as Debian enables it). */
  moreModules?: readonly string[];
  /** Load our mod_invites_bot for this bot (full JID) instead of Prosody's mod_invites_adhoc. */
  inviteBot?: string;
  /**
   * Modules loaded one after the other in this order, on every host (test/fixtures/prosody/mod_load_in_order.lua),
   * instead of from modules_enabled: Prosody loads that set in hash order, a different one on each start.
   */
  loadInOrder?: readonly string[];
  /**
   * A MUC service at MUC_HOST (XEP-0045) and PEP with XEP-0402 bookmarks on every host, for the group chats of
   * circles (docs/circles.md).
   */
  muc?: boolean;
}

/** The MUC component of a scenario started with `muc`. */
export const MUC_HOST = "conference.localhost";

export async function startServers(
  prosodyOptions: StartProsodyOptions = {},
  {
    inviteModule = false,
    moduleConfig = "",
    redisProxy = false,
    moduleDir,
    prosodyRedisHost,
    moreModules = [],
    inviteBot,
    loadInOrder = [],
    muc = false,
  }: ServerOptions = {},
): Promise<TestServers> {
  requireBinaries();
  return startInSteps("startServers", async ({ step }) => {
    if (!inviteModule) {
      const [prosody, redis] = await allSettledOrThrow([
        step(
          "starting Prosody",
          () =>
            startProsody({
              ...prosodyOptions,
              extraModules: [
                ...(prosodyOptions.extraModules ?? []),
                ...moreModules,
                ...(muc ? ["pep", "bookmarks"] : []),
              ],
              ...(muc ? { components: [{ host: MUC_HOST, module: "muc" }] } : {}),
            }),
          (started) => started.stop(),
        ),
        step(
          "starting Redis",
          () => startRedis(),
          (started) => started.stop(),
        ),
      ]);
      return serversOf(prosody, redis);
    }
    const redis = await step(
      "starting Redis",
      () => startRedis(),
      (started) => started.stop(),
    );
    const proxy = redisProxy
      ? await step(
          "starting the Redis proxy",
          () => startRedisProxy(redis.port),
          (started) => started.stop(),
        )
      : undefined;
    const url = new URL(proxy?.urlFor(redis.prosodyUrl) ?? redis.prosodyUrl);
    if (prosodyRedisHost !== undefined) url.hostname = prosodyRedisHost;
    const ordered = loadInOrder.length > 0;
    const options = inviteModuleOptions(
      url.toString().replace(/\/$/u, ""),
      moduleDir,
      inviteBot,
      ordered ? [FIXTURE_MODULE_DIR] : [],
    );
    const extraConfig = [
      options.extraConfig,
      moduleConfig,
      ordered ? `load_in_order = { ${loadInOrder.map((name) => JSON.stringify(name)).join(", ")} }` : "",
    ].join("\n");
    const mucModules = muc ? ["pep", "bookmarks"] : [];
    const extraModules = [
      ...[...(options.extraModules ?? []), ...moreModules, ...mucModules].filter((name) => !loadInOrder.includes(name)),
      ...(ordered ? ["load_in_order"] : []),
    ];
    const prosody = await step("starting Prosody with the invite module", () =>
      startProsody({
        ...options,
        extraModules,
        extraConfig,
        ...(muc ? { components: [{ host: MUC_HOST, module: "muc" }] } : {}),
        ...prosodyOptions,
      }),
    );
    return serversOf(prosody, redis, proxy);
  });
}

function serversOf(prosody: ProsodyServer, redis: RedisServer, redisProxy?: RedisProxy): TestServers {
  return {
    prosody,
    redis,
    service: prosody.service,
    redisUrl: redis.botUrl,
    ...(redisProxy === undefined ? {} : { redisProxy }),
    async stop() {
      const results = await Promise.allSettled([prosody.stop(), redis.stop(), redisProxy?.stop()]);
      const failed = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
      if (failed !== undefined) throw failed.reason;
    },
  };
}
