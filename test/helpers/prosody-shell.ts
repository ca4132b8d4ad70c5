/**
 * Prosody's state, asked of the running server through its admin shell (`prosodyctl shell`, mod_admin_shell, loaded
 * by inviteModuleOptions on 0.12 and 13): what a test waits for when the only other outside sign would be a log line.
 */
import type { ProsodyServer } from "./prosody-server.js";

/** How many client sessions Prosody holds now, authenticated or not (the shell's `c2s:count()`). */
export async function clientSessions(prosody: ProsodyServer): Promise<number> {
  const output = await prosody.prosodyctl("shell", "c2s:count()");
  const match = /Total: (\d+) clients/u.exec(output);
  if (match === null) throw new Error(`c2s:count() said: ${output}`);
  return Number(match[1]);
}
