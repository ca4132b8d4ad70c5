/** Namespaces the bot speaks. */
export const NS = {
  /** RFC 6120 §4.8.3 / XEP-0297 §4: the namespace of a client's stanzas, and of a forwarded one. */
  client: "jabber:client",
  stanzas: "urn:ietf:params:xml:ns:xmpp-stanzas",
  discoInfo: "http://jabber.org/protocol/disco#info",
  discoItems: "http://jabber.org/protocol/disco#items",
  commands: "http://jabber.org/protocol/commands",
  dataForms: "jabber:x:data",
  caps: "http://jabber.org/protocol/caps",
  ping: "urn:xmpp:ping",
  version: "jabber:iq:version",
  roster: "jabber:iq:roster",
  /** XEP-0334 message processing hints. */
  hints: "urn:xmpp:hints",
  /** XEP-0280 message carbons. */
  carbons: "urn:xmpp:carbons:2",
  /** RFC 6120 §4.8 stream namespace (stream features). */
  streams: "http://etherx.jabber.org/streams",
  /** XEP-0401 / XEP-0379 pre-authentication (`<preauth/>`). */
  pars: "urn:xmpp:pars:0",
  /** The bot's relay proof inside a XEP-0401 `<preauth/>` (src/registration/relay-proof.ts). */
  relay: "urn:xmpp-invite-bot:relay:0",
  /** XEP-0077 in-band registration. */
  register: "jabber:iq:register",
  /** XEP-0133 service administration commands. */
  admin: "http://jabber.org/protocol/admin",
  /** XEP-0355 namespace delegation: how our Prosody module forwards a user's request to the bot. */
  delegation: "urn:xmpp:delegation:2",
  /** XEP-0297 stanza forwarding, inside the delegation wrapper. */
  forward: "urn:xmpp:forward:0",
  /** XEP-0045 §9 affiliations, set by a room's admin or owner. */
  mucAdmin: "http://jabber.org/protocol/muc#admin",
  /** XEP-0249 direct MUC invitations. */
  conference: "jabber:x:conference",
} as const;
