/** A private Prosody on a free loopback port, with its own config, data and log in a temp dir. */
import { execFile, execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onProcessExit } from "./exit-cleanup.js";
import { describeExit, type ManagedProcess, spawnManaged } from "./managed-process.js";
import { pollUntil } from "./poll.js";
import { freePort } from "./ports.js";
import { luaString, prosodyConfig } from "./prosody-config.js";
import { canConnect } from "./tcp.js";

export const DEFAULT_HOSTS = ["localhost", "other.localhost"] as const;

export interface StartProsodyOptions {
  /** Lua appended to the global section. */
  extraConfig?: string;
  /** VirtualHosts served; defaults to DEFAULT_HOSTS. */
  hosts?: readonly string[];
  /** Modules enabled on top of BASE_MODULES (e.g. "invites", "register"). */
  extraModules?: readonly string[];
  /** The `storage` option as Lua; `"internal"` by default. */
  storage?: string;
  /** The `allow_registration` option; false by default (not in extraConfig: Prosody 13 warns about a second one). */
  allowRegistration?: boolean;
  /** Components served beside the hosts (e.g. a MUC service); none by default. */
  components?: readonly { host: string; module: string }[];
  /** Port for c2s; a free one by default. */
  port?: number;
  /** How long to wait for the c2s port. */
  readyTimeoutMs?: number;
  /**
   * The whole config text, for a setup the options above cannot express (e.g. per-host
   * modules); it must log to `<dir>/prosody.log` and listen on 127.0.0.1:`port`.
   */
  config?: (paths: { dir: string; port: number }) => string;
}

export interface ProsodyServer {
  port: number;
  /** The running process's pid (changes on restart). */
  readonly pid: number | undefined;
  /** `xmpp://127.0.0.1:PORT` */
  service: string;
  hosts: readonly string[];
  /** Temp dir with prosody.cfg.lua, data/, prosody.log (removed by stop()). */
  dir: string;
  configPath: string;
  /** Creates (or resets the password of) `user@host`, via prosodyctl; works while Prosody runs. */
  register(user: string, host: string, password: string): Promise<void>;
  /** Runs `prosodyctl --config <configPath> ...args` and resolves with its stdout. */
  prosodyctl(...args: string[]): Promise<string>;
  /** Stops the process but keeps config and data, for an outage; start() brings it back on the same port. */
  halt(): Promise<void>;
  /** Starts Prosody again after halt(). */
  start(): Promise<void>;
  /** Stops Prosody (SIGTERM, SIGKILL after 5 s) and removes its temp dir. */
  stop(): Promise<void>;
  /** Stops Prosody and starts it again on the same port, config and data. */
  restart(): Promise<void>;
  /** The last `lines` lines of prosody.log (debug level) and of the process output. */
  logTail(lines?: number): string;
}

/** Starts `prosody --config <file> -F` and resolves once c2s is listening. */
export async function startProsody(options: StartProsodyOptions = {}): Promise<ProsodyServer> {
  const port = options.port ?? (await freePort());
  const hosts = options.hosts ?? DEFAULT_HOSTS;
  const readyTimeoutMs = options.readyTimeoutMs ?? 15_000;
  const dir = await mkdtemp(join(tmpdir(), "invite-bot-prosody-"));
  const forgetDir = onProcessExit(() => rmSync(dir, { recursive: true, force: true }));
  const configPath = join(dir, "prosody.cfg.lua");
  const logPath = join(dir, "prosody.log");
  await mkdir(join(dir, "data"));
  await mkdir(join(dir, "certs"));
  await writeFile(
    configPath,
    options.config?.({ dir, port }) ??
      prosodyConfig({
        dir,
        port,
        hosts,
        extraModules: options.extraModules,
        extraConfig: options.extraConfig,
        ...(options.storage === undefined ? {} : { storage: options.storage }),
        ...(options.allowRegistration === undefined ? {} : { allowRegistration: options.allowRegistration }),
        ...(options.components === undefined ? {} : { components: options.components }),
        major: prosodyMajorVersion(),
      }),
  );

  let proc: ManagedProcess | undefined;
  /** prosody.log from byte offset `from` on. */
  const readLog = (from = 0): string => {
    try {
      return readFileSync(logPath).subarray(from).toString("utf8");
    } catch {
      return "";
    }
  };
  const logTail = (lines = 40): string => {
    const log = readLog().split("\n").slice(-lines).join("\n");
    const output = proc?.output(lines).trim() ?? "";
    return output === "" ? log : `${log}\n--- prosody stdout/stderr ---\n${output}`;
  };

  const launch = async (): Promise<void> => {
    let logStart = 0;
    try {
      logStart = statSync(logPath).size;
    } catch {
      // no log yet
    }
    const started = spawnManaged("prosody", ["--config", configPath, "-F"], dir);
    proc = started;
    const listening = `Activated service 'c2s' on [127.0.0.1]:${port}`;
    await pollUntil(
      async () => {
        const exit = started.exit();
        if (exit !== undefined) {
          throw new Error(`prosody on port ${port} ${describeExit(exit)} before it was ready:\n${logTail()}`);
        }
        const log = readLog(logStart);
        // Prosody keeps running when it cannot bind; another server could be answering on the port.
        const bindError = log.split("\n").find((line) => line.includes("Failed to open server port"));
        if (bindError !== undefined) {
          throw new Error(`prosody could not listen on 127.0.0.1:${port}: ${bindError}\n${logTail()}`);
        }
        return log.includes(listening) && (await canConnect(port));
      },
      readyTimeoutMs,
      () => new Error(`prosody did not listen on 127.0.0.1:${port} within ${readyTimeoutMs} ms:\n${logTail()}`),
    ).catch(async (error: unknown) => {
      await started.stop();
      throw error;
    });
  };

  const prosodyctl = (...args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile(
        "prosodyctl",
        ["--config", configPath, ...args],
        { cwd: dir, timeout: 15_000 },
        (error, stdout, stderr) => {
          if (error) {
            reject(
              new Error(`prosodyctl ${args.join(" ")} failed (${error.message.split("\n")[0]}):\n${stdout}${stderr}`),
            );
          } else {
            resolve(stdout);
          }
        },
      );
    });

  try {
    await launch();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    forgetDir();
    throw error;
  }

  return {
    port,
    get pid() {
      return proc?.pid;
    },
    service: `xmpp://127.0.0.1:${port}`,
    hosts,
    dir,
    configPath,
    async register(user, host, password) {
      await prosodyctl("register", user, host, password).catch((error: unknown) => {
        // Keep the password out of the error message (it contains the command line).
        const message = error instanceof Error ? error.message : String(error);
        throw new Error(password === "" ? message : message.replaceAll(password, "<password>"));
      });
    },
    prosodyctl,
    async stop() {
      await proc?.stop();
      keepLog(logPath, port);
      await rm(dir, { recursive: true, force: true });
      forgetDir();
    },
    async halt() {
      await proc?.stop();
    },
    start: launch,
    async restart() {
      await proc?.stop();
      await launch();
    },
    logTail,
  };
}

/**
 * With KEEP_PROSODY_LOGS=DIR, a stopped Prosody's debug log is kept as DIR/PORT.log: what a test that failed under
 * load (in CI) saw, after its temp dir is gone.
 */
function keepLog(logPath: string, port: number): void {
  const keepIn = process.env.KEEP_PROSODY_LOGS;
  if (keepIn === undefined || keepIn === "" || !existsSync(logPath)) return;
  mkdirSync(keepIn, { recursive: true });
  copyFileSync(logPath, join(keepIn, `${port}.log`));
}

/** The installed Prosody's major version, from `prosodyctl about` ("Prosody 0.12.3" → 0; "Prosody 13.0.1" → 13). */
let majorVersion: number | undefined;

export function prosodyMajorVersion(): number {
  if (majorVersion !== undefined) return majorVersion;
  const about = execFileSync("prosodyctl", ["about"], { encoding: "utf8" });
  const match = /^Prosody (\d+)\./mu.exec(about);
  if (match?.[1] === undefined) throw new Error(`cannot tell Prosody's version from prosodyctl about:\n${about}`);
  majorVersion = Number(match[1]);
  return majorVersion;
}

/** What an invite made on the command line is for; see commandLineInviteArgs. */
export interface CommandLineInvite {
  /** An invite for an admin account: 0.12 `--admin`; 13 `--role prosody:admin` (13.0.1 refuses `--admin`). */
  admin?: boolean;
  /**
   * The roles the invitee is to get: `--role` each. 13 keeps them as a list, the first the primary role; 0.12 keeps
   * one (its `--role` and `--admin` override each other), so more than one is refused here on 0.12.
   */
  roles?: readonly string[];
  /** `--group` each (13 takes it only with the community mod_invites_groups loaded, and refuses it otherwise). */
  groups?: readonly string[];
  /** A password reset link for this local user: 0.12 `generate --reset USER`; 13 `shell invite create_reset`. */
  reset?: string;
  /**
   * A contact invite of this local user that also lets the invitee register: the admin shell's invite commands on
   * both (0.12 `invite:create_contact(JID, true)`, 13 `invite create_contact JID --allow-registration`), so 0.12
   * needs admin_shell loaded too.
   */
  contactOf?: string;
}

/**
 * The prosodyctl arguments that make an invite from the command line: `mod_invites generate` on 0.12,
 * `shell invite create_account` / `create_reset` / `create_contact` on 13, where the former is deprecated and exits 1
 * (13 needs admin_shell loaded: inviteModuleOptions loads it there).
 */
export function commandLineInviteArgs(host: string, invite: CommandLineInvite = {}): string[] {
  const roles = [...(invite.admin ? ["prosody:admin"] : []), ...(invite.roles ?? [])];
  const groupFlags = (invite.groups ?? []).flatMap((group) => ["--group", group]);
  if (prosodyMajorVersion() >= 13) {
    if (invite.reset !== undefined) return ["shell", "invite", "create_reset", `${invite.reset}@${host}`];
    if (invite.contactOf !== undefined) {
      return ["shell", "invite", "create_contact", `${invite.contactOf}@${host}`, "--allow-registration"];
    }
    return ["shell", "invite", "create_account", host, ...roles.flatMap((role) => ["--role", role]), ...groupFlags];
  }
  if (invite.contactOf !== undefined) {
    return ["shell", `invite:create_contact(${luaString(`${invite.contactOf}@${host}`)}, true)`];
  }
  if (invite.reset !== undefined) return ["mod_invites", "generate", host, "--reset", invite.reset];
  if (roles.length > 1) throw new Error(`Prosody 0.12 keeps one role per invite, not ${roles.join(", ")}`);
  const roleFlags = invite.admin ? ["--admin"] : roles.flatMap((role) => ["--role", role]);
  return ["mod_invites", "generate", host, ...roleFlags, ...groupFlags];
}
