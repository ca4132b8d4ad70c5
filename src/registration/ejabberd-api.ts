/**
 * ejabberd's HTTP API (mod_http_api, EJABBERD_API_URL; docs/servers.md): `POST URL/COMMAND` with the command's
 * arguments as JSON, authenticated as the bot (HTTP basic with its JID and password), each allowed to the bot by
 * ejabberd's `api_permissions`. Used for mutual contacts (contacts.ts, add_rosteritem) and bans (ejabberd-ban.ts).
 */

export type EjabberdApiCall = (command: string, args: object) => Promise<Response>;

/** How long one API call may take before it counts as failed. */
const CALL_TIMEOUT_MS = 5_000;

export function ejabberdApi(apiUrl: string, botJid: string, botPassword: string): EjabberdApiCall {
  const base = apiUrl.replace(/\/+$/u, "");
  const authorization = `Basic ${Buffer.from(`${botJid}:${botPassword}`).toString("base64")}`;
  return (command, args) =>
    fetch(`${base}/${command}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization },
      body: JSON.stringify(args),
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
}

/** `user@host` as ejabberd's commands take it: two arguments. */
export function userAndHost(jid: string): { readonly user: string; readonly host: string } {
  const at = jid.indexOf("@");
  return { user: jid.slice(0, at), host: jid.slice(at + 1) };
}
