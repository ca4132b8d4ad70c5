/** How pending invites read: as table rows for ad-hoc, as lines for chat. */
import { type Clock, describeDuration, formatDateTime, nowSeconds } from "../invites/expiry.js";
import type { PendingInvite } from "../invites/pending.js";

const KIND_WORDS: Record<PendingInvite["kind"], string> = {
  contact: "contact invite",
  account: "account invite",
  reset: "password reset",
};

export function describeKind(pending: PendingInvite): string {
  const parts = [KIND_WORDS[pending.kind]];
  if (pending.kind === "contact" && pending.allowsRegistration) parts.push("may register");
  if (pending.username !== undefined) parts.push(`for ${pending.username}`);
  return parts.join(", ");
}

export function describeUses(pending: PendingInvite): string {
  if (pending.maxUses === undefined) return "once";
  return `${pending.usesLeft ?? pending.maxUses} of ${pending.maxUses} left`;
}

export const LIST_COLUMNS = [
  { var: "id", label: "Id" },
  { var: "kind", label: "Kind" },
  { var: "inviter", label: "Made by" },
  { var: "expire", label: "Valid until" },
  { var: "uses", label: "Uses" },
  { var: "note", label: "Note" },
] as const;

export function listRow(pending: PendingInvite): Record<string, string> {
  return {
    id: pending.id,
    kind: describeKind(pending),
    inviter: pending.inviter ?? "(server)",
    expire: formatDateTime(pending.expires),
    uses: describeUses(pending),
    note: pending.note ?? "",
  };
}

/** One line per invite: "• Xy12_-ab — account invite — 5 of 5 left — expires in 6 days — for the club". */
export function listLines(pendings: readonly PendingInvite[], showInviter: boolean, clock: Clock): string[] {
  const now = nowSeconds(clock);
  return pendings.map((pending) =>
    [
      `• ${pending.id}`,
      describeKind(pending),
      ...(showInviter ? [`by ${pending.inviter ?? "the server"}`] : []),
      ...(pending.maxUses === undefined ? [] : [describeUses(pending)]),
      `expires in ${describeDuration(pending.expires - now)}`,
      ...(pending.note === undefined ? [] : [`“${pending.note}”`]),
    ].join(" — "),
  );
}

/** How many invites of the whole list come after this page. */
export function remainingAfter(list: { total: number; page: number; pageSize: number }): number {
  return Math.max(0, list.total - list.page * list.pageSize);
}

/** "1–25 of 1,234" */
export function pageSummary(list: {
  invites: readonly unknown[];
  total: number;
  page: number;
  pageSize: number;
}): string {
  const first = (list.page - 1) * list.pageSize + 1;
  const last = first + list.invites.length - 1;
  const total = list.total.toLocaleString("en");
  return list.invites.length === list.total ? `${total}` : `${first}–${last} of ${total}`;
}
