/**
 * After the account was made (or the password set): the address, how to log in, the new contact; for an account that
 * waits for an admin's approval, that an admin will look at it first. No password.
 */
import { html } from "../html.js";
import type { InviteView } from "../invite-view.js";
import type { PageContext } from "../page-context.js";
import { roomsLine } from "./invite-page.js";
import { page } from "./layout.js";

export function successPage(ctx: PageContext, view: InviteView, address: string, appName: string | undefined): string {
  if (view.kind === "reset") {
    return page(ctx, {
      title: ctx.t("success.reset_title"),
      body: html`<h1>${ctx.t("success.reset_title")}</h1><p class="address">${ctx.t("success.reset_body", { address })}</p>`,
    });
  }
  // A held account (APPROVE_USER_INVITED) cannot log in yet: it says so instead, and no contact is promised.
  const login = view.held
    ? ctx.t("success.held")
    : appName === undefined
      ? ctx.t("success.login_any", { address })
      : ctx.t("success.login", { app: appName, address });
  // Prosody's mod_invites_register makes inviter and invitee mutual contacts for contact invites (XEP-0379).
  const contact =
    view.kind === "account-contact" && view.inviter !== undefined && view.held !== true
      ? html`<p class="contact">${ctx.t("success.contact", { inviter: view.inviter })}</p>`
      : "";
  // What the invite was to (docs/circles.md); the chats are the rooms' addresses, to find them in the app.
  const circles =
    view.circles.length === 0
      ? ""
      : html`<p class="circles">${ctx.t("success.circles", { circles: ctx.list(view.circles) })}</p>`;
  return page(ctx, {
    title: ctx.t("success.title", { address }),
    body: html`<h1>${ctx.t("success.title", { address })}</h1>
<p class="address"><strong>${address}</strong></p>
<p>${login}</p>
${contact}
${circles}
${roomsLine(ctx, view)}`,
  });
}
