/**
 * The AccountControl port (src/invites/account-control.ts) over XEP-0133, run by the bot over its own session as a
 * server administrator (admin-commands.ts). Which way is asked of the server each time, from the commands it offers
 * the bot at the domain (XEP-0050 §2.2):
 * - `#disable-user` (Prosody 13's mod_admin_adhoc; `accountjids`): disabled; Prosody ends its sessions itself
 *   (mod_c2s on `user-disabled`), and `#reenable-user` enables it again;
 * - else `#change-user-password` and `#end-user-session` (Prosody 0.12, ejabberd, Openfire: XEP-0133 §4.7 has no
 *   disable): locked, with a random password nobody keeps, then its sessions ended; a password reset link reopens it;
 * - else it cannot, saying why (no admin commands at all: the bot is no server administrator).
 * Prosody answers a command that failed for an account with `status='completed'` and a note "could not be …",
 * ejabberd with a stanza error: both are that account's failure, in the server's words.
 */
import { randomBytes } from "node:crypto";
import type { Element } from "@xmpp/xml";
import type { AccountControl, AccountOutcome, AccountSupport } from "../invites/account-control.js";
import type { Logger } from "../logger.js";
import { NS } from "../xmpp/namespaces.js";
import {
  type AdminAnswer,
  AdminOutcomeUnknown,
  type AdminValues,
  adminExchange,
  CHANGE_USER_PASSWORD,
  type IqRequest,
  offeredCommands,
} from "./admin-commands.js";

export const DISABLE_USER = `${NS.admin}#disable-user`;
export const REENABLE_USER = `${NS.admin}#reenable-user`;
export const END_USER_SESSION = `${NS.admin}#end-user-session`;
/** XEP-0133 §4.2: Prosody's mod_admin_adhoc (0.12 and 13) and ejabberd's mod_configure both offer it. */
export const DELETE_USER = `${NS.admin}#delete-user`;

export interface AccountControlOptions {
  readonly request: IqRequest;
  readonly domain: string;
  readonly log: Logger;
  /** One deadline for each exchange (admin-commands.ts, ADMIN_TIMEOUT_MS by default). */
  readonly timeoutMs?: number;
}

/** XEP-0133 §4.14 names the field `accountjids` (jid-multi); a server whose form has `accountjid` gets that. */
function accountsOf(jid: string): AdminValues {
  return (form: Element | undefined) => {
    const names = (form?.getChildren("field") ?? []).map((field) => field.attrs.var);
    return { [names.includes("accountjid") && !names.includes("accountjids") ? "accountjid" : "accountjids"]: jid };
  };
}

/** A completed command whose note says the server could not do it for the account (Prosody's per-account lists). */
function outcomeOf(answer: AdminAnswer, command: Element | undefined): AccountOutcome {
  if (!answer.ok) return { ok: false, why: `the server refused: ${answer.text ?? answer.condition}` };
  const notes = (command?.getChildren("note") ?? []).map((note) => note.getText().trim());
  const failed = notes.find((text) => /could not|not exist|failed/iu.test(text));
  return failed === undefined ? { ok: true } : { ok: false, why: `the server says: ${failed.replace(/\s+/gu, " ")}` };
}

export function xep0133AccountControl(options: AccountControlOptions): AccountControl {
  const { request, domain, log } = options;
  const exchange = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };

  const run = async (node: string, values: AdminValues): Promise<AccountOutcome> => {
    try {
      const { answer, command } = await adminExchange(request, domain, node, values, exchange);
      return outcomeOf(answer, command);
    } catch (error) {
      const unknown = error instanceof AdminOutcomeUnknown;
      log.warn("An account command got no answer in time", { node, error: (error as Error).message });
      return {
        ok: false,
        why: unknown
          ? "no answer from the server in time: it may have been done or not; run it again"
          : "no answer from the server",
      };
    }
  };

  return {
    async support(): Promise<AccountSupport> {
      const offered = await offeredCommands(request, domain).catch(() => new Set<string>());
      if (offered.has(DISABLE_USER)) return { way: "disable", enable: offered.has(REENABLE_USER) };
      if (offered.has(CHANGE_USER_PASSWORD) && offered.has(END_USER_SESSION)) return { way: "lock", enable: false };
      const anyAdmin = [...offered].some((node) => node.startsWith(`${NS.admin}#`));
      return {
        way: undefined,
        why: anyAdmin
          ? "disable accounts: it offers the bot neither XEP-0133 disable-user nor change-user-password with end-user-session"
          : "disable accounts: it offers the bot no XEP-0133 admin commands; make the bot's account a server administrator (docs/servers.md)",
      };
    },

    async block(jid, way) {
      if (way === "disable") return run(DISABLE_USER, accountsOf(jid));
      // Nobody keeps this password: the account is locked until a password reset link sets one.
      const password = randomBytes(24).toString("base64url");
      const changed = await run(CHANGE_USER_PASSWORD, { accountjid: jid, password });
      if (!changed.ok) return changed;
      const ended = await run(END_USER_SESSION, accountsOf(jid));
      if (ended.ok) return ended;
      return {
        ok: false,
        why: `its password was changed, so it cannot log in again, but its sessions may go on (${ended.why})`,
      };
    },

    enable: (jid) => run(REENABLE_USER, accountsOf(jid)),

    remove: (jid) => run(DELETE_USER, accountsOf(jid)),
  };
}
