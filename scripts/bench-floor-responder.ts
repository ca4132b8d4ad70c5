/**
 * The floor for `npm run bench` (issue 26): a bare @xmpp/client responder, in a process of its own, that answers
 * the XEP-0050 contact-invite command (`urn:xmpp:invite#invite`) with a fixed completed answer: no storage, no
 * checks, no signing. The same load client measures it beside the bot, on the same server, so its figures are what
 * this machine, this server and xmpp.js can do at best; the bot's are reported as ratios to them.
 *
 * Settings come from the environment (FLOOR_SERVICE, FLOOR_DOMAIN, FLOOR_USERNAME, FLOOR_PASSWORD, FLOOR_RESOURCE);
 * it prints `<time> INFO Online` once it is online, as the bot does, for scripts/bench-bot.ts's spawnBot.
 */
import { client, xml } from "@xmpp/client";

const NS_COMMANDS = "http://jabber.org/protocol/commands";
const CONTACT_INVITE_NODE = "urn:xmpp:invite#invite";
/** One token for every answer: the load client checks the URI's shape, not that the token is new. */
const FIXED_TOKEN = "floorfloorfloorfloor0000";

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

xmpp.iqCallee.set(NS_COMMANDS, "command", ({ from, element }) => {
  if (element.attrs.node !== CONTACT_INVITE_NODE) return undefined; // item-not-found, from xmpp.js
  const uri = `xmpp:${from.bare().toString()}?roster;preauth=${FIXED_TOKEN}`;
  return xml(
    "command",
    { xmlns: NS_COMMANDS, node: CONTACT_INVITE_NODE, sessionid: "floor", status: "completed" },
    xml("x", { xmlns: "jabber:x:data", type: "result" }, xml("field", { var: "uri" }, xml("value", {}, uri))),
  );
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
