/**
 * The benchmark's one private Prosody: two VirtualHosts in one process, on a free loopback port.
 *
 * - `localhost`: where the bot serves (base modules only; the bot writes its invites to Redis itself,
 *   so neither Prosody's mod_invites nor our mod_invites_redis is loaded there).
 * - `native.localhost`: Prosody's own mod_invites + mod_invites_adhoc on the default internal (file) storage.
 *
 * The config is test/helpers/prosody-config.ts's base (same settings and modules as the tests) with the two
 * VirtualHost sections appended, started through the harness's startProsody(). Two settings differ from the tests' to match a real server: Prosody logs at `info` (its
 * packaged default), not `debug` (a debug line per stanza is a cost production servers do not pay), and SCRAM
 * uses Prosody's default 10,000 PBKDF2 iterations, not 256 (it is part of the bot's time to online).
 */
import { join } from "node:path";
import { luaString, prosodyConfig } from "../test/helpers/prosody-config.js";
import { startProsody } from "../test/helpers/prosody-server.js";
import { PROSODY_MODULE_DIR } from "../test/helpers/servers.js";

export const BOT_HOST = "localhost";
export const NATIVE_HOST = "native.localhost";

export interface BenchProsody {
  port: number;
  pid: number;
  /** `xmpp://127.0.0.1:PORT` */
  service: string;
  dir: string;
  configPath: string;
  register(user: string, host: string, password: string): Promise<void>;
  /** Where mod_storage_internal keeps `user@host`'s map store `store` (Prosody's datamanager layout). */
  storePath(user: string, host: string, store: string): string;
  /** `prosody --version`'s first line. */
  version(): Promise<string>;
  logTail(lines?: number): string;
  /** SIGTERM (SIGKILL after 5 s), then removes the temp dir. */
  stop(): Promise<void>;
}

/** util/datamanager.lua's path encoding: `encode` (users, hosts) keeps [A-Za-z0-9], `store_encode` also "_". */
function encodePathPart(part: string, keep = /[A-Za-z0-9]/u): string {
  return [...part].map((c) => (keep.test(c) ? c : `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`)).join("");
}

/** With `inviteBot` (the bot's full JID), BOT_HOST also runs prosody/mod_invites_bot.lua for it (docs/clients.md). */
export function benchConfig(dir: string, port: number, inviteBot?: string): string {
  const logPath = join(dir, "prosody.log");
  const logLine = `log = { info = ${luaString(logPath)} }`;
  let base = prosodyConfig({ dir, port, hosts: [] });
  base = /^log = .*$/mu.test(base) ? base.replace(/^log = .*$/mu, logLine) : `${base}\n${logLine}\n`;
  // The harness lowers SCRAM's PBKDF2 iterations to 256 to make test logins cheap; the bot's time to online
  // is measured here, so Prosody's default (10,000) applies, as on a real server.
  base = base.replace(/^default_iteration_count = .*\n/gmu, "");
  // An experiment, not the documented run: BENCH_PROSODY_NAGLE=off sets TCP_NODELAY on Prosody's sockets
  // (docs/benchmarks.md, "Stanzas over 8 KiB").
  const nagle = process.env.BENCH_PROSODY_NAGLE ?? "on";
  if (nagle !== "on" && nagle !== "off") throw new Error('BENCH_PROSODY_NAGLE must be "on" or "off"');
  return [
    base,
    ...(nagle === "off" ? ["network_settings = { nagle = false }", ""] : []),
    ...(inviteBot === undefined ? [] : [`plugin_paths = { ${luaString(PROSODY_MODULE_DIR)} }`]),
    `VirtualHost ${luaString(BOT_HOST)}`,
    ...(inviteBot === undefined
      ? []
      : ['  modules_enabled = { "invites_bot" }', `  invites_bot_jid = ${luaString(inviteBot)}`]),
    "",
    `VirtualHost ${luaString(NATIVE_HOST)}`,
    '  modules_enabled = { "invites"; "invites_adhoc" }',
    // Prosody's defaults, spelled out: contact invites for every local user, no registration through them
    // (the bot runs with the same defaults: ALLOW_CONTACT_INVITES=true, ALLOW_USER_INVITES=false).
    "  allow_contact_invites = true",
    "  allow_user_invites = false",
    "",
  ].join("\n");
}

export async function startBenchProsody(readyTimeoutMs = 15_000, inviteBot?: string): Promise<BenchProsody> {
  const server = await startProsody({
    hosts: [],
    readyTimeoutMs,
    config: ({ dir, port }) => benchConfig(dir, port, inviteBot),
  });
  const pid = server.pid;
  if (pid === undefined) {
    await server.stop();
    throw new Error("prosody has no pid");
  }
  return {
    port: server.port,
    pid,
    service: server.service,
    dir: server.dir,
    configPath: server.configPath,
    register: (user, host, password) => server.register(user, host, password),
    storePath: (user, host, store) =>
      join(server.dir, "data", encodePathPart(host), encodePathPart(store, /\w/u), `${encodePathPart(user)}.dat`),
    async version() {
      const out = await server.prosodyctl("about").catch(() => "");
      return /^Prosody\s+(.+)$/mu.exec(out)?.[1]?.trim() ?? "unknown";
    },
    logTail: (lines) => server.logTail(lines),
    stop: () => server.stop(),
  };
}
