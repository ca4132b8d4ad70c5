/**
 * Where rooms named by a name alone are made: MUC_SERVICE, else the server's own group chat service, found once
 * with XEP-0030 (§4 disco#items of XMPP_DOMAIN, then §3 disco#info of each item: the identity category
 * "conference", type "text", as XEP-0045 §6.1 says a MUC service announces itself) and kept.
 */
import { xml } from "@xmpp/xml";
import type { Logger } from "../logger.js";
import { NS } from "../xmpp/namespaces.js";
import type { IqRequest } from "./muc-stanzas.js";

export interface MucServiceDeps {
  /** MUC_SERVICE, when set. */
  readonly configured: string | undefined;
  readonly domain: string;
  readonly request: IqRequest;
  readonly log: Logger;
}

/** Whether `jid` says it is a MUC service (XEP-0045 §6.1: identity category "conference", type "text"). */
export async function isTextConference(request: IqRequest, jid: string): Promise<boolean> {
  const info = await request(xml("iq", { type: "get", to: jid }, xml("query", { xmlns: NS.discoInfo })));
  const identities = info.attrs.type === "result" ? (info.getChild("query")?.getChildren("identity") ?? []) : [];
  return identities.some(({ attrs }) => attrs.category === "conference" && attrs.type === "text");
}

async function discover({ domain, request }: MucServiceDeps): Promise<string | undefined> {
  const items = await request(xml("iq", { type: "get", to: domain }, xml("query", { xmlns: NS.discoItems })));
  const jids = (items.attrs.type === "result" ? (items.getChild("query")?.getChildren("item") ?? []) : [])
    .filter((item) => item.attrs.node === undefined && item.attrs.jid !== undefined)
    .map((item) => String(item.attrs.jid));
  for (const jid of jids) if (await isTextConference(request, jid)) return jid.toLowerCase();
  return undefined;
}

/** The MUC service, or undefined when the server has none (asked again next time: one may be added). */
export function mucServiceFinder(deps: MucServiceDeps): () => Promise<string | undefined> {
  if (deps.configured !== undefined) {
    const configured = deps.configured;
    return async () => configured;
  }
  let found: Promise<string | undefined> | undefined;
  return () => {
    found ??= discover(deps).then(
      (service) => {
        if (service === undefined) found = undefined;
        else deps.log.info("Found the server's group chat service", { service });
        return service;
      },
      (error: Error) => {
        found = undefined;
        deps.log.warn("Could not look for the server's group chat service", { error: error.message });
        return undefined;
      },
    );
    return found;
  };
}
