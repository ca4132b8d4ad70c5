/**
 * The bot's in-band registrar against a server whose certificate only `caFile` vouches for: run in a child process
 * (in-band-registrar-child.ts) with NODE_EXTRA_CA_CERTS, as an admin runs the bot with a private CA (docs/web.md).
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RegistrationRequest, RegistrationResult } from "../../src/registration/registrar.js";
import { TEST_SIGNING_KEY } from "./signing.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TSX = join(ROOT, "node_modules", ".bin", "tsx");
const CHILD = join(ROOT, "test", "helpers", "in-band-registrar-child.ts");

/** The registrar's result and its log, from a child process that trusts `caFile`. */
export function registerTrusting(
  caFile: string,
  target: { service: string; domain: string },
  request: RegistrationRequest,
): Promise<{ result: RegistrationResult; logs: string }> {
  const input = JSON.stringify({ ...target, signingKey: TEST_SIGNING_KEY, request });
  return new Promise((resolve, reject) => {
    execFile(
      TSX,
      [CHILD],
      {
        cwd: ROOT,
        timeout: 30_000,
        env: { PATH: process.env.PATH ?? "", NODE_EXTRA_CA_CERTS: caFile, REGISTRAR_INPUT: input },
      },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`the registrar's process failed (${error.message}):\n${stdout}${stderr}`));
        else resolve(JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}"));
      },
    );
  });
}
