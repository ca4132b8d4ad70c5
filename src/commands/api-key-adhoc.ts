/**
 * API keys over ad-hoc, for admins (docs/api.md, "Keys"): "Manage API keys" is a multi-stage command (XEP-0050
 * §2.4). Its first form lists every key (never a key itself: only its hash is stored) and asks what to do; the next
 * asks a new key's name and scope, or which key to revoke; the last answers with the new key, shown this once, or
 * says the key is revoked. Each action is one call to ApiKeyService with the requester's actor, as chat `apikey`
 * (api-key-commands.ts) and the console make; refusals are the catalogue's (src/errors/api-errors.ts).
 */
import type { Element } from "@xmpp/xml";
import { buildForm, type FormField, readSubmittedForm } from "../adhoc/dataform.js";
import type { AdhocCommand, CommandResult, Completed } from "../adhoc/registry.js";
import { askWithForm } from "../adhoc/stages.js";
import { type ApiErrorCode, describeError } from "../errors.js";
import type { ApiKeyService } from "../invites/api-key-service.js";
import { API_KEY_NAME_PATTERN, type ApiKey, type ApiKeyScope, isApiKeyScope } from "../invites/api-keys.js";
import { keyLine } from "./api-key-commands.js";
import type { RequestContext } from "./context.js";

export const API_KEYS_NODE = "xmpp-invite-bot#api-keys";

export const KEEP_IT = "Keep it: it is not shown again.";

/** What the previous stage kept: the keys the first form listed (names and dates only), or which form is open. */
type Stage =
  | { readonly stage: "choose"; readonly keys: readonly ApiKey[] }
  | { readonly stage: "create" }
  | { readonly stage: "revoke" };

type Submitted = ReadonlyMap<string, readonly string[]>;

const SCOPES: readonly { readonly value: ApiKeyScope; readonly label: string }[] = [
  { value: "create", label: "create: may only create invites" },
  {
    value: "manage",
    label: "manage: may also list, read, edit and revoke invites, and read and revoke invite trees",
  },
];

const first = (form: Submitted, name: string): string => (form.get(name)?.[0] ?? "").trim();

/** A refusal in the catalogue's words, logged by its code as the error edges log theirs (error-edges.ts). */
function refusal(ctx: RequestContext, code: ApiErrorCode): string {
  ctx.log.info("API key request refused", { code });
  // The API key codes' texts name no host.
  return describeError(code).text({ host: "" });
}

/** The command ends with the refusal as its error note (XEP-0050 §3.4). */
const refused = (ctx: RequestContext, code: ApiErrorCode): Completed => ({
  note: { type: "error", text: refusal(ctx, code) },
});

/** Stage 1: every key as a line of its own (XEP-0004 §3.3 `fixed`), and what to do. */
function chooseStage(keys: readonly ApiKey[], problem?: string): CommandResult {
  const lines: FormField[] = keys.map((key, index) => ({ var: `key-${index}`, type: "fixed", values: [keyLine(key)] }));
  const actions = [
    { value: "create", label: "Create a key" },
    ...(keys.length === 0 ? [] : [{ value: "revoke", label: "Revoke a key" }]),
  ];
  const form = buildForm({
    type: "form",
    title: "Manage API keys",
    instructions:
      keys.length === 0
        ? "There are no API keys yet."
        : `API keys (${keys.length}): each key's name, scope, maker and when it was made and last used.`,
    fields: [...lines, { var: "action", type: "list-single", label: "What to do", required: true, options: actions }],
  });
  const state: Stage = { stage: "choose", keys };
  return {
    status: "executing",
    form,
    actions: ["next"],
    defaultAction: "next",
    state,
    ...(problem === undefined ? {} : { note: { type: "error", text: problem } }),
  };
}

function createForm(name = "", scope: ApiKeyScope = "create"): Element {
  return buildForm({
    type: "form",
    title: "Create an API key",
    instructions: "The key acts as you. It is shown once, on the next page: keep it then.",
    fields: [
      {
        var: "name",
        type: "text-single",
        label: "Name",
        desc: "1 to 40 lower-case letters, digits, '.', '_' or '-'; you revoke the key by this name",
        required: true,
        values: name === "" ? [] : [name],
      },
      { var: "scope", type: "list-single", label: "Scope", required: true, values: [scope], options: SCOPES },
    ],
  });
}

function revokeForm(keys: readonly ApiKey[]): Element {
  return buildForm({
    type: "form",
    title: "Revoke an API key",
    instructions: "The key stops working at once, on every bot instance.",
    fields: [
      {
        var: "name",
        type: "list-single",
        label: "Key",
        required: true,
        options: keys.map((key) => ({ value: key.name, label: `${key.name} (${key.scope})` })),
      },
    ],
  });
}

/** Stage 2: the form of the action chosen; without one, the first form again. */
function choose(keys: readonly ApiKey[], form: Submitted): CommandResult {
  const action = first(form, "action");
  if (action === "create") return { ...askWithForm(createForm()), state: { stage: "create" } satisfies Stage };
  if (action === "revoke" && keys.length > 0) {
    return { ...askWithForm(revokeForm(keys)), state: { stage: "revoke" } satisfies Stage };
  }
  return chooseStage(keys, "Choose what to do: create or revoke a key.");
}

/** Stage 3 of create: one ApiKeyService.create; a name to change asks again, with the entered values. */
async function create(keys: ApiKeyService, ctx: RequestContext, form: Submitted): Promise<CommandResult> {
  const name = first(form, "name").toLowerCase();
  const scope = first(form, "scope").toLowerCase();
  const again = (problem: string) => ({
    ...askWithForm(createForm(name, isApiKeyScope(scope) ? scope : "create"), problem),
    state: { stage: "create" } satisfies Stage,
  });
  if (!API_KEY_NAME_PATTERN.test(name)) return again(refusal(ctx, "api-key-name-invalid"));
  if (!isApiKeyScope(scope)) return again("Choose the scope: create or manage.");
  const made = await keys.create(ctx.actor, name, scope);
  if (!made.ok) {
    if (made.reason === "not-admin") return refused(ctx, "api-keys-admins-only");
    return again(refusal(ctx, "api-key-name-taken"));
  }
  // The name only: the key itself is never logged (docs/security.md).
  ctx.log.info("API key made", { name, scope, via: "ad-hoc" });
  return {
    note: { type: "info", text: `${KEEP_IT} Send it as Authorization: Bearer KEY to /api/v1.` },
    form: buildForm({
      type: "result",
      title: `API key "${name}" (${scope})`,
      fields: [
        { var: "name", type: "text-single", label: "Name", values: [name] },
        { var: "scope", type: "text-single", label: "Scope", values: [scope] },
        { var: "key", type: "text-single", label: "Key", desc: KEEP_IT, values: [made.key] },
      ],
    }),
  };
}

/** Stage 3 of revoke: one ApiKeyService.revoke. */
async function revoke(keys: ApiKeyService, ctx: RequestContext, form: Submitted): Promise<CommandResult> {
  const name = first(form, "name").toLowerCase();
  const revoked = await keys.revoke(ctx.actor, name);
  if (revoked === undefined) return refused(ctx, "api-keys-admins-only");
  if (!revoked) return refused(ctx, "api-key-not-found");
  ctx.log.info("API key revoked", { name, via: "ad-hoc" });
  return { note: { type: "info", text: `Revoked API key "${name}": it no longer works.` } };
}

export function apiKeyAdhocCommands(keys: ApiKeyService): AdhocCommand<RequestContext>[] {
  return [
    {
      node: API_KEYS_NODE,
      name: "Manage API keys",
      allowed: ({ actor }) => actor.isAdmin,
      run: async (ctx, step) => {
        const state = step.firstStage ? undefined : (step.state as Stage | undefined);
        const form = readSubmittedForm(step.form);
        if (state?.stage === "choose") return choose(state.keys, form);
        if (state?.stage === "create") return create(keys, ctx, form);
        if (state?.stage === "revoke") return revoke(keys, ctx, form);
        const listed = await keys.list(ctx.actor);
        return listed === undefined ? refused(ctx, "api-keys-admins-only") : chooseStage(listed);
      },
    },
  ];
}
