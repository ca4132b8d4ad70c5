/** Invites in Prosody's shape (src/invites/invite.ts) for the port contracts, each with a new token. */
import type { Invite } from "../../src/invites/invite.js";
import { generateToken } from "../../src/invites/token.js";

export interface AccountInviteOptions {
  /** The only name it registers (XEP-0445). */
  readonly username?: string;
  /** A counted invite: this many accounts. */
  readonly maxUses?: number;
  /** Reusable without a cap. */
  readonly uncounted?: boolean;
  readonly ttlSeconds?: number;
  /** The admin who made it (a full JID); admin@HOST/web by default. */
  readonly source?: string;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** An account invite of `host`, as an admin makes it. */
export function accountInvite(host: string, options: AccountInviteOptions = {}): Invite {
  const token = generateToken();
  const created = nowSeconds();
  const counted = options.maxUses !== undefined && options.maxUses > 1;
  return {
    type: "register",
    jid: host,
    token,
    allow_registration: true,
    additional_data: {
      source: options.source ?? `admin@${host}/web`,
      ...(options.username === undefined ? {} : { username: options.username }),
      ...(counted ? { max_uses: options.maxUses } : {}),
    },
    uri: `xmpp:${host}?register;preauth=${token}`,
    created_at: created,
    expires: created + (options.ttlSeconds ?? 3600),
    reusable: counted || options.uncounted === true,
  };
}

/** A contact invite of `inviter` (a bare JID), which allows registration unless told otherwise. */
export function contactInvite(inviter: string, allowRegistration = true): Invite {
  const token = generateToken();
  const created = nowSeconds();
  return {
    type: "roster",
    jid: inviter,
    token,
    allow_registration: allowRegistration,
    additional_data: { source: `${inviter}/phone` },
    uri: `xmpp:${inviter}?roster;preauth=${token}${allowRegistration ? ";ibr=y" : ""}`,
    created_at: created,
    expires: created + 3600,
    reusable: false,
  };
}

/** A password reset link for `name@host`, as Prosody's create_account_reset makes it. */
export function resetInvite(host: string, name: string): Invite {
  const token = generateToken();
  const created = nowSeconds();
  return {
    type: "register",
    jid: `${name}@${host}`,
    token,
    allow_registration: true,
    additional_data: { source: `admin@${host}/web`, allow_reset: name },
    uri: `xmpp:${host}?register;preauth=${token}`,
    created_at: created,
    expires: created + 3600,
    reusable: false,
  };
}
