import type { Element } from "@xmpp/xml";
import type { Executing } from "./registry.js";

/**
 * A stage that asks for a form and offers only "complete" (XEP-0050 §3.4),
 * with the problems of a previous submission, if any, as an error note.
 */
export function askWithForm(form: Element, problems?: string): Executing {
  return {
    status: "executing",
    form,
    actions: ["complete"],
    defaultAction: "complete",
    ...(problems === undefined ? {} : { note: { type: "error", text: problems } }),
  };
}
