/**
 * The two ways of making accounts from invites, built for the app (src/registration/choose.ts picks one once the
 * bot is online): in-band with the invite's token on the server's own hook, or the bot as the hook (XEP-0133).
 */
import type { Client } from "@xmpp/client";
import { type Element, xml } from "@xmpp/xml";
import type { Config } from "../config.js";
import type { InviteClaims } from "../invites/store.js";
import type { Logger } from "../logger.js";
import type { IqRequest } from "./admin-commands.js";
import { AdminRegistrar } from "./as-admin.js";
import { ClientSideContacts, type ContactMaker, EjabberdApiContacts } from "./contacts.js";
import { InBandRegistrar } from "./in-band.js";
import type { Registrar } from "./registrar.js";

/** A registration is a few round trips on a local link; this bounds a server that does not answer. */
const REGISTRATION_TIMEOUT_MS = 10_000;

/** IQs over the bot's session, resolving with error replies too (xmpp.js rejects them as StanzaError). */
export function iqRequestOver(xmpp: Client): IqRequest {
  return (iq: Element) =>
    xmpp.iqCaller.request(iq).catch((error: Error & { element?: Element }) => {
      if (error.name !== "StanzaError" || error.element === undefined) throw error;
      return xml("iq", { type: "error" }, error.element);
    });
}

export function inBandRegistrar(config: Config, log: Logger): Registrar {
  return new InBandRegistrar({
    service: config.xmpp.service,
    domain: config.xmpp.domain,
    timeoutMs: REGISTRATION_TIMEOUT_MS,
    log,
  });
}

export function adminRegistrar(
  config: Config,
  deps: { claims: InviteClaims; request: IqRequest; tell: (to: string, text: string) => Promise<void>; log: Logger },
): Registrar {
  const { xmpp } = config;
  const contacts: ContactMaker =
    config.ejabberdApiUrl === undefined
      ? new ClientSideContacts(xmpp.service, deps.tell, deps.log)
      : new EjabberdApiContacts(config.ejabberdApiUrl, `${xmpp.username}@${xmpp.domain}`, xmpp.password);
  return new AdminRegistrar({
    domain: xmpp.domain,
    claims: deps.claims,
    request: deps.request,
    contacts,
    log: deps.log,
  });
}
