/**
 * The benchmark's one private Prosody: two VirtualHosts in one process, on a free loopback port.
 *
 * - `localhost`: where the bot serves (base modules only; the bot writes its invites to Redis itself,
 *   so neither Prosody's mod_invites nor our mod_invites_redis is loaded there).
 * - `native.localhost`: Prosody's own mod_invites + mod_invites_adhoc on the default internal (file) storage.
 *
 * The test harness's startProsody() cannot give one host modules of its own, so this builds the config from
 * test/helpers/prosody-config.ts (same base settings and modules as the tests) and appends the two
 * VirtualHost sections. Two settings differ from the tests' to match a real server: Prosody logs at `info` (its
 * packaged default), not `debug` (a debug line per stanza is a cost production servers do not pay), and SCRAM
 * uses Prosody's default 10,000 PBKDF2 iterations, not 256 (it is part of the bot's time to online).
 */
import { execFile } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onProcessExit } from "../test/helpers/exit-cleanup.js";
import { describeExit, type ManagedProcess, spawnManaged } from "../test/helpers/managed-process.js";
import { pollUntil } from "../test/helpers/poll.js";
import { freePort } from "../test/helpers/ports.js";
import { luaString, prosodyConfig } from "../test/helpers/prosody-config.js";
import { canConnect } from "../test/helpers/tcp.js";

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

export function benchConfig(dir: string, port: number): string {
  const logPath = join(dir, "prosody.log");
  const logLine = `log = { info = ${luaString(logPath)} }`;
  let base = prosodyConfig({ dir, port, hosts: [] });
  base = /^log = .*$/mu.test(base) ? base.replace(/^log = .*$/mu, logLine) : `${base}\n${logLine}\n`;
  // The harness lowers SCRAM's PBKDF2 iterations to 256 to make test logins cheap; the bot's time to online
  // is measured here, so Prosody's default (10,000) applies, as on a real server.
  base = base.replace(/^default_iteration_count = .*\n/gmu, "");
  return [
    base,
    `VirtualHost ${luaString(BOT_HOST)}`,
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

export async function startBenchProsody(readyTimeoutMs = 15_000): Promise<BenchProsody> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), "invite-bot-bench-prosody-"));
  const forgetDir = onProcessExit(() => rmSync(dir, { recursive: true, force: true }));
  const configPath = join(dir, "prosody.cfg.lua");
  const logPath = join(dir, "prosody.log");
  await mkdir(join(dir, "data"));
  await mkdir(join(dir, "certs"));
  await writeFile(configPath, benchConfig(dir, port));

  const readLog = (): string => {
    try {
      return readFileSync(logPath, "utf8");
    } catch {
      return "";
    }
  };
  let proc: ManagedProcess | undefined;
  const logTail = (lines = 40): string => {
    const log = readLog().split("\n").slice(-lines).join("\n");
    const output = proc?.output(lines).trim() ?? "";
    return output === "" ? log : `${log}\n--- prosody stdout/stderr ---\n${output}`;
  };
  const stop = async (): Promise<void> => {
    await proc?.stop();
    await rm(dir, { recursive: true, force: true });
    forgetDir();
  };

  try {
    const started = spawnManaged("prosody", ["--config", configPath, "-F"], dir);
    proc = started;
    const listening = `Activated service 'c2s' on [127.0.0.1]:${port}`;
    await pollUntil(
      async () => {
        const exit = started.exit();
        if (exit !== undefined) throw new Error(`prosody ${describeExit(exit)} before it was ready:\n${logTail()}`);
        const log = readLog();
        const bindError = log.split("\n").find((line) => line.includes("Failed to open server port"));
        if (bindError !== undefined) throw new Error(`prosody could not listen: ${bindError}\n${logTail()}`);
        return log.includes(listening) && (await canConnect(port));
      },
      readyTimeoutMs,
      () => new Error(`prosody did not listen on 127.0.0.1:${port} within ${readyTimeoutMs} ms:\n${logTail()}`),
    );
  } catch (error) {
    await stop();
    throw error;
  }

  const run = (command: string, args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile(command, args, { cwd: dir, timeout: 15_000 }, (error, stdout, stderr) => {
        if (error)
          reject(
            new Error(`${command} ${args[2] ?? args[0] ?? ""} failed: ${error.message.split("\n")[0]}\n${stderr}`),
          );
        else resolve(stdout);
      });
    });

  const pid = proc?.pid;
  if (pid === undefined) {
    await stop();
    throw new Error("prosody has no pid");
  }
  return {
    port,
    pid,
    service: `xmpp://127.0.0.1:${port}`,
    dir,
    configPath,
    async register(user, host, password) {
      await run("prosodyctl", ["--config", configPath, "register", user, host, password]).catch((error: Error) => {
        throw new Error(error.message.replaceAll(password, "<password>"));
      });
    },
    storePath: (user, host, store) =>
      join(dir, "data", encodePathPart(host), encodePathPart(store, /\w/u), `${encodePathPart(user)}.dat`),
    async version() {
      const out = await run("prosodyctl", ["--config", configPath, "about"]).catch(() => "");
      return /^Prosody\s+(.+)$/mu.exec(out)?.[1]?.trim() ?? "unknown";
    },
    logTail,
    stop,
  };
}
