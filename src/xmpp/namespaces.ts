/** Namespaces the bot speaks. */
export const NS = {
  stanzas: "urn:ietf:params:xml:ns:xmpp-stanzas",
  discoInfo: "http://jabber.org/protocol/disco#info",
  discoItems: "http://jabber.org/protocol/disco#items",
  commands: "http://jabber.org/protocol/commands",
  dataForms: "jabber:x:data",
  caps: "http://jabber.org/protocol/caps",
  ping: "urn:xmpp:ping",
  version: "jabber:iq:version",
  roster: "jabber:iq:roster",
} as const;
