/**
 * The roles Prosody puts in effect for an account, asked of the running server through its admin shell, as an
 * admin would, instead of read from its data files: a role file says what was stored, not what Prosody applies
 * (0.12 grants `admins` from the config without any file; 13 ignores 0.12-style role sets it still stores).
 *
 * Version-specific: on 13, `prosodyctl shell "user:role('u@HOST')"` answers `OK: ROLE`, or `OK: ROLE (primary)` when
 * the account has secondary roles too, whose names 13.0.1 prints on the server's own stdout instead of the shell:
 * they are asked of core.usermanager then. On 0.12, `user:roles('u@HOST')` prints one role a line, then `OK: N roles`
 * (`OK: No roles`). Both need mod_admin_shell loaded (ROLE_SHELL_MODULES).
 */
import { luaString } from "./prosody-config.js";
import { type ProsodyServer, prosodyMajorVersion } from "./prosody-server.js";

/** What the server must load for effectiveRoles (add it to a scenario's `moreModules`). */
export const ROLE_SHELL_MODULES = ["admin_shell"] as const;

/**
 * The roles in effect for `jid` (a local account): on 13 the primary role first, then the secondary ones sorted; on
 * 0.12 the role set, sorted. `undefined` when the account does not exist (no account, no role).
 */
export async function effectiveRoles(prosody: ProsodyServer, jid: string): Promise<string[] | undefined> {
  const command = prosodyMajorVersion() >= 13 ? "role" : "roles";
  let output: string;
  try {
    output = await prosody.prosodyctl("shell", `user:${command}(${luaString(jid)})`);
  } catch (error) {
    if (error instanceof Error && /\bNo such user\b/u.test(error.message)) return undefined;
    throw error;
  }
  return prosodyMajorVersion() >= 13 ? rolesOn13(prosody, jid, output) : rolesOn012(output);
}

/** The role an invitee gets when nothing gives it one: none on 0.12; 13's default, `prosody:registered`. */
export function defaultInviteeRoles(): string[] {
  return prosodyMajorVersion() >= 13 ? ["prosody:registered"] : [];
}

async function rolesOn13(prosody: ProsodyServer, jid: string, output: string): Promise<string[]> {
  const answer = /^OK: (\S+)( \(primary\))?$/mu.exec(output);
  if (answer?.[1] === undefined) throw new Error(`cannot read the role of ${jid} from:\n${output}`);
  if (answer[2] === undefined) return [answer[1]];
  const [user = "", host = ""] = jid.split("@");
  const secondary = await prosody.prosodyctl(
    "shell",
    `> local roles = require"core.usermanager".get_user_secondary_roles(${luaString(user)}, ${luaString(host)}); ` +
      'local names = {}; for name in pairs(roles or {}) do names[#names + 1] = name end; return table.concat(names, " ")',
  );
  const names = /^Result: (.*)$/mu.exec(secondary)?.[1] ?? "";
  return [
    answer[1],
    ...names
      .split(" ")
      .filter((name) => name !== "")
      .sort(),
  ];
}

function rolesOn012(output: string): string[] {
  const lines = output.split("\n").map((line) => line.trim());
  const ok = lines.findIndex((line) => line.startsWith("OK: "));
  if (ok < 0) throw new Error(`cannot read the roles from:\n${output}`);
  return lines
    .slice(0, ok)
    .filter((line) => /^\S+$/u.test(line))
    .sort();
}
