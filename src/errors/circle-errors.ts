/** The catalogue's codes about circles (docs/circles.md), thrown by the domain as InviteError like the invite ones. */
import { type ErrorAnswer, type ErrorEntry, errorEntry } from "./entry.js";

export type CircleErrorCode =
  | "circles-admins-only"
  | "circle-not-found"
  | "circle-ambiguous"
  | "circle-name-invalid"
  | "circle-name-taken"
  | "circle-member-not-local"
  | "circle-room-invalid";

const INVALID: ErrorAnswer = { stanza: "modify bad-request", status: 400, page: "error" };

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
};
