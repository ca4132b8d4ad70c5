/** What `npm run demo` prints once everything is up: how to log in and what to try. */

export interface DemoAccount {
  readonly jid: string;
  readonly password: string;
}

export interface DemoInfo {
  /** Loopback port of Prosody's c2s listener. */
  readonly port: number;
  readonly domain: string;
  readonly bot: string;
  readonly admin: DemoAccount;
  readonly user: DemoAccount;
  readonly redisUrl: string;
  readonly redisPort: number;
  /** The invite pages (WEB_URL). */
  readonly webUrl: string;
  /** An account invite made at start, to open in a browser. */
  readonly inviteUrl: string;
}

/** The install line for Debian/Ubuntu; printed verbatim when a server binary is missing. */
export const INSTALL_LINE = "sudo apt-get install -y prosody redis-server";

export function missingBinariesMessage(missing: readonly string[]): string {
  return [
    `The demo runs a private Prosody and Redis on this machine, but ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not installed.`,
    "Install them (Prosody, its Redis client library for our Prosody module, and Redis) with:",
    "",
    `  ${INSTALL_LINE}`,
    "",
    "Debian starts the packaged services after installing; the demo does not use them (it runs its own on loopback).",
  ].join("\n");
}

export function instructions(info: DemoInfo): string {
  const { port, domain, bot, admin, user } = info;
  const rule = "─".repeat(78);
  const pad = (text: string) => text.padEnd(19);
  return [
    "",
    rule,
    " xmpp-invite-bot demo is running. Ctrl-C stops it and deletes all of its data.",
    rule,
    ` ${pad("XMPP server")}127.0.0.1, port ${port}   (domain: ${domain})`,
    ` ${pad(admin.jid)}password: ${admin.password}   (admin: may also create account invites)`,
    ` ${pad(user.jid)}password: ${user.password}   (ordinary user)`,
    ` ${pad(bot)}the invite bot (online)`,
    ` ${pad("Invite pages")}${info.webUrl}`,
    "",
    " A newcomer's first step, in a browser on this machine: open this account invite",
    `   ${info.inviteUrl}`,
    ' choose "Create your account", then log in with the new account as in 1. below.',
    " Every invite link the bot gives opens the same way.",
    "",
    " 1. Add one of the two accounts to a desktop XMPP client on this machine, with its password.",
    `    Set the server (host) to 127.0.0.1 and the port to ${port}, and allow a plain, unencrypted`,
    "    connection: the demo server has no TLS certificate. It listens on loopback only, so",
    "    nothing leaves this machine.",
    `      Gajim:       Add account → Advanced → custom host 127.0.0.1, port ${port}, type "Plain"`,
    `      Profanity:   /connect ${user.jid} server 127.0.0.1 port ${port} tls disable`,
    `      Pidgin, Psi: connect server 127.0.0.1, port ${port}, no encryption, allow plaintext auth`,
    "      Dino and Conversations always require TLS, so they cannot log in to this demo server.",
    ` 2. Add ${bot} as a contact; it accepts and adds you back.`,
    ` 3. Open its commands (ad-hoc: "Execute command" / "Commands") or send it: help`,
    `    ${user.jid} gets contact invites; ${admin.jid} can also say "invite account".`,
    "",
    ` Invites are stored in Redis at ${info.redisUrl}`,
    `   (see them with: redis-cli -p ${info.redisPort} --scan --pattern 'invite:*').`,
    " Prosody runs our module from prosody/ and reads the same invites: a client that",
    " supports invites (XEP-0401) registers a new account on 127.0.0.1 with an invite link,",
    " and the newcomer and the inviter become contacts.",
    " The bot's log follows.",
    rule,
    "",
  ].join("\n");
}
