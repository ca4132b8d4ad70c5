/**
 * The last check before a name goes to the server: the username rule (src/invites/username.ts), then the account's
 * JID built and parsed back with @xmpp/jid. Only `name@domain` with exactly that local part, exactly XMPP_DOMAIN
 * and no resource is ever sent (RFC 7622 §3), so no name can reach an account on another host.
 */
import { parse } from "@xmpp/jid";
import { checkUsername, type UsernameRule } from "../invites/username.js";

export interface Account {
  /** The local part, folded as the server stores it. */
  readonly name: string;
  /** `name@domain`. */
  readonly jid: string;
}

/** The account to create (or whose password to set) on `domain`, or undefined when it must not be sent. */
export function accountOn(domain: string, username: string, rule: UsernameRule = {}): Account | undefined {
  const checked = checkUsername(username, rule);
  if (!checked.ok) return undefined;
  const name = checked.username;
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(`${name}@${domain}`);
  } catch {
    return undefined;
  }
  if (parsed.getLocal() !== name || parsed.getDomain() !== domain || parsed.getResource() !== "") return undefined;
  return { name, jid: `${name}@${domain}` };
}
