/**
 * What the bot's server says it can do (XEP-0030 disco#info of XMPP_DOMAIN), asked again at each login: e.g.
 * whether our Prosody module sets roles on join (`urn:xmpp-invite-bot:roles:0`, Prosody 13 only).
 */
import type { Client } from "@xmpp/client";
import { xml } from "@xmpp/xml";
import type { Logger } from "../logger.js";
import { NS } from "./namespaces.js";

/** Announced by prosody/mod_invites_redis.lua where Prosody can give a new account a role (Prosody 13). */
export const ROLES_ON_JOIN_FEATURE = "urn:xmpp-invite-bot:roles:0";

export interface ServerFeatures {
  /** As of the last answer; nothing before the first one. */
  has(feature: string): boolean;
}

export function serverFeatures(xmpp: Client, domain: string, log: Logger): ServerFeatures {
  let features: ReadonlySet<string> = new Set();
  xmpp.on("online", () => {
    xmpp.iqCaller
      .request(xml("iq", { type: "get", to: domain }, xml("query", { xmlns: NS.discoInfo })))
      .then((reply) => {
        const vars = reply.getChild("query")?.getChildren("feature") ?? [];
        features = new Set(vars.map((feature) => String(feature.attrs.var)));
      })
      .catch((error: Error) => log.warn("Could not ask the server what it supports", { error: error.message }));
  });
  return { has: (feature) => features.has(feature) };
}
