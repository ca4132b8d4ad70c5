/**
 * Valkey 8 (Debian 12's bookworm-backports valkey-server, unpacked privately by scripts/valkey8.sh) in place of
 * redis-server: the same helpers (redis-server.ts, redis-cluster.ts) run its binaries, configured as deployed
 * (docker/redis/redis.conf, the ACL file of write-acl.sh with the default user off, append-only file). Never skips:
 * when the binaries are missing or are not Valkey 8, it fails naming the command that installs them.
 */
import { execFileSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { join } from "node:path";
import type { RedisBinaries } from "./redis-server.js";

/** Where scripts/valkey8.sh puts the binaries by default (VALKEY8_PREFIX/bin); VALKEY8_BIN overrides it. */
export const VALKEY8_DEFAULT_BIN = "/opt/valkey8/bin";
export const VALKEY8_INSTALL_COMMAND = "bash scripts/valkey8.sh";
/** The major version the tests are about (`valkey-server --version`: `Valkey server v=8.0.1 ...`). */
const WANTED_MAJOR = "8";

/** valkey-server and valkey-cli of Valkey 8, from $VALKEY8_BIN or VALKEY8_DEFAULT_BIN; throws if they are not there. */
export function valkey8Binaries(): RedisBinaries {
  const dir = process.env.VALKEY8_BIN || VALKEY8_DEFAULT_BIN;
  const binaries = { server: join(dir, "valkey-server"), cli: join(dir, "valkey-cli") };
  const fail = (what: string): never => {
    throw new Error(
      `the Valkey tests need Valkey ${WANTED_MAJOR}'s valkey-server and valkey-cli in ${dir} ` +
        `(VALKEY8_BIN, or ${VALKEY8_DEFAULT_BIN}): ${what}; install them with: ${VALKEY8_INSTALL_COMMAND}`,
    );
  };
  for (const path of Object.values(binaries)) {
    try {
      accessSync(path, constants.X_OK);
    } catch {
      fail(`${path} is not an executable`);
    }
  }
  const version = valkeyVersion(binaries.server);
  if (version?.split(".")[0] !== WANTED_MAJOR) fail(`${binaries.server} --version reports ${version ?? "no version"}`);
  return binaries;
}

/** The `v=` of `valkey-server --version`, or undefined when it does not say it is Valkey. */
function valkeyVersion(server: string): string | undefined {
  try {
    const output = execFileSync(server, ["--version"], { encoding: "utf8", timeout: 10_000 });
    return /^Valkey server v=(\d[^ ]*)/.exec(output)?.[1];
  } catch {
    return undefined;
  }
}
