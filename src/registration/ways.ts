/**
 * The two ways of making accounts from invites, built for the app (src/registration/choose.ts picks one once the
 * bot is online): in-band with the invite's token on the server's own hook, or the bot as the hook (XEP-0133).
 */
import type { Client } from "@xmpp/client";
import { type Element, xml } from "@xmpp/xml";
import type { CircleStore } from "../circles/store.js";
import type { Config } from "../config.js";
import { type EventSink, silentSink } from "../events.js";
import type { ApprovalStore } from "../invites/approvals.js";
import type { InviteClaims } from "../invites/store.js";
import type { UsernameRule } from "../invites/username.js";
import type { Logger } from "../logger.js";
import type { IqRequest } from "./admin-commands.js";
import { AdminRegistrar } from "./as-admin.js";
import { ChosenRegistrar, decideRegistration } from "./choose.js";
import { ClientSideContacts, type ContactMaker, EjabberdApiContacts } from "./contacts.js";
import { InBandRegistrar } from "./in-band.js";
import type { Registrar, RegistrationEvents } from "./registrar.js";

/**
 * A registration is a few round trips on a local link; this bounds a server that does not answer, in-band and for
 * each XEP-0133 exchange: the visitor's answer within the 10 s of docs/web.md.
 */
const REGISTRATION_TIMEOUT_MS = 10_000;

/** IQs over the bot's session, resolving with error replies too (xmpp.js rejects them as StanzaError). */
export function iqRequestOver(xmpp: Client): IqRequest {
  return (iq: Element) =>
    xmpp.iqCaller.request(iq).catch((error: Error & { element?: Element }) => {
      if (error.name !== "StanzaError" || error.element === undefined) throw error;
      return xml("iq", { type: "error" }, error.element);
    });
}

export function inBandRegistrar(config: Config, log: Logger, usernameRule: UsernameRule = {}): Registrar {
  return new InBandRegistrar({
    usernameRule,
    service: config.xmpp.service,
    domain: config.xmpp.domain,
    timeoutMs: REGISTRATION_TIMEOUT_MS,
    signingKey: config.signingKeys.current,
    log,
  });
}

export function adminRegistrar(
  config: Config,
  deps: {
    claims: InviteClaims;
    circles?: Pick<CircleStore, "find" | "addMember">;
    approvals?: ApprovalStore | undefined;
    request: IqRequest;
    tell: (to: string, text: string) => Promise<void>;
    log: Logger;
    events?: EventSink<RegistrationEvents>;
    usernameRule?: UsernameRule;
    settleAfterMs?: number;
  },
): AdminRegistrar {
  const { xmpp } = config;
  const api =
    config.ejabberdApiUrl === undefined
      ? undefined
      : new EjabberdApiContacts(config.ejabberdApiUrl, `${xmpp.username}@${xmpp.domain}`, xmpp.password);
  const contacts: ContactMaker = api ?? new ClientSideContacts(xmpp.service, deps.tell, deps.log);
  return new AdminRegistrar({
    domain: xmpp.domain,
    claims: deps.claims,
    ...(deps.circles === undefined ? {} : { circles: deps.circles }),
    approvals: deps.approvals,
    request: deps.request,
    contacts,
    apiContacts: api,
    log: deps.log,
    ...(deps.events === undefined ? {} : { events: deps.events }),
    timeoutMs: REGISTRATION_TIMEOUT_MS,
    ...(deps.usernameRule === undefined ? {} : { usernameRule: deps.usernameRule }),
    ...(deps.settleAfterMs === undefined ? {} : { settleAfterMs: deps.settleAfterMs }),
  });
}

/**
 * The registrar the web pages use: chosen at the first login (REGISTRATION) and logged once; what cannot work
 * is logged and handed to `onFatal` (main exits 2). A failed attempt is tried again at the next login.
 */
export function chooseRegistrationWhenOnline(
  xmpp: Client,
  options: {
    config: Config;
    /** The storage's claims, for the bot as the hook; without them, only the server's own hook can work. */
    claims: InviteClaims | undefined;
    /** The circles an invite's newcomer joins when the bot makes the account (circle-join.ts). */
    circles?: Pick<CircleStore, "find" | "addMember">;
    /** The accounts waiting for an admin, where the bot holds registrations (held-registration.ts). */
    approvals?: ApprovalStore | undefined;
    log: Logger;
    events?: EventSink<RegistrationEvents>;
    onFatal?: (error: Error) => void;
    /** The username rule both ways follow (src/invites/username.ts). */
    usernameRule?: UsernameRule;
    /** How long the bot's own claims may stay unsettled (src/registration/unsettled-sweep.ts). */
    settleAfterMs?: number;
  },
): ChosenRegistrar {
  const { config, claims, log, usernameRule, settleAfterMs, events = silentSink<RegistrationEvents>() } = options;
  const host = config.xmpp.domain;
  const registrar = new ChosenRegistrar();
  const request = iqRequestOver(xmpp);
  const fatal = (problem: string): void => {
    log.error(problem);
    options.onFatal?.(new Error(problem));
  };
  const choose = async (): Promise<void> => {
    const decision = await decideRegistration(config.registration, request, host);
    if (decision.way === undefined) return fatal(decision.problem);
    if (decision.way === "server") {
      registrar.choose(inBandRegistrar(config, log, usernameRule), "server");
      log.info("Registration: the server consumes the invites (in-band with the token, XEP-0445)", {
        registration: config.registration,
      });
      events.emit("registrar-chosen", { way: "server" });
      return;
    }
    if (config.web === undefined || claims === undefined) {
      return fatal(
        `${host} has no registration hook of ours, so the bot makes the accounts, through its web pages: set WEB_LISTEN and WEB_URL (docs/servers.md, docs/web.md)`,
      );
    }
    const tell = (to: string, text: string) => xmpp.send(xml("message", { to, type: "chat" }, xml("body", {}, text)));
    const admin = adminRegistrar(config, {
      claims,
      ...(options.circles === undefined ? {} : { circles: options.circles }),
      approvals: options.approvals,
      request,
      tell,
      log,
      events,
      ...(usernameRule === undefined ? {} : { usernameRule }),
      ...(settleAfterMs === undefined ? {} : { settleAfterMs }),
    });
    // Uses an earlier run left unsettled are settled from now on (docs/storage.md, "Unsettled uses").
    admin.start();
    registrar.choose(admin, "bot");
    log.info("Registration: the bot creates the accounts (XEP-0133 add-user, as a server administrator)", {
      registration: config.registration,
    });
    events.emit("registrar-chosen", { way: "bot" });
  };
  xmpp.on("online", () => {
    if (registrar.way !== undefined) return;
    choose().catch((error: unknown) =>
      log.warn("Could not find out how accounts are made; trying again at the next login", {
        error: (error as Error).message,
      }),
    );
  });
  return registrar;
}
