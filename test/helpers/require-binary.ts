/** Fails loudly (never skips) when the binaries of the private test servers are missing. */
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

export const INSTALL_COMMAND = "apt-get install -y prosody redis-server";

/** The binaries the integration harness runs. */
export const SERVER_BINARIES = ["prosody", "prosodyctl", "redis-server"] as const;

/** Absolute path of an executable `name` on PATH, or undefined. */
export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Throws, naming the install command, if any of `names` is not an executable on PATH. */
export function requireBinaries(names: readonly string[] = SERVER_BINARIES, install = INSTALL_COMMAND): void {
  const missing = names.filter((name) => findOnPath(name) === undefined);
  if (missing.length > 0) {
    throw new Error(
      `integration tests need ${missing.join(", ")} on PATH (not found in ${process.env.PATH ?? "<no PATH>"}); ` +
        `install them with: ${install}`,
    );
  }
}
