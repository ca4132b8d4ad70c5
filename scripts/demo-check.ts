/**
 * `npm run demo:check`: what a newcomer would do by hand, done by a real client.
 * Logs in as the demo user, sends `help` to the bot, runs the contact-invite
 * ad-hoc command (XEP-0050), checks that the invite reached the store, then
 * registers a newcomer in-band with it (XEP-0401) and checks they are contacts; then, with a second invite,
 * registers another newcomer through the invite web page, as a browser would, and checks the same.
 */
import { CONTACT_INVITE_NODE } from "../src/commands/invite-commands.js";
import { inviteId } from "../src/invites/pending.js";
import type { InviteStore } from "../src/invites/store.js";
import { invitePagePath } from "../src/invites/uri.js";
import { errorOf, executeIq, formValues, NS_COMMANDS } from "../test/helpers/adhoc-client.js";
import { registerWithToken } from "../test/helpers/ibr-client.js";
import { type WebPage, WebVisitor } from "../test/helpers/web-client.js";
import { connectUser, type TestUser } from "../test/helpers/xmpp-user.js";

const NS_DATA_FORMS = "jabber:x:data";
const WAIT_MS = 10_000;

export interface CheckOptions {
  /** `xmpp://127.0.0.1:PORT` */
  readonly service: string;
  readonly domain: string;
  readonly username: string;
  readonly password: string;
  /** The bot's bare JID (chat goes there) and full JID (ad-hoc commands go there, XEP-0050 §2). */
  readonly botBare: string;
  readonly botFull: string;
  /** The invite pages' base URL (WEB_URL). */
  readonly webUrl: string;
  /** The bot's store, to confirm the invite was saved. */
  readonly store: InviteStore;
  readonly print: (text: string) => void;
}

/** Runs the check; throws with a readable message on the first thing that does not work. */
export async function runCheck(options: CheckOptions): Promise<void> {
  const { print } = options;
  const jid = `${options.username}@${options.domain}`;
  print(`[check] Logging in as ${jid} …`);
  const user = await connectUser({
    service: options.service,
    domain: options.domain,
    username: options.username,
    password: options.password,
    resource: "demo-check",
  });
  try {
    await askForHelp(user, options);
    const token = await createContactInvite(user, options);
    await registerNewcomer(options, token, "in-band with the invite (XEP-0401)", inBand);
    const page = await createContactInvite(user, options, true);
    await registerNewcomer(options, page, `through the invite page ${page}`, throughWebPage(options.webUrl));
  } finally {
    await user.stop();
  }
  print(
    "[check] OK: the bot answers chat and ad-hoc commands, Prosody registers with its invites, and so does its web page.",
  );
}

async function askForHelp(user: TestUser, { botBare, print }: CheckOptions): Promise<void> {
  print(`[check] Sending "help" to ${botBare} …`);
  const reply = await user.ask(botBare, "help", WAIT_MS);
  const body = reply.getChildText("body") ?? "";
  if (!body.includes("invite")) throw new Error(`the bot's answer to "help" does not mention invites:\n${body}`);
  print(`[check] The bot replied:\n${indent(body)}`);
}

/** Runs the contact-invite command; resolves with the token, or with the landing URL when `landing` is set. */
async function createContactInvite(user: TestUser, options: CheckOptions, landing = false): Promise<string> {
  const { botFull, print } = options;
  print(`[check] Executing the ad-hoc command ${CONTACT_INVITE_NODE} on ${botFull} …`);
  const answer = await user.requestRaw(executeIq(botFull, CONTACT_INVITE_NODE), WAIT_MS);
  if (answer.attrs.type === "error") {
    const { type, condition, text } = errorOf(answer);
    throw new Error(`the command failed: ${type ?? "?"}/${condition ?? "?"}${text === undefined ? "" : `: ${text}`}`);
  }
  const command = answer.getChild("command", NS_COMMANDS);
  if (command?.attrs.status !== "completed") {
    throw new Error(`the command did not complete: ${answer.toString()}`);
  }
  const values = formValues(command.getChild("x", NS_DATA_FORMS));
  const uri = values.uri ?? "";
  const prefix = `xmpp:${options.username}@${options.domain}?roster;preauth=`;
  const token = uri.startsWith(prefix) ? uri.slice(prefix.length).split(";")[0] : undefined;
  if (token === undefined || !/^[A-Za-z0-9_-]{24}$/u.test(token)) {
    throw new Error(`unexpected invite URI "${uri}" (expected ${prefix}<24-character token>)`);
  }
  print(`[check] Invite URI:   ${uri}`);
  print(`[check] Valid until:  ${values.expire ?? "?"}`);
  const stored = await options.store.findById(inviteId(token));
  if (stored.length === 0) throw new Error("the invite is not in Redis");
  print("[check] The invite is in Redis.");
  if (!landing) return token;
  const url = values["landing-url"] ?? "";
  if (!url.startsWith(`${options.webUrl}${invitePagePath("")}`))
    throw new Error(`the landing-url "${url}" is not the bot's page`);
  return url;
}

type Register = (options: CheckOptions, invite: string, username: string, password: string) => Promise<void>;

/** What a new person's client does with the invite: preauth, register (XEP-0401 §5). */
const inBand: Register = async (options, token, username, password) => {
  const port = Number(new URL(options.service).port);
  const { preauth, register } = await registerWithToken({ port, domain: options.domain, token, username, password });
  if (register.attrs.type !== "result") {
    throw new Error(`registration was refused: ${preauth.toString()} ${register.toString()}`);
  }
};

/** What a new person does in a browser: open the link, "Create your account", fill in the form. */
function throughWebPage(webUrl: string): Register {
  return async (_options, url, username, password) => {
    const visitor = new WebVisitor(webUrl);
    const expectOk = (page: WebPage, what: string) => {
      if (page.status !== 200) throw new Error(`${what}: HTTP ${page.status} from ${page.url}`);
      return page;
    };
    const landing = expectOk(await visitor.get(url), "the landing page");
    const form = expectOk(await visitor.follow(landing, "create-account"), "the registration form");
    const done = expectOk(
      await visitor.submit(form, { username, password, password_again: password }),
      "the registration",
    );
    if (!done.body.includes(`${username}@`)) throw new Error("the success page does not show the new address");
  };
}

/** Registers a newcomer with the invite one way, logs in, and checks that the inviter is a mutual contact. */
async function registerNewcomer(options: CheckOptions, invite: string, how: string, register: Register): Promise<void> {
  const { print, domain } = options;
  const username = `newcomer${Date.now() % 100_000}`;
  const password = `${username}-password`;
  print(`[check] Registering ${username}@${domain} ${how} …`);
  await register(options, invite, username, password);
  const newcomer = await connectUser({ service: options.service, domain, username, password, timeoutMs: WAIT_MS });
  try {
    const roster = await newcomer.roster();
    const inviter = `${options.username}@${domain}`;
    const subscription = roster.getChildren("item").find((item) => item.attrs.jid === inviter)?.attrs.subscription;
    if (subscription !== "both") throw new Error(`${inviter} is not a mutual contact (subscription=${subscription})`);
    print(`[check] ${username}@${domain} is registered and a mutual contact of ${inviter}.`);
  } finally {
    await newcomer.stop();
  }
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
}
