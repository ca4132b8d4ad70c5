/**
 * A private ejabberd (Debian 12's 23.01) per test file, on free loopback ports: its own config, spool and logs in
 * a temp dir owned by the `ejabberd` user (ejabberdctl switches to it), a ctl-config with ERL_DIST_PORT and its
 * own cookie and node name (so that no epmd starts), run in the foreground in a session of its own, ready when
 * its log says it accepts c2s connections, stopped with SIGTERM to its process group, the temp dir removed.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onProcessExit } from "./exit-cleanup.js";
import { freePort } from "./ports.js";
import { findOnPath, requireBinaries } from "./require-binary.js";

export const EJABBERD_INSTALL_COMMAND = "apt-get install -y ejabberd";

export interface EjabberdServer {
  port: number;
  /** `xmpp://127.0.0.1:PORT` */
  service: string;
  /** `http://127.0.0.1:PORT/api` (mod_http_api), for admins listed in `apiAdmins`. */
  apiUrl: string;
  host: string;
  /** Every host served: `host` first, then `otherHosts`. */
  hosts: readonly string[];
  dir: string;
  /** `ejabberdctl register USER HOST PASSWORD` on this node (on `host` unless another is given). */
  register(user: string, password: string, onHost?: string): Promise<void>;
  /** `ejabberdctl registered_users HOST`: the local parts of the accounts of a host. */
  registeredUsers(onHost?: string): Promise<string[]>;
  /** `ejabberdctl get_offline_count USER HOST`: the messages mod_offline keeps for an account. */
  offlineCount(user: string, onHost?: string): Promise<number>;
  /** The last lines of ejabberd's log. */
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

export interface StartEjabberdOptions {
  host?: string;
  /** More virtual hosts on the same server (e.g. `other.localhost`). */
  otherHosts?: readonly string[];
  /** Accounts in the `admin` ACL (XEP-0133 commands and the HTTP API), as `user@host`. */
  admins?: readonly string[];
  /**
   * Where the `admin` ACL is: `host` (the default, as docs/servers.md says) under `host_config` for `host` only, or
   * `global`, which makes them admins of every host.
   */
  adminScope?: "host" | "global";
  /** Whether mod_http_api's add_rosteritem is allowed to the admins (api_permissions). */
  api?: boolean;
  readyTimeoutMs?: number;
}

function ejabberdUid(): { uid: number; gid: number } {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((entry) => entry.startsWith("ejabberd:"));
  const [, , uid, gid] = line?.split(":") ?? [];
  if (uid === undefined || gid === undefined) {
    throw new Error(`no ejabberd user in /etc/passwd; install the package with: ${EJABBERD_INSTALL_COMMAND}`);
  }
  return { uid: Number(uid), gid: Number(gid) };
}

function config(options: {
  hosts: readonly string[];
  port: number;
  httpPort: number;
  admins: readonly string[];
  adminScope: "host" | "global";
  api: boolean;
}): string {
  const list = (jids: readonly string[], indent: string) =>
    (jids.length > 0 ? jids : ["nobody@localhost"]).map((jid) => `${indent}- ${JSON.stringify(jid)}`).join("\n");
  const global = options.adminScope === "global";
  // Admins of their own host only: the ACL under host_config, the global one naming nobody (docs/servers.md). A
  // host's acl replaces the global one whole, so it names the local users too.
  const hostConfig = global
    ? ""
    : `host_config:
  ${JSON.stringify(options.hosts[0])}:
    acl:
      admin:
        user:
${list(options.admins, "          ")}
      local:
        user_regexp: ""
`;
  return `# A private ejabberd for one test file (test/helpers/ejabberd-server.ts).
hosts:
${options.hosts.map((host) => `  - ${JSON.stringify(host)}`).join("\n")}
loglevel: info
log_rotate_count: 0
listen:
  -
    port: ${options.port}
    ip: "127.0.0.1"
    module: ejabberd_c2s
    max_stanza_size: 262144
    access: local
  -
    port: ${options.httpPort}
    ip: "127.0.0.1"
    module: ejabberd_http
    request_handlers:
      /api: mod_http_api
s2s_access: none
acme:
  auto: false
auth_method: internal
acl:
  admin:
    user:
${list(global ? options.admins : [], "        ")}
  local:
    user_regexp: ""
access_rules:
  local:
    allow: local
  configure:
    allow: admin
  register:
    deny: all
api_permissions:
  "admin access":
    from:
      - ejabberd_ctl
    who:
      access:
        allow:
          - acl: admin
    what:
      - "*"
${
  options.api
    ? // Named one by one: an ACL under host_config does not reach api_permissions, which are global.
      `  "api admins":
    from:
      - mod_http_api
    who:
${(options.admins.length > 0 ? options.admins : ["nobody@localhost"]).map((jid) => `      - user: ${JSON.stringify(jid)}`).join("\n")}
    what:
      - "*"
`
    : ""
}modules:
  mod_adhoc: {}
  mod_admin_extra: {}
  mod_configure: {}
  mod_disco: {}
  mod_roster: {}
  mod_ping: {}
  mod_register:
    access: none
  mod_http_api: {}
  # Group chats of circles (docs/circles.md) at conference.HOST, and offline storage for their invitations.
  mod_muc: {}
  mod_offline: {}
${hostConfig}`;
}

export async function startEjabberd(options: StartEjabberdOptions = {}): Promise<EjabberdServer> {
  requireBinaries(["ejabberdctl", "setpriv"], EJABBERD_INSTALL_COMMAND);
  const host = options.host ?? "localhost";
  const hosts = [host, ...(options.otherHosts ?? [])];
  const [port, httpPort, distPort] = [await freePort(), await freePort(), await freePort()];
  const { uid, gid } = ejabberdUid();
  const dir = mkdtempSync(join(tmpdir(), "invite-bot-ejabberd-"));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  const forget = onProcessExit(removeDir);
  const node = `ej${distPort}@localhost`;
  try {
    writeFileSync(
      join(dir, "ejabberd.yml"),
      config({
        hosts,
        port,
        httpPort,
        admins: options.admins ?? [],
        adminScope: options.adminScope ?? "host",
        api: options.api ?? true,
      }),
    );
    writeFileSync(
      join(dir, "ejabberdctl.cfg"),
      [
        `ERLANG_NODE=${node}`,
        `ERL_DIST_PORT=${distPort}`,
        `ERL_OPTIONS="-setcookie ${randomBytes(12).toString("hex")} -kernel inet_dist_use_interface {127,0,0,1}"`,
        `EJABBERD_PID_PATH=${join(dir, "ejabberd.pid")}`,
        "",
      ].join("\n"),
    );
    for (const path of [dir, join(dir, "ejabberd.yml"), join(dir, "ejabberdctl.cfg")]) chownSync(path, uid, gid);
  } catch (error) {
    removeDir();
    forget();
    throw new Error(`startEjabberd: writing its configuration in ${dir} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const ctlArgs = [
    "--config",
    join(dir, "ejabberd.yml"),
    "--ctl-config",
    join(dir, "ejabberdctl.cfg"),
    "--spool",
    dir,
    "--logs",
    dir,
  ];
  const setpriv = findOnPath("setpriv") ?? "setpriv";
  const asEjabberd = ["--reuid=ejabberd", "--regid=ejabberd", "--init-groups", "ejabberdctl", ...ctlArgs];
  const child: ChildProcess = spawn(setpriv, [...asEjabberd, "foreground"], {
    cwd: dir,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, HOME: dir },
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-32 * 1024);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    // A process that could not be spawned emits no "exit".
    child.once("error", () => {
      if (child.pid === undefined) resolve();
    });
  });
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const unkill = onProcessExit(() => killGroup("SIGKILL"));
  const logPath = join(dir, "ejabberd.log");
  const logTail = (lines = 40): string => {
    let text = "";
    try {
      text = readFileSync(logPath, "utf8");
    } catch {
      text = output;
    }
    return text.split("\n").slice(-lines).join("\n");
  };
  const stop = async (): Promise<void> => {
    killGroup("SIGTERM");
    const timer = setTimeout(() => killGroup("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
    unkill();
    removeDir();
    forget();
  };

  const ready = `Start accepting TCP connections at 127.0.0.1:${port} for ejabberd_c2s`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  // Readiness comes from the log line, not from a connect check (docs: a bare connect can be fooled).
  while (!logTail(400).includes(ready)) {
    if (gone || Date.now() > deadline) {
      const why = gone ? "exited" : "did not get ready in time";
      const tail = logTail(30);
      await stop();
      throw new Error(`ejabberd ${why}; its log:\n${tail}\n${output.slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  const ctl = (args: readonly string[]) =>
    new Promise<string>((resolve, reject) => {
      execFile(
        setpriv,
        [...asEjabberd, ...args],
        { cwd: dir, env: { ...process.env, HOME: dir } },
        (error, out, err) =>
          error ? reject(new Error(`ejabberdctl ${args.join(" ")}: ${err || out || error.message}`)) : resolve(out),
      );
    });

  return {
    port,
    service: `xmpp://127.0.0.1:${port}`,
    apiUrl: `http://127.0.0.1:${httpPort}/api`,
    host,
    hosts,
    dir,
    async register(user, password, onHost = host) {
      await ctl(["register", user, onHost, password]);
    },
    async registeredUsers(onHost = host) {
      return (await ctl(["registered_users", onHost])).split("\n").filter((line) => line !== "");
    },
    async offlineCount(user, onHost = host) {
      return Number((await ctl(["get_offline_count", user, onHost])).trim());
    },
    logTail,
    stop,
  };
}
