/**
 * The catalogue's codes about circles (docs/circles.md), thrown by the domain as InviteError like the invite ones.
 * For the codes about one group chat (circle-room-…), the `name` param is the room's address.
 */
import { type ErrorAnswer, type ErrorEntry, errorEntry } from "./entry.js";

export type CircleErrorCode =
  | "circles-admins-only"
  | "circle-not-found"
  | "circle-ambiguous"
  | "circle-name-invalid"
  | "circle-name-taken"
  | "circle-member-not-local"
  | "circle-room-invalid"
  | "circle-room-name-invalid"
  | "circle-no-muc-service"
  | "circle-room-not-owner"
  | "circle-room-forbidden"
  | "circle-room-unreachable"
  | "circle-room-timeout"
  | "circle-room-failed";

const INVALID: ErrorAnswer = { stanza: "modify bad-request", status: 400, page: "error" };

/** The room as the texts name it. */
const room = (name: string | undefined): string => name ?? "that group chat";

export const CIRCLE_ERRORS: Readonly<Record<CircleErrorCode, ErrorEntry>> = {
  "circles-admins-only": errorEntry(
    { stanza: "auth forbidden", status: 403, page: "error" },
    "Only administrators may manage circles",
    "Sorry, only administrators can manage circles.",
  ),
  "circle-not-found": errorEntry(
    { stanza: "cancel item-not-found", status: 404, page: "error" },
    ({ name }) => `There is no circle called ${name ?? "that"}`,
    ({ name }) => `Sorry, there is no circle called "${name ?? "that"}". Say "circles" to see them.`,
  ),
  "circle-ambiguous": errorEntry(
    { stanza: "modify conflict", status: 409, page: "error" },
    ({ name }) => `More than one circle is called ${name ?? "that"}; name it by its id`,
    ({ name }) => `Sorry, more than one circle is called "${name ?? "that"}". Use its id from "circles".`,
  ),
  "circle-name-invalid": errorEntry(
    INVALID,
    "A circle's name is 1 to 64 characters of text, without control characters",
    "Sorry, a circle's name must be 1 to 64 characters of text, without control characters.",
  ),
  "circle-name-taken": errorEntry(
    { stanza: "cancel conflict", status: 409, page: "error" },
    ({ name }) => `There is a circle called ${name ?? "that"} already`,
    ({ name }) => `Sorry, there is a circle called "${name ?? "that"}" already.`,
  ),
  "circle-member-not-local": errorEntry(
    { stanza: "modify not-acceptable", status: 400, page: "error" },
    ({ host }) => `Only accounts on ${host} can be members of a circle`,
    ({ host }) => `Sorry, only accounts on ${host} (user@${host}) can be members of a circle.`,
  ),
  "circle-room-invalid": errorEntry(
    { stanza: "modify jid-malformed", status: 400, page: "error" },
    ({ host }) => `A group chat is the address of a room, such as room@conference.${host}`,
    ({ host }) => `Sorry, a group chat is the address of a room, such as room@conference.${host}.`,
  ),
  "circle-room-name-invalid": errorEntry(
    INVALID,
    ({ name, host }) =>
      `${name ?? "That name"} gives no room address; give the room's full address (room@conference.${host})`,
    ({ name, host }) =>
      `Sorry, "${name ?? "that name"}" gives no room address: name it with letters or digits, or give the room's full address (room@conference.${host}).`,
  ),
  "circle-no-muc-service": errorEntry(
    { stanza: "cancel service-unavailable", status: 503, page: "error" },
    "This server has no group chat service (XEP-0045); set MUC_SERVICE or give the room's full address",
    "This server has no group chat service (XEP-0045); set MUC_SERVICE or give the room's full address.",
  ),
  "circle-room-not-owner": errorEntry(
    { stanza: "cancel not-allowed", status: 403, page: "error" },
    ({ name }) => `The bot must be the owner or an admin of ${room(name)} to add it to a circle`,
    ({ name }) =>
      `Sorry, the bot must be the owner or an admin of ${room(name)} to add it to a circle (it manages its members): ask the room's owner to make the bot an owner or admin, or name a new room.`,
  ),
  "circle-room-forbidden": errorEntry(
    { stanza: "auth forbidden", status: 403, page: "error" },
    ({ name }) => `The group chat service does not let the bot create or enter ${room(name)}`,
    ({ name }) =>
      `Sorry, the group chat service does not let the bot create or enter ${room(name)}: create the room yourself and make the bot its owner or admin, then add it again.`,
  ),
  "circle-room-unreachable": errorEntry(
    { stanza: "cancel remote-server-not-found", status: 502, page: "error" },
    ({ name }) => `There is no group chat service at the address of ${room(name)}`,
    ({ name, host }) =>
      `Sorry, there is no group chat service at the address of ${room(name)}: check it (group chats are at an address such as room@conference.${host}).`,
  ),
  "circle-room-timeout": errorEntry(
    { stanza: "wait remote-server-timeout", status: 504, page: "error" },
    ({ name }) => `The group chat service of ${room(name)} did not answer in time`,
    ({ name }) =>
      `Sorry, the group chat service of ${room(name)} did not answer in time; the circle is unchanged. Please try again.`,
  ),
  "circle-room-failed": errorEntry(
    { stanza: "cancel undefined-condition", status: 502, page: "error" },
    ({ name, reason }) => `The group chat service refused to set up ${room(name)}${reason ? ` (${reason})` : ""}`,
    ({ name, reason }) =>
      `Sorry, the group chat service refused to set up ${room(name)}${reason ? ` (${reason})` : ""}; the circle is unchanged.`,
  ),
};
