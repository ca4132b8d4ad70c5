/**
 * Service discovery (XEP-0030) for the bot's full JID, plus the entity-caps
 * node (XEP-0115 §6.2: `node#ver` answers like the plain query).
 * Other parts add nodes through providers (ad-hoc commands do, XEP-0050 §2).
 */
import type { Client } from "@xmpp/client";
import { type Element, xml } from "@xmpp/xml";
import { capsVersion, type Identity } from "./caps.js";
import { iqRoutes } from "./iq-routes.js";
import { NS } from "./namespaces.js";
import { stanzaError } from "./stanza-error.js";

export interface DiscoInfo {
  readonly identities: readonly Identity[];
  readonly features: readonly string[];
}

export interface DiscoItem {
  readonly jid: string;
  readonly node?: string;
  readonly name?: string;
}

/** What a provider answers for a node: `undefined` = not my node, `"forbidden"` = not for this requester. */
export interface DiscoNodeProvider {
  info(node: string, from: string): DiscoInfo | "forbidden" | undefined;
  items(node: string, from: string): readonly DiscoItem[] | "forbidden" | undefined;
}

export class Disco {
  readonly #self: DiscoInfo;
  readonly #providers: DiscoNodeProvider[] = [];
  readonly capsNode: string;
  readonly ver: string;

  constructor(self: DiscoInfo, capsNode: string) {
    this.#self = self;
    this.capsNode = capsNode;
    this.ver = capsVersion(self.identities, self.features);
  }

  addProvider(provider: DiscoNodeProvider): void {
    this.#providers.push(provider);
  }

  /** `<c/>` for presence (XEP-0115 §4). */
  capsElement(): Element {
    return xml("c", { xmlns: NS.caps, hash: "sha-1", node: this.capsNode, ver: this.ver });
  }

  /** Answers both queries, asked directly or forwarded by the server (the client's route table, iq-routes.ts). */
  attach(xmpp: Client): void {
    iqRoutes(xmpp)
      .get(NS.discoInfo, "query", (element, from) => this.info(element, from))
      .get(NS.discoItems, "query", (element, from) => this.items(element, from));
  }

  /** The answer to a disco#info `<query/>` from `from`: the query to send back, or an `<error/>`. */
  info(element: Element, from: string): Element {
    const node = element.attrs.node;
    if (node === undefined || node === `${this.capsNode}#${this.ver}`) return infoQuery(this.#self, node);
    for (const provider of this.#providers) {
      const answer = provider.info(node, from);
      if (answer === "forbidden") return stanzaError("auth", "forbidden", "You are not allowed to see this node");
      if (answer !== undefined) return infoQuery(answer, node);
    }
    return stanzaError("cancel", "item-not-found");
  }

  /** The answer to a disco#items `<query/>` from `from`. */
  items(element: Element, from: string): Element {
    const node = element.attrs.node;
    if (node === undefined) return xml("query", { xmlns: NS.discoItems });
    for (const provider of this.#providers) {
      const answer = provider.items(node, from);
      if (answer === "forbidden") return stanzaError("auth", "forbidden", "You are not allowed to see this node");
      if (answer !== undefined) {
        return xml("query", { xmlns: NS.discoItems, node }, ...answer.map((item) => xml("item", { ...item })));
      }
    }
    return stanzaError("cancel", "item-not-found");
  }
}

function infoQuery({ identities, features }: DiscoInfo, node: string | undefined): Element {
  return xml(
    "query",
    { xmlns: NS.discoInfo, node },
    ...identities.map((identity) => xml("identity", { ...identity })),
    ...features.map((feature) => xml("feature", { var: feature })),
  );
}
