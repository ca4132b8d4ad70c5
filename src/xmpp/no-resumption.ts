/**
 * Stream management (XEP-0198) for acknowledgements only, never session resumption.
 *
 * @xmpp/client asks for resumption (`<enable resume='true'/>`, XEP-0198 §5). The server then keeps the session of a
 * bot that died without closing its stream (SIGKILL, a crash, the OOM killer) "hibernating": still available, at
 * its priority, for minutes (Prosody's smacks_hibernation_time, 600 s unless set; ejabberd's resume_timeout, 300 s).
 * For several instances (docs/instances.md) that is the leader's session, so messages to the bot's bare JID would go
 * to a dead instance, unanswered, until then. The bot has nothing to resume (its state is in Redis; a restart is a
 * new session), so it enables stream management without resumption: the server ends the session as soon as the
 * stream breaks, sends the bot's unavailable presence, and another instance takes over.
 */
import type { Client } from "@xmpp/client";
import type { Element } from "@xmpp/xml";

const NS_SM = "urn:xmpp:sm:3";
/** Where @xmpp/client puts `<enable/>`: alone after binding, or inline in SASL2's `<authenticate><bind>` (XEP-0386). */
const CARRIERS = new Set(["enable", "authenticate", "bind"]);

/** Takes `resume` off every `<enable/>` the connection sends. */
export function withoutResumption(xmpp: Client): void {
  const send = xmpp.send.bind(xmpp);
  xmpp.send = (element: Element, ...rest: unknown[]) => {
    dropResume(element);
    return send(element, ...(rest as []));
  };
}

function dropResume(element: Element): void {
  if (!CARRIERS.has(element.name)) return;
  if (element.name === "enable" && element.attrs.xmlns === NS_SM) delete element.attrs.resume;
  for (const child of element.getChildElements()) dropResume(child);
}
