/**
 * The floor for `npm run bench` (issue 26): a bare @xmpp/client responder, in a process of its own, that answers
 * the XEP-0050 contact-invite command (`urn:xmpp:invite#invite`) with a fixed completed answer: no storage, no
 * checks, no signing. The answer is the bot's own, field for field and of the same size (its result form, built by
 * src/commands/result-form.ts in scripts/bench-floor.ts and passed in as FLOOR_ANSWER, a session id and token of
 * the bot's lengths), so that the server and the client carry and parse the same bytes for both. The same load client measures it beside the bot, on the same
 * server, so its figures are what this machine, this server and xmpp.js can do at best; the bot's are reported as
 * ratios to them.
 *
 * Settings come from the environment (FLOOR_SERVICE, FLOOR_DOMAIN, FLOOR_USERNAME, FLOOR_PASSWORD, FLOOR_RESOURCE,
 * FLOOR_ANSWER: the answer as a JSON tree, and the mark where the requester's bare JID goes);
 * it prints `<time> INFO Online` once it is online, as the bot does, for scripts/bench-bot.ts's spawnBot.
 */
import { client, xml } from "@xmpp/client";
import type { Element } from "@xmpp/xml";
import type { XmlTree } from "./bench-floor-answer.ts";

const NS_COMMANDS = "http://jabber.org/protocol/commands";
const CONTACT_INVITE_NODE = "urn:xmpp:invite#invite";

function setting(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === "") throw new Error(`${name} is not set`);
  return value;
}

const xmpp = client({
  service: setting("FLOOR_SERVICE"),
  domain: setting("FLOOR_DOMAIN"),
  username: setting("FLOOR_USERNAME"),
  password: setting("FLOOR_PASSWORD"),
  resource: setting("FLOOR_RESOURCE"),
});

const { requester: mark, tree: template } = JSON.parse(setting("FLOOR_ANSWER")) as { requester: string; tree: XmlTree };

function build(tree: XmlTree | string, requester: string): Element | string {
  if (typeof tree === "string") return tree.replaceAll(mark, requester);
  return xml(tree.name, tree.attrs, ...tree.children.map((child) => build(child, requester)));
}

/** The answer for each requester (its URI names them), built once. */
const answers = new Map<string, Element>();

function answerFor(requester: string): Element {
  let answer = answers.get(requester);
  if (answer === undefined) {
    answer = build(template, requester) as Element;
    answers.set(requester, answer);
  }
  return answer;
}

xmpp.iqCallee.set(NS_COMMANDS, "command", ({ from, element }) => {
  if (element.attrs.node !== CONTACT_INVITE_NODE) return undefined; // item-not-found, from xmpp.js
  return answerFor(from.bare().toString());
});

const say = (level: string, text: string): void => {
  process.stdout.write(`${new Date().toISOString()} ${level} ${text}\n`);
};
xmpp.on("error", (error: Error) => say("WARN", `floor responder: ${error.message}`));
xmpp.on("online", () => say("INFO", "Online"));
process.once("SIGTERM", () => {
  void xmpp.stop().finally(() => process.exit(0));
});
await xmpp.start();
