/**
 * The first stage of `#create-account` (issue #4): XEP-0401's `username` and
 * `roster-subscription` fields plus a lifetime, a number of uses and a note.
 */
import type { Element } from "@xmpp/xml";
import { buildForm, formBoolean, readSubmittedForm } from "../adhoc/dataform.js";
import { describeDuration } from "../invites/expiry.js";
import { EXPIRY_CHOICES, MAX_NOTE_LENGTH, MAX_USES, type RawAccountInviteOptions } from "../invites/options.js";
import { JOIN_ROLES, ROLE_LABELS } from "../invites/roles.js";

/** A circle as the form offers it. */
export interface CircleOption {
  readonly value: string;
  readonly label: string;
}

/** What the form offers besides the plain options: the circles there are, and roles where the server sets them. */
export interface FormChoices {
  readonly circles?: readonly CircleOption[];
  readonly roles?: boolean;
}

export function accountInviteOptionsForm(
  defaultTtl: number,
  entered: RawAccountInviteOptions = {},
  { circles = [], roles = false }: FormChoices = {},
): Element {
  const choices = EXPIRY_CHOICES.some((c) => c.seconds === defaultTtl)
    ? EXPIRY_CHOICES
    : [...EXPIRY_CHOICES, { short: "", label: describeDuration(defaultTtl), seconds: defaultTtl }];
  return buildForm({
    type: "form",
    title: "Create new account invite",
    instructions: "Leave everything as it is for a one-time invite. The link is shown on the next page.",
    fields: [
      {
        var: "username",
        type: "text-single",
        label: "Username (optional)",
        desc: "Only this username can be registered with the invite",
        values: entered.username ? [entered.username] : [],
      },
      {
        var: "roster-subscription",
        type: "boolean",
        label: "Add the new user to my contacts",
        values: [entered.rosterSubscription ? "1" : "0"],
      },
      {
        var: "expire",
        type: "list-single",
        label: "Valid for",
        values: [String(entered.ttlSeconds ?? defaultTtl)],
        options: choices.map((c) => ({ label: c.label, value: String(c.seconds) })),
      },
      {
        var: "max-uses",
        type: "text-single",
        label: `How many people may use it (1–${MAX_USES})`,
        values: [entered.maxUses ?? "1"],
        integerRange: { min: 1, max: MAX_USES },
      },
      {
        var: "note",
        type: "text-single",
        label: "Note (optional)",
        desc: `What the invite is for, shown in invite lists (at most ${MAX_NOTE_LENGTH} characters)`,
        values: entered.note ? [entered.note] : [],
      },
      // Optional, like every field here: Conversations cannot submit a form with a required field left empty.
      ...(circles.length === 0
        ? []
        : [
            {
              var: "circles",
              type: "list-multi" as const,
              label: "Circles the new user joins (optional)",
              desc: "They become every member's contact and join the circle's group chats",
              values: entered.circles ?? [],
              options: circles,
            },
          ]),
      {
        var: "rooms",
        type: "jid-multi",
        label: "Group chats the new user joins (optional)",
        desc: "Room addresses, e.g. room@conference.example.org",
        values: entered.rooms ?? [],
      },
      ...(roles
        ? [
            {
              var: "role",
              type: "list-single" as const,
              label: "Role of the new account",
              desc: "Limited accounts cannot invite others; an administrator can manage the whole server",
              values: [entered.role ?? JOIN_ROLES[0]],
              options: JOIN_ROLES.map((role) => ({ value: role, label: ROLE_LABELS[role] })),
            },
          ]
        : []),
    ],
  });
}

/** What the admin submitted, as entered; validation is the domain's. */
export function readAccountInviteOptions(form: Element | undefined): RawAccountInviteOptions {
  const values = readSubmittedForm(form);
  const first = (name: string) => values.get(name)?.[0];
  const listed = (name: "circles" | "rooms") => {
    const chosen = (values.get(name) ?? []).filter((value) => value.trim() !== "");
    return chosen.length === 0 ? {} : { [name]: chosen };
  };
  const expire = first("expire");
  return {
    username: first("username"),
    rosterSubscription: formBoolean(first("roster-subscription")),
    ...(expire === undefined || expire === "" ? {} : { ttlSeconds: Number(expire) }),
    maxUses: first("max-uses"),
    note: first("note"),
    ...listed("circles"),
    ...listed("rooms"),
    ...(first("role") ? { role: first("role") } : {}),
  };
}

/** Stage one of the password reset command: which account. */
export function passwordResetForm(): Element {
  return buildForm({
    type: "form",
    title: "Create password reset link",
    instructions: "The link lets whoever opens it set a new password for this account. It is valid for one day.",
    fields: [{ var: "accountjid", type: "jid-single", label: "Account", required: true }],
  });
}
