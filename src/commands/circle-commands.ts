/**
 * Circles over ad-hoc (docs/circles.md; the chat keywords are in circle-chat.ts): a list anyone may see (admins:
 * every circle; users: their own), and for admins a form to create one and a form to edit one (its name, members
 * and group chats, or delete it), each applied as one request.
 */
import { buildForm, buildTable, formBoolean, readSubmittedForm } from "../adhoc/dataform.js";
import type { AdhocCommand, CommandResult, CommandStep } from "../adhoc/registry.js";
import { askWithForm } from "../adhoc/stages.js";
import type { CircleWithMembers } from "../circles/circle.js";
import type { ChangedCircle } from "../circles/circle-changes.js";
import type { CircleService } from "../circles/service.js";
import { changedReply, membersText, roomsAddedText, roomsText } from "./circle-text.js";
import type { RequestContext } from "./context.js";

export const LIST_CIRCLES_NODE = "xmpp-invite-bot#circles";
export const CREATE_CIRCLE_NODE = "xmpp-invite-bot#create-circle";
export const EDIT_CIRCLE_NODE = "xmpp-invite-bot#edit-circle";

const COLUMNS = [
  { var: "name", label: "Circle" },
  { var: "id", label: "Id" },
  { var: "members", label: "Members" },
  { var: "rooms", label: "Group chats" },
] as const;

function listResult(circles: readonly CircleWithMembers[], admin: boolean): CommandResult {
  if (circles.length === 0) {
    const text = admin ? "There are no circles yet." : "You are not a member of any circle.";
    return { note: { type: "info", text } };
  }
  const rows = circles.map((circle) => ({
    name: circle.name,
    id: circle.id,
    members: membersText(circle.members),
    rooms: roomsText(circle.rooms),
  }));
  return { form: buildTable(admin ? "Circles" : "Your circles", COLUMNS, rows) };
}

const values = (form: ReadonlyMap<string, readonly string[]>, name: string): string[] =>
  (form.get(name) ?? []).map((value) => value.trim()).filter((value) => value !== "");

async function runCreate(service: CircleService, { actor }: RequestContext, step: CommandStep): Promise<CommandResult> {
  if (step.firstStage) {
    return askWithForm(
      buildForm({
        type: "form",
        title: "Create a circle",
        instructions: "Everyone in a circle becomes everyone's contact, and a member of its group chats.",
        fields: [
          { var: "name", type: "text-single", label: "Name" },
          { var: "members", type: "jid-multi", label: "Members (optional)" },
          {
            var: "rooms",
            type: "jid-multi",
            label: "Group chats (optional): room@conference.example.org, or a name for a new one",
          },
        ],
      }),
    );
  }
  const form = readSubmittedForm(step.form);
  const circle = await service.create(actor, form.get("name")?.[0] ?? "", {
    members: values(form, "members"),
    rooms: values(form, "rooms"),
  });
  return { note: { type: "info", text: withRooms(changedReply("Created.", circle, circle.members), circle) } };
}

interface EditState {
  readonly id: string;
}

async function runEdit(service: CircleService, ctx: RequestContext, step: CommandStep): Promise<CommandResult> {
  const { actor } = ctx;
  if (step.firstStage) {
    const circles = await service.list(actor);
    if (circles.length === 0) return { note: { type: "info", text: "There are no circles yet." } };
    return {
      status: "executing",
      form: buildForm({
        type: "form",
        title: "Edit a circle",
        fields: [
          {
            var: "circle",
            type: "list-single",
            label: "Circle",
            options: circles.map((circle) => ({ value: circle.id, label: circle.name })),
          },
        ],
      }),
      actions: ["next"],
      defaultAction: "next",
    };
  }
  if (step.state === undefined) {
    const circle = await service.find(actor, readSubmittedForm(step.form).get("circle")?.[0] ?? "");
    return editForm(circle);
  }
  return applyEdit(service, ctx, (step.state as EditState).id, readSubmittedForm(step.form));
}

function editForm(circle: CircleWithMembers): ReturnType<typeof askWithForm> {
  return {
    ...askWithForm(
      buildForm({
        type: "form",
        title: `Edit ${circle.name}`,
        fields: [
          { var: "name", type: "text-single", label: "Name", values: [circle.name] },
          { var: "members", type: "jid-multi", label: "Members", values: circle.members },
          {
            var: "rooms",
            type: "jid-multi",
            label: "Group chats (a name alone makes a new one)",
            values: circle.rooms,
          },
          { var: "delete", type: "boolean", label: "Delete this circle", values: ["0"] },
        ],
      }),
    ),
    state: { id: circle.id } satisfies EditState,
  };
}

/** The submitted form, applied by the domain: checked whole first, then only what changed is done. */
async function applyEdit(
  service: CircleService,
  { actor }: RequestContext,
  id: string,
  form: ReadonlyMap<string, readonly string[]>,
): Promise<CommandResult> {
  if (formBoolean(form.get("delete")?.[0])) {
    const gone = await service.delete(actor, id);
    return { note: { type: "info", text: `Deleted the circle ${gone.name}.` } };
  }
  const name = form.get("name")?.[0];
  const after = await service.edit(actor, id, {
    ...(name === undefined ? {} : { name }),
    members: values(form, "members"),
    rooms: values(form, "rooms"),
  });
  return { note: { type: "info", text: withRooms(changedReply("Saved.", after, after.members), after) } };
}

/** The change, then what was done for each chat new to the circle (created, or added with its members). */
function withRooms(text: string, circle: ChangedCircle): string {
  return circle.roomsAdded.length === 0 ? text : `${text} ${roomsAddedText(circle, circle.roomsAdded)}`;
}

export function circleAdhocCommands(service: CircleService): AdhocCommand<RequestContext>[] {
  return [
    {
      node: LIST_CIRCLES_NODE,
      name: "List circles",
      allowed: ({ actor }) => actor.localUser !== undefined || actor.isAdmin,
      run: async ({ actor }) => listResult(await service.list(actor), actor.isAdmin),
    },
    {
      node: CREATE_CIRCLE_NODE,
      name: "Create a circle",
      allowed: ({ actor }) => actor.isAdmin,
      run: (ctx, step) => runCreate(service, ctx, step),
    },
    {
      node: EDIT_CIRCLE_NODE,
      name: "Edit a circle",
      allowed: ({ actor }) => actor.isAdmin,
      run: (ctx, step) => runEdit(service, ctx, step),
    },
  ];
}
