/**
 * The form of "Invite to a circle" (circle-invite-commands.ts): which of the inviter's own circles the newcomer
 * joins. Optional, like every field an app's user can meet (Conversations cannot submit a required one empty).
 */
import type { Element } from "@xmpp/xml";
import { buildForm, readSubmittedForm } from "../adhoc/dataform.js";
import type { CircleOption } from "./account-invite-form.js";

export function contactInviteForm(circles: readonly CircleOption[]): Element {
  return buildForm({
    type: "form",
    title: "Invite to a circle",
    instructions: "Whoever registers with it becomes your contact and joins the circles you choose.",
    fields: [
      {
        var: "circles",
        type: "list-multi",
        label: "Circles the new user joins (optional)",
        desc: "They become every member's contact and join the circle's group chats",
        options: circles,
      },
    ],
  });
}

/** The circles chosen, as submitted (ids); none from a form that was not submitted. */
export function chosenCircles(form: Element | undefined): string[] {
  return (readSubmittedForm(form).get("circles") ?? []).filter((value) => value.trim() !== "");
}
