/**
 * An edited invite record (docs/storage.md, "Editing an invite"): the same record with a new `expires`, and a new
 * cap for a counted invite. Pure; both stores apply it to the record as they find it when they write, so an edit
 * never brings back what changed since it was asked for.
 */
import { type InviteRecord, maxUsesOf } from "./record.js";
import type { InviteEdit } from "./store.js";

export function editedRecord(record: InviteRecord, change: InviteEdit): InviteRecord {
  const expires = change.expires ?? record.expires;
  if (change.maxUses === undefined) return { ...record, expires };
  const { max_uses: _, ...data } = record.additional_data ?? {};
  // The record's own rule for uses (record.ts, maxUsesOf; Prosody's max_uses_of): a cap of 1 is a single-use invite.
  if (change.maxUses > 1) {
    return { ...record, expires, reusable: true, additional_data: { ...data, max_uses: change.maxUses } };
  }
  return { ...record, expires, reusable: false, additional_data: data };
}

/**
 * What claim.lua takes as the invite's cap, and the edit script checks the uses against: N for a counted invite,
 * 0 for a single-use one, -1 for one reusable without a count.
 */
export function usesCapOf(record: InviteRecord): number {
  return maxUsesOf(record) ?? (record.reusable ? -1 : 0);
}
