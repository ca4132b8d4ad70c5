/**
 * Making inviter and invitee mutual contacts where the server does not do it itself (docs/servers.md):
 * through ejabberd's HTTP API (`add_rosteritem` of mod_admin_extra, in both directions, as the bot), or, without
 * an API, from the new account itself at the one moment its password is known: it adds the inviter and asks to
 * see their presence, and the inviter is told in chat to accept.
 */
import { xml } from "@xmpp/client";
import type { Logger } from "../logger.js";
import { guardedCredentials } from "../xmpp/credentials.js";
import { xmppClient } from "../xmpp/xmpp-client.js";
import { type EjabberdApiCall, ejabberdApi, userAndHost } from "./ejabberd-api.js";

export interface ContactMaker {
  /**
   * Makes `inviter` (or a member of a circle the invitee joins) and the new account mutual contacts, filed under
   * `group` on both sides when given (a circle's name: docs/circles.md).
   */
  makeMutual(inviter: string, invitee: string, inviteePassword: string, group?: string): Promise<void>;
}

function split(jid: string): [string, string] {
  const at = jid.indexOf("@");
  return [jid.slice(0, at), jid.slice(at + 1)];
}

/** ejabberd's `add_rosteritem` through its HTTP API (ejabberd-api.ts), as the bot. */
export class EjabberdApiContacts implements ContactMaker {
  readonly #call: EjabberdApiCall;

  constructor(apiUrl: string, botJid: string, botPassword: string) {
    this.#call = ejabberdApi(apiUrl, botJid, botPassword);
  }

  async makeMutual(inviter: string, invitee: string, _inviteePassword: string, group = ""): Promise<void> {
    for (const [owner, contact] of [
      [inviter, invitee],
      [invitee, inviter],
    ] as const) {
      const { user: localuser, host: localhost } = userAndHost(owner);
      const { user, host } = userAndHost(contact);
      const item = { localuser, localhost, user, host, nick: user, subs: "both" };
      // ejabberd 23.01 takes one `group`; the API of later versions a `groups` list instead.
      let response = await this.#call("add_rosteritem", { ...item, group });
      if (response.status === 400 && /unknown arguments.*group/u.test(await response.clone().text())) {
        response = await this.#call("add_rosteritem", { ...item, groups: group === "" ? [] : [group] });
      }
      if (!response.ok) {
        throw new Error(`add_rosteritem for ${owner}: HTTP ${response.status} ${await response.text()}`);
      }
    }
  }
}

/** From the new account: add the inviter, subscribe; then `tell` asks the inviter to accept. */
export class ClientSideContacts implements ContactMaker {
  constructor(
    private readonly service: string,
    private readonly tell: (inviter: string, text: string) => Promise<void>,
    private readonly log: Logger,
  ) {}

  async makeMutual(inviter: string, invitee: string, inviteePassword: string, group?: string): Promise<void> {
    const [username, domain] = split(invitee);
    const xmpp = xmppClient({
      service: this.service,
      domain,
      username,
      credentials: guardedCredentials(username, inviteePassword),
      resource: "invite",
    });
    xmpp.reconnect.stop();
    xmpp.on("error", (error: Error) => this.log.debug("The new account's session", { error: error.message }));
    await xmpp.start();
    try {
      await xmpp.iqCaller.request(
        xml(
          "iq",
          { type: "set" },
          xml(
            "query",
            { xmlns: "jabber:iq:roster" },
            xml("item", { jid: inviter }, group === undefined ? null : xml("group", {}, group)),
          ),
        ),
      );
      // RFC 6121 §3.1.1: the inviter is asked; there is no pre-approval on this server.
      await xmpp.send(xml("presence", { to: inviter, type: "subscribe" }));
      // The inviter's own request back, approved in advance (RFC 6121 §3.4 where supported; harmless elsewhere).
      await xmpp.send(xml("presence", { to: inviter, type: "subscribed" }));
    } finally {
      await xmpp.stop().catch(() => {});
    }
    await this.tell(
      inviter,
      group === undefined
        ? `${invitee} joined with your invite and asked to add you as a contact. Accept their request to see each other online.`
        : `${invitee} joined ${group} and asked to add you as a contact. Accept their request to see each other online.`,
    );
  }
}
