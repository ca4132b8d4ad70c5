/**
 * Stream management (XEP-0198) as the bot uses it: acknowledgements only, never session resumption, with the
 * counting of @xmpp/stream-management 0.14 put right for a session that is never resumed.
 *
 * No resumption: @xmpp/client asks for it (`<enable resume='true'/>`, XEP-0198 §5). The server then keeps the session
 * of a bot that died without closing its stream (SIGKILL, a crash, the OOM killer) "hibernating": still available,
 * at its priority, for minutes (Prosody's smacks_hibernation_time, 600 s unless set; ejabberd's resume_timeout,
 * 300 s). For several instances (docs/instances.md) that is the leader's session, so messages to the bot's bare JID
 * would go to a dead instance, unanswered, until then. The bot has nothing to resume (its state is in Redis; a
 * restart is a new session), so the server ends the session as soon as the stream breaks, sends the bot's
 * unavailable presence, and another instance takes over.
 *
 * Counting, seen on Prosody 13, which asks for an acknowledgement (`<r/>`) after every stanza it sends:
 * - The count of received stanzas starts at zero on `<enabled/>` (XEP-0198 §4). The library zeroes it a tick later,
 *   when its wait for `<enabled/>` resumes, after the stanzas that came in the same read were counted and an `<r/>`
 *   among them answered: the next answer was lower, and Prosody closed the stream ("Client acknowledged less stanzas
 *   than already acknowledged"). Here the count starts at `<enabled/>` itself, and the library's late zero is
 *   dropped.
 * - When the stream breaks, the library keeps the stanzas it had sent and not seen acknowledged, for a resumption
 *   that never comes: on the next `<enable/>` it finds them, fails its own check ("queue should be empty after
 *   enable"), and stream management is left half on, answering `<r/>` with the old session's count. Prosody closed
 *   each new stream at once, and the bot reconnected in a loop, offline for good. Here a broken stream's session is
 *   over: what it had not seen acknowledged is given up ("fail", as the library does when it goes offline) and both
 *   counts start again from zero.
 */
import type { Client } from "@xmpp/client";
import type { Element } from "@xmpp/xml";

const NS_SM = "urn:xmpp:sm:3";
/** Where @xmpp/client puts `<enable/>`: alone after binding, or inline in SASL2's `<authenticate><bind>` (XEP-0386). */
const CARRIERS = new Set(["enable", "authenticate", "bind"]);

/** The parts of @xmpp/stream-management's state this module corrects. */
interface StreamManagementState {
  inbound: number;
  outbound: number;
  outbound_q: { stanza: Element }[];
  id: string;
  emit(event: "fail", stanza: Element): void;
}

/** Stream management for acknowledgements only, counted right (see above). */
export function ackOnlyStreamManagement(xmpp: Client): void {
  withoutResumption(xmpp);
  const sm = (xmpp as unknown as { streamManagement?: StreamManagementState }).streamManagement;
  if (sm !== undefined) countRight(xmpp, sm);
}

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

function countRight(xmpp: Client, sm: StreamManagementState): void {
  let inbound = sm.inbound;
  /** `<enabled/>` came alone and the count started there: the library's own zero, a tick later, is dropped. */
  let lateZero = false;
  Object.defineProperty(sm, "inbound", {
    configurable: true,
    enumerable: true,
    get: () => inbound,
    set: (value: number) => {
      if (value === 0 && lateZero) lateZero = false;
      else inbound = value;
    },
  });
  // Every element read, in order, before the next is parsed (inline `<enabled/>` in SASL2's `<bound>` is counted
  // from by the library itself, at once).
  xmpp.on("element", (element: Element) => {
    if (element.is("enabled", NS_SM)) {
      inbound = 0;
      lateZero = true;
    }
  });
  xmpp.on("disconnect", () => {
    for (const { stanza } of sm.outbound_q.splice(0)) sm.emit("fail", stanza);
    inbound = 0;
    lateZero = false;
    sm.outbound = 0;
    sm.id = "";
  });
}
