/**
 * A circle's group chat made ready (docs/circles.md): the bot enters the room (XEP-0045 §7.2). A room that did not
 * exist is created by that (§10.1.1, status 201) and locked until its owner, the bot, submits the configuration
 * (§10.1.3): persistent, members-only, not public, with a name and a description. A room that existed is the
 * bot's to manage only if the bot is its owner or admin (its affiliation in the self-presence, §7.2.3): it adds
 * and removes the circle's members. Either way the bot leaves again; refusals become the catalogue's errors.
 */
import type { Element } from "@xmpp/xml";
import type { RoomDetails } from "../circles/room-setup.js";
import { InviteError } from "../errors.js";
import type { Logger } from "../logger.js";
import { isTextConference } from "./muc-service.js";
import {
  configureIq,
  errorCondition,
  type IqRequest,
  joinPresence,
  leavePresence,
  MUC,
  within,
} from "./muc-stanzas.js";
import type { RoomPresences } from "./room-presences.js";

export interface RoomCreateDeps {
  readonly request: IqRequest;
  readonly send: (stanza: Element) => Promise<void>;
  readonly presences: RoomPresences;
  /** The bot's nickname in rooms while it sets them up. */
  readonly nick: string;
  /** How long the room may take to answer each step. */
  readonly timeoutMs: number;
  readonly log: Logger;
}

/** The affiliations that may change a room's member list (§9.3, §10). */
const MANAGING = new Set(["owner", "admin"]);

/** What a refused entry means (§7.2.6–§7.2.11, §10.1.1; RFC 6120 §8.3.3). */
export function entryRefusal(room: string, condition: string | undefined): InviteError {
  const params = { name: room };
  switch (condition) {
    case "registration-required": // §7.2.6: members-only, and the bot is not on the list.
      return new InviteError("circle-room-not-owner", { params });
    case "forbidden": // §7.2.7 banned, or (Prosody, ejabberd) not allowed to create rooms.
    case "not-allowed": // §10.1.1: room creation is restricted.
      return new InviteError("circle-room-forbidden", { params });
    case "remote-server-not-found":
    case "remote-server-timeout":
    case "service-unavailable":
      return new InviteError("circle-room-unreachable", { params });
    default:
      return new InviteError("circle-room-failed", { params: { ...params, reason: condition ?? "no reason given" } });
  }
}

async function configure(deps: RoomCreateDeps, room: string, details: RoomDetails): Promise<void> {
  const answer = await within(
    deps.request(
      configureIq(room, {
        "muc#roomconfig_roomname": details.title,
        "muc#roomconfig_roomdesc": details.description,
        "muc#roomconfig_persistentroom": "1",
        "muc#roomconfig_membersonly": "1",
        "muc#roomconfig_publicroom": "0",
      }),
    ),
    deps.timeoutMs,
    room,
  );
  if (answer.attrs.type !== "result") {
    throw new InviteError("circle-room-failed", { params: { name: room, reason: errorCondition(answer) } });
  }
}

/** Creates `room` or checks it is the bot's to manage; "created" or "existing", else an InviteError. */
export async function prepareRoom(
  deps: RoomCreateDeps,
  room: string,
  details: RoomDetails,
): Promise<"created" | "existing"> {
  // A room's address on something that is no MUC service (a typo, a server without one) would be refused with an
  // error that says nothing of that (Prosody: not-allowed, for a domain it does not serve): asked first (§6.1).
  const service = room.slice(room.indexOf("@") + 1);
  if (!(await within(isTextConference(deps.request, service), deps.timeoutMs, room))) {
    throw new InviteError("circle-room-unreachable", { params: { name: room } });
  }
  const occupant = `${room}/${deps.nick}`;
  const answered = deps.presences.expect(room, deps.nick, deps.timeoutMs);
  await deps.send(joinPresence(occupant));
  const self = await answered;
  if (self === undefined) throw new InviteError("circle-room-timeout", { params: { name: room } });
  if (self.attrs.type === "error") {
    const error = self.getChild("error");
    deps.log.warn("A group chat refused the bot", { room, error: error?.toString() });
    throw entryRefusal(room, errorCondition(self));
  }
  try {
    const x = self.getChild("x", MUC.user);
    if (x?.getChildren("status").some((status) => status.attrs.code === "201")) {
      await configure(deps, room, details);
      deps.log.info("Created a circle's group chat", { room });
      return "created";
    }
    const affiliation = x?.getChild("item")?.attrs.affiliation ?? "none";
    if (!MANAGING.has(affiliation)) throw new InviteError("circle-room-not-owner", { params: { name: room } });
    return "existing";
  } finally {
    // A room left unconfigured (the form refused) is not persistent: the service removes it once empty.
    await deps.send(leavePresence(occupant)).catch(() => undefined);
  }
}
