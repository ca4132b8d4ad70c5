/**
 * Users' roles, asked of the bot's own server (src/invites/role-policy.ts, UserRoles): our Prosody module answers
 * `<role xmlns='urn:xmpp-invite-bot:user-role:0' jid='…'/>` with the account's primary role on Prosody 13, for the
 * bot alone (prosody/invites_redis_user_roles.lib.lua), and announces the feature only then. Elsewhere the server
 * tells no roles, and everyone has the default policy. Each answer is kept a minute: a role changes rarely, and a
 * burst of requests asks once.
 */
import type { Client } from "@xmpp/client";
import { xml } from "@xmpp/xml";
import type { UserRoles } from "../invites/role-policy.js";
import type { ServerFeatures } from "./server-features.js";

/** Announced by our module where it answers (Prosody 13, invites_bot_jid naming the bot). */
export const USER_ROLE_FEATURE = "urn:xmpp-invite-bot:user-role:0";

/** How long an answer is kept, and how long the server has to answer. */
const KEEP_MS = 60_000;
const ANSWER_MS = 5_000;
/** Answers kept at most: past it, the oldest go first. */
const MOST_KEPT = 10_000;

export function serverUserRoles(
  xmpp: Pick<Client, "iqCaller">,
  domain: string,
  features: ServerFeatures,
  now: () => number = Date.now,
): UserRoles {
  const kept = new Map<string, { readonly role: string | undefined; readonly until: number }>();
  return {
    async roleOf(jid) {
      if (!features.has(USER_ROLE_FEATURE)) return undefined;
      const known = kept.get(jid);
      if (known !== undefined && known.until > now()) return known.role;
      const reply = await xmpp.iqCaller.request(
        xml("iq", { type: "get", to: domain }, xml("role", { xmlns: USER_ROLE_FEATURE, jid })),
        ANSWER_MS,
      );
      const name = reply.getChild("role", USER_ROLE_FEATURE)?.attrs.name;
      const role = typeof name === "string" && name !== "" ? name : undefined;
      kept.delete(jid);
      kept.set(jid, { role, until: now() + KEEP_MS });
      if (kept.size > MOST_KEPT) kept.delete(kept.keys().next().value as string);
      return role;
    },
  };
}
