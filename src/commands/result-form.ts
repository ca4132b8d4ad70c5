import type { Element } from "@xmpp/xml";
import { buildForm } from "../adhoc/dataform.js";
import { formatDateTime } from "../invites/expiry.js";
import type { CreatedInvite } from "../invites/invite.js";

/** XEP-0401 §5 FORM_TYPE of the result form (version 0.6). */
export const INVITATION_FORM_TYPE = "urn:xmpp:invite#invitation";

/** The result form of Prosody's mod_invites_adhoc, field for field (XEP-0401 §4, FORM_TYPE urn:xmpp:invite#invitation). */
export function inviteResultForm(
  {
    invite,
    landingUrl,
  }: { readonly invite: Pick<CreatedInvite["invite"], "uri" | "expires">; readonly landingUrl: string },
  title = "Your invite has been created",
): Element {
  return buildForm({
    type: "result",
    title,
    formType: INVITATION_FORM_TYPE,
    fields: [
      {
        var: "landing-url",
        type: "text-single",
        label: "Invite web page",
        desc: "Share this link",
        values: [landingUrl],
      },
      {
        var: "uri",
        type: "text-single",
        label: "Invite URI",
        desc: "This alternative link can be opened with some XMPP clients",
        values: [invite.uri],
      },
      { var: "expire", type: "text-single", label: "Invite valid until", values: [formatDateTime(invite.expires)] },
    ],
  });
}
