/**
 * The floor's fixed answer (scripts/bench-floor-responder.ts): the bot's own completed contact-invite command,
 * field for field (src/commands/result-form.ts), with a session id and a token of the bot's lengths, as a JSON tree
 * the responder rebuilds without importing anything of ours (it runs from TypeScript with Node's type stripping,
 * which does not resolve the `.js` names of our imports).
 */
import { type Element, xml } from "@xmpp/xml";
import { CONTACT_INVITE_NODE } from "../src/commands/invite-commands.js";
import { inviteResultForm } from "../src/commands/result-form.js";
import { invitePagePath } from "../src/invites/uri.js";
import { NS } from "../src/xmpp/namespaces.js";

/** Where the requester's bare JID goes in the tree's texts. */
const REQUESTER = "{requester}";

export interface XmlTree {
  readonly name: string;
  readonly attrs: Record<string, string>;
  readonly children: readonly (XmlTree | string)[];
}

/** As long as the bot's: the load client checks the URI's shape, not that the token is new. */
const FIXED_TOKEN = "floorfloorfloorfloor0000";
/** As long as the bot's (src/adhoc/session-id.ts: 9 random bytes, base64url). */
const FIXED_SESSION = "floorfloorfl";
/** The bot's default INVITE_TTL: the expiry field reads alike. */
const TTL_SECONDS = 7 * 86_400;

function treeOf(element: Element): XmlTree {
  return {
    name: element.name,
    attrs: Object.fromEntries(Object.entries(element.attrs).map(([name, value]) => [name, String(value)])),
    children: element.children.map((child) => (typeof child === "string" ? child : treeOf(child as Element))),
  };
}

/** The answer to the floor's requesters, a landing page under `webUrl` as the bot's; `requester` marks their JID. */
export function floorAnswer(webUrl: string): { readonly requester: string; readonly tree: XmlTree } {
  const uri = `xmpp:${REQUESTER}?roster;preauth=${FIXED_TOKEN}`;
  const expires = Math.floor(Date.now() / 1000) + TTL_SECONDS;
  const tree = treeOf(
    xml(
      "command",
      { xmlns: NS.commands, node: CONTACT_INVITE_NODE, sessionid: FIXED_SESSION, status: "completed" },
      inviteResultForm({ invite: { uri, expires }, landingUrl: `${webUrl}${invitePagePath(FIXED_TOKEN)}` }),
    ),
  );
  return { requester: REQUESTER, tree };
}
