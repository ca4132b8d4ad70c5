/**
 * Circles over chat (docs/circles.md): `circles` lists them (admins: all, with members and chats; users: their
 * own), and admins manage them with `circle …`. Names may be quoted when they contain " to " or " from ".
 */
import type { ChatKeyword } from "../chat/router.js";
import type { CircleService } from "../circles/service.js";
import { changedReply, circleLine, circlesReply, roomsReply } from "./circle-text.js";
import type { RequestContext } from "./context.js";

/** A name as typed, without its quotes. */
const NAME = `(?:"([^"]+)"|(.+?))`;
const JID = String.raw`(\S+)`;
/** A group chat as typed: its address, or a name alone for a new room, quoted when it has spaces. */
const ROOM = `(?:"([^"]+)"|(\\S+))`;

function named(match: RegExpExecArray, at: number): string {
  return (match[at] ?? match[at + 1] ?? "").trim();
}

export const CIRCLE_USAGE = [
  "circle create NAME",
  "circle rename NAME to NEW NAME",
  "circle add user@domain to NAME",
  "circle remove user@domain from NAME",
  "circle add-chat room@service to NAME (or the name of a new room)",
  "circle remove-chat room@service from NAME",
  "circle delete NAME",
  "circle NAME (to see one)",
].join("\n");

type Run = (service: CircleService, ctx: RequestContext, match: RegExpExecArray) => Promise<string>;

/** Each form of `circle …`, tried in order; the last one (a name alone) shows that circle. */
const FORMS: readonly (readonly [RegExp, Run])[] = [
  [
    new RegExp(`^create\\s+${NAME}$`, "iu"),
    async (service, { actor }, m) => {
      const circle = await service.create(actor, named(m, 1));
      return `Created the circle ${circle.name} (id ${circle.id}). Add members with "circle add user@domain to ${circle.name}".`;
    },
  ],
  [
    new RegExp(`^rename\\s+${NAME}\\s+to\\s+${NAME}$`, "iu"),
    async (service, { actor }, m) => {
      const circle = await service.rename(actor, named(m, 1), named(m, 3));
      return `Renamed: the circle is now called ${circle.name}.`;
    },
  ],
  [
    new RegExp(`^add\\s+${JID}\\s+to\\s+${NAME}$`, "iu"),
    async (service, { actor }, m) => {
      const added = await service.addMember(actor, named(m, 2), m[1] ?? "");
      const circle = await service.find(actor, named(m, 2));
      return changedReply(added ? "Added." : "Already a member.", circle, circle.members);
    },
  ],
  [
    new RegExp(`^remove\\s+${JID}\\s+from\\s+${NAME}$`, "iu"),
    async (service, { actor }, m) => {
      const removed = await service.removeMember(actor, named(m, 2), m[1] ?? "");
      const circle = await service.find(actor, named(m, 2));
      return changedReply(removed ? "Removed." : "That account was not a member.", circle, circle.members);
    },
  ],
  [
    new RegExp(`^add-chat\\s+${ROOM}\\s+to\\s+${NAME}$`, "iu"),
    async (service, { actor }, m) => roomsReply("Added.", await service.addRoom(actor, named(m, 3), named(m, 1))),
  ],
  [
    new RegExp(`^remove-chat\\s+${ROOM}\\s+from\\s+${NAME}$`, "iu"),
    async (service, { actor }, m) =>
      changedReply("Removed.", await service.removeRoom(actor, named(m, 3), named(m, 1))),
  ],
  [
    new RegExp(`^delete\\s+${NAME}$`, "iu"),
    async (service, { actor }, m) => {
      const circle = await service.delete(actor, named(m, 1));
      return `Deleted the circle ${circle.name}; its ${circle.members.length} members keep their accounts and contacts.`;
    },
  ],
  // A name alone, unless it starts like one of the forms above and was mistyped.
  [
    new RegExp(`^(?!(?:create|rename|add|remove|add-chat|remove-chat|delete)(?:\\s|$))${NAME}$`, "iu"),
    async (service, { actor }, m) => circleLine(await service.find(actor, named(m, 1))),
  ],
];

export function circleChatKeywords(service: CircleService): ChatKeyword<RequestContext>[] {
  return [
    {
      keyword: "circles",
      help: "the circles you are in (admins: every circle, with its members and group chats)",
      allowed: ({ actor }) => actor.localUser !== undefined || actor.isAdmin,
      run: async ({ actor }) => circlesReply(await service.list(actor), actor.isAdmin),
    },
    {
      keyword: "circle",
      help: 'circle create NAME, circle add user@domain to NAME, … — manage circles (say "circle" for all of it)',
      // In help for admins; members may still say "circle NAME" to see one of theirs.
      allowed: ({ actor }) => actor.isAdmin,
      takesArguments: true,
      run: async (ctx, args) => {
        const text = args.trim();
        if (text === "") return ctx.actor.isAdmin ? `Say one of:\n${CIRCLE_USAGE}` : 'Say "circles" to see yours.';
        for (const [pattern, run] of FORMS) {
          const match = pattern.exec(text);
          if (match !== null) return run(service, ctx, match);
        }
        return `Say one of:\n${CIRCLE_USAGE}`;
      },
    },
  ];
}
