/**
 * How the bot acts on the server's accounts (docs/trees.md): XEP-0133 as a server administrator over its own
 * session, and, with ejabberd's HTTP API (EJABBERD_API_URL), ejabberd's own ban_account ahead of it.
 */
import type { Client } from "@xmpp/client";
import type { Config } from "../config.js";
import type { AccountControl } from "../invites/account-control.js";
import type { Logger } from "../logger.js";
import { xep0133AccountControl } from "../registration/account-control.js";
import { ejabberdApi } from "../registration/ejabberd-api.js";
import { ejabberdBanControl } from "../registration/ejabberd-ban.js";
import { iqRequestOver } from "../registration/ways.js";

export function accountControl(xmpp: Client, config: Config, log: Logger): AccountControl {
  const { domain, username, password } = config.xmpp;
  const xep0133 = xep0133AccountControl({ request: iqRequestOver(xmpp), domain, log });
  if (config.ejabberdApiUrl === undefined) return xep0133;
  return ejabberdBanControl(ejabberdApi(config.ejabberdApiUrl, `${username}@${domain}`, password), xep0133);
}
