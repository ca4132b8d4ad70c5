import type { Client } from "@xmpp/client";
import { xml } from "@xmpp/xml";
import { iqRoutes } from "./iq-routes.js";
import { NS } from "./namespaces.js";

/** XEP-0092: answers jabber:iq:version with our name and version. */
export function attachSoftwareVersion(xmpp: Client, software: { name: string; version: string }): void {
  iqRoutes(xmpp).get(NS.version, "query", () =>
    xml("query", { xmlns: NS.version }, xml("name", {}, software.name), xml("version", {}, software.version)),
  );
}
