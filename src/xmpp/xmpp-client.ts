/**
 * @xmpp/client's `client()`, with SCRAM-SHA-1 computed natively (scram-sha-1.ts): every session the bot opens
 * (its own, and the one it opens as a new account to add contacts) logs in through here.
 */
import { type Client, type ClientOptions, client } from "@xmpp/client";
import { useNativeScramSha1 } from "./scram-sha-1.js";

export function xmppClient(options: ClientOptions): Client {
  const xmpp = client(options);
  useNativeScramSha1(xmpp.saslFactory);
  return xmpp;
}
