/**
 * Which way accounts are made (REGISTRATION, docs/servers.md), decided once the bot is online:
 * `server` — the server consumes our invites itself (Prosody with our module: in-band with the token);
 * `bot` — the bot is the registration hook (XEP-0133 as a server admin);
 * `auto` (the default) — `server` when the server announces our module's disco feature, else `bot` when the
 * server offers the bot XEP-0133 add-user, else an error that says what is missing.
 */
import { type Element, xml } from "@xmpp/xml";
import type { RegistrationMode } from "../config.js";
import type { AccountOutcome } from "../invites/account-control.js";
import type { HeldAccountMaker, HeldRegistration } from "../invites/approvals.js";
import { NS } from "../xmpp/namespaces.js";
import { ADD_USER, GET_USER_LASTLOGIN, type IqRequest, offersCommand, runAdminCommand } from "./admin-commands.js";
import type { Registrar, RegistrationRequest, RegistrationResult, RegistrationWay } from "./registrar.js";

/** Announced by prosody/mod_invites_redis.lua on its host: "I consume the bot's invites". */
export const REGISTRATION_HOOK_FEATURE = "urn:xmpp-invite-bot:registration-hook:0";

export type Decision = { readonly way: RegistrationWay } | { readonly way: undefined; readonly problem: string };

async function announcesHook(request: IqRequest, domain: string): Promise<boolean> {
  const reply = await request(xml("iq", { type: "get", to: domain }, xml("query", { xmlns: NS.discoInfo })));
  return (reply.getChild("query")?.getChildren("feature") ?? []).some(
    (feature: Element) => feature.attrs.var === REGISTRATION_HOOK_FEATURE,
  );
}

/** An account on a domain no server serves (RFC 2606 reserves `.invalid`), for the probe below. */
export const OTHER_HOST_PROBE = "probe@xmpp-invite-bot.invalid";

/**
 * Whether the bot's admin rights reach beyond its own host. ejabberd's XEP-0133 commands act on an account of
 * another host for an admin of every host (mod_configure: `Server == Host orelse get_permission_level(From) ==
 * global`), so add-user could make accounts there. get-user-lastlogin about an account elsewhere tells, and
 * changes nothing; a server that refuses it, or knows no such command, keeps the bot to its host.
 */
export async function actsOnOtherHosts(request: IqRequest, domain: string): Promise<boolean> {
  const answer = await runAdminCommand(request, domain, GET_USER_LASTLOGIN, { accountjid: OTHER_HOST_PROBE });
  return answer.ok;
}

export async function decideRegistration(
  mode: RegistrationMode,
  request: IqRequest,
  domain: string,
): Promise<Decision> {
  if (mode === "server") return { way: "server" };
  if (mode === "auto" && (await announcesHook(request, domain))) return { way: "server" };
  if (await offersCommand(request, domain, ADD_USER)) {
    if (!(await actsOnOtherHosts(request, domain))) return { way: "bot" };
    return {
      way: undefined,
      problem: `The bot's account is an administrator of every host of this server, not only of ${domain}: its XEP-0133 commands could create accounts on other hosts. Give it admin rights on ${domain} only: on ejabberd, its "admin" ACL under host_config: "${domain}" instead of the global acl (docs/servers.md); on Prosody, admins = { … } under VirtualHost "${domain}" instead of the global admins`,
    };
  }
  return {
    way: undefined,
    problem:
      mode === "bot"
        ? `REGISTRATION=bot, but ${domain} does not offer the bot XEP-0133 add-user (${ADD_USER}): make the bot's account a server administrator`
        : `${domain} cannot turn invites into accounts: it does not announce our Prosody module (${REGISTRATION_HOOK_FEATURE}: load mod_invites_redis, docs/prosody.md), and it does not offer the bot XEP-0133 add-user (${ADD_USER}: make the bot's account a server administrator, docs/servers.md)`,
  };
}

/** The registrar the web pages use, chosen once the bot is online; until then, "not available". */
export class ChosenRegistrar implements Registrar, HeldAccountMaker {
  #chosen: (Registrar & { stop?(): void; heldMaker?: HeldAccountMaker }) | undefined;
  #way: RegistrationWay | undefined;

  choose(registrar: Registrar & { stop?(): void; heldMaker?: HeldAccountMaker }, way: RegistrationWay): void {
    this.#chosen = registrar;
    this.#way = way;
  }

  /** Stops what the chosen registrar runs in the background (the bot's sweep of unsettled uses). */
  stop(): void {
    this.#chosen?.stop?.();
  }

  /** How accounts are made, once decided. */
  get way(): "server" | "bot" | undefined {
    return this.#way;
  }

  register(request: RegistrationRequest): Promise<RegistrationResult> {
    return this.#chosen?.register(request) ?? Promise.resolve({ ok: false, reason: "unavailable" });
  }

  resetPassword(request: RegistrationRequest): Promise<RegistrationResult> {
    return this.#chosen?.resetPassword(request) ?? Promise.resolve({ ok: false, reason: "unavailable" });
  }

  /** An approved account the bot held before creation (held-registration.ts): only where the bot makes accounts. */
  create(jid: string, registration: HeldRegistration): Promise<AccountOutcome> {
    const maker = this.#chosen?.heldMaker;
    if (maker === undefined) return Promise.resolve({ ok: false, why: "the bot does not make accounts here" });
    return maker.create(jid, registration);
  }
}
