/**
 * A circle's members on its group chat's member list (XEP-0045 §9.3, the bot as the room's owner or admin). Only
 * those without an affiliation are made members: granting `member` to an owner or admin would demote them, and an
 * outcast (§9.1) stays banned.
 */
import { InviteError } from "../errors.js";
import type { Logger } from "../logger.js";
import { affiliationListIq, errorCondition, type IqRequest, membersIq, within } from "./muc-stanzas.js";

const AFFILIATIONS = ["owner", "admin", "member", "outcast"] as const;

export interface RoomMembersDeps {
  readonly request: IqRequest;
  readonly timeoutMs: number;
  readonly log: Logger;
}

/** The bare JIDs with `affiliation` (§9.5, §10.5); a list the bot may not read is empty (then a grant refuses). */
async function listed(deps: RoomMembersDeps, room: string, affiliation: string): Promise<Set<string>> {
  const answer = await within(deps.request(affiliationListIq(room, affiliation)), deps.timeoutMs, room);
  const items = answer.attrs.type === "result" ? (answer.getChild("query")?.getChildren("item") ?? []) : [];
  return new Set(items.map((item) => String(item.attrs.jid).toLowerCase()));
}

async function grant(deps: RoomMembersDeps, room: string, jids: readonly string[]): Promise<void> {
  const answer = await within(deps.request(membersIq(room, jids)), deps.timeoutMs, room);
  if (answer.attrs.type !== "result") {
    throw new InviteError("circle-room-failed", { params: { name: room, reason: errorCondition(answer) } });
  }
}

/** Makes each of `jids` that has no affiliation in `room` a member; rejects with an InviteError when it refuses. */
export async function addRoomMembers(deps: RoomMembersDeps, room: string, jids: readonly string[]): Promise<void> {
  const affiliated = new Set<string>();
  for (const affiliation of AFFILIATIONS) for (const jid of await listed(deps, room, affiliation)) affiliated.add(jid);
  const wanted = jids.filter((jid) => !affiliated.has(jid));
  if (wanted.length === 0) return;
  await grant(deps, room, wanted);
  // Prosody (0.12 and 13: muc.lib.lua, handle_admin_query_set_command) applies only the first item of a batch and
  // answers "result" all the same: whoever the list still lacks is granted alone.
  const members = wanted.length === 1 ? new Set(wanted) : await listed(deps, room, "member");
  for (const jid of wanted.filter((each) => !members.has(each))) await grant(deps, room, [jid]);
  deps.log.info("Made a circle's members members of its group chat", { room, members: wanted.length });
}
