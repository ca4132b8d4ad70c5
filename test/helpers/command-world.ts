/**
 * The bot's commands over an in-memory store, for unit tests of src/commands/: the real InviteService on a
 * MemoryInviteStore with a fixed clock, requesters' contexts as the bot builds them, and the steps of XEP-0050.
 */
import { type Element, xml } from "@xmpp/xml";
import type { AdhocCommand, CommandResult, CommandStep } from "../../src/adhoc/registry.js";
import type { ChatKeyword } from "../../src/chat/router.js";
import { CircleService } from "../../src/circles/service.js";
import { allAdhocCommands, allChatKeywords } from "../../src/commands/all-commands.js";
import { contextFactory, type RequestContext } from "../../src/commands/context.js";
import type { AccountControl } from "../../src/invites/account-control.js";
import type { Policy } from "../../src/invites/permissions.js";
import { InviteService } from "../../src/invites/service.js";
import { createLogger } from "../../src/logger.js";
import { MemoryCircles } from "../../src/storage/memory-circles.js";
import { MemoryInviteStore } from "../../src/storage/memory-store.js";
import { NS } from "../../src/xmpp/namespaces.js";

export const NOW_MS = Date.UTC(2026, 10, 27, 1, 59, 2);
export const WEEK = 604_800;
export const ADMIN = "admin@example.org";

export interface CommandWorld {
  readonly service: InviteService;
  readonly circles: CircleService;
  readonly store: MemoryInviteStore;
  /** Every log line, as the bot would write it. */
  readonly logs: string[];
  /** The context of a requester (a full JID), as the bot builds it. */
  ctx(from: string): RequestContext;
  adhoc(node: string): AdhocCommand<RequestContext>;
  chat(keyword: string): ChatKeyword<RequestContext>;
  /** Runs one stage of the ad-hoc command `node` for `from`. */
  run(node: string, from: string, step: CommandStep): Promise<CommandResult>;
  /** What the chat keyword answers `from` for the words after it. */
  say(keyword: string, from: string, args?: string): Promise<string>;
}

/**
 * `rolesOnJoin`: whether the server sets roles (our module on Prosody 13 says so), off by default; `accounts`: how
 * the server's accounts are disabled (a fake of src/invites/account-control.ts), none by default.
 */
export function commandWorld(
  overrides: Partial<Policy> = {},
  clock: () => number = () => NOW_MS,
  { rolesOnJoin = false, accounts }: { rolesOnJoin?: boolean; accounts?: AccountControl } = {},
): CommandWorld {
  const policy: Policy = {
    domain: "example.org",
    admins: new Set([ADMIN, "boss@elsewhere.net"]),
    allowUserInvites: false,
    allowContactInvites: true,
    botJid: "invites@example.org",
    ...overrides,
  };
  const store = new MemoryInviteStore(clock);
  const circles = new CircleService({ store: new MemoryCircles(), policy, clock, random: counterRandom() });
  const service = new InviteService({
    store,
    policy,
    ttlSeconds: WEEK,
    invitePage: "https://example.org/i",
    clock,
    circles,
    roles: { rolesOnJoin: () => rolesOnJoin },
    ...(accounts === undefined ? {} : { accounts }),
  });
  const logs: string[] = [];
  const ctx = contextFactory(policy, createLogger("debug", { write: (line: string) => logs.push(line) }));
  const commands = allAdhocCommands({ invites: service, circles });
  const keywords = allChatKeywords({ invites: service, circles }, clock);
  const adhoc = (node: string) => {
    const found = commands.find((command) => command.node === node);
    if (found === undefined) throw new Error(`no command ${node}`);
    return found;
  };
  const chat = (keyword: string) => {
    const found = keywords.find((k) => k.keyword === keyword);
    if (found === undefined) throw new Error(`no keyword ${keyword}`);
    return found;
  };
  return {
    service,
    circles,
    store,
    logs,
    ctx,
    adhoc,
    chat,
    run: (node, from, step) => adhoc(node).run(ctx(from), step),
    say: (keyword, from, args = "") => chat(keyword).run(ctx(from), args),
  };
}

/** Random bytes that differ on every call, the same in every run: circle ids a test can predict. */
function counterRandom(): (size: number) => Buffer {
  let calls = 0;
  return (size) => Buffer.alloc(size, ++calls);
}

/** The first request to a command: `execute`, or `complete` straight away. */
export function firstStep(action: "execute" | "complete" = "execute"): CommandStep {
  return { action, form: undefined, state: undefined, firstStage: true };
}

/** A later stage: the form the requester submitted (field → values) and what the previous stage kept. */
export function nextStep(
  fields: Record<string, string[]> | undefined,
  options: { action?: "execute" | "next" | "complete"; state?: unknown } = {},
): CommandStep {
  return {
    action: options.action ?? "complete",
    form: fields === undefined ? undefined : submittedForm(fields),
    state: options.state,
    firstStage: false,
  };
}

export function submittedForm(fields: Record<string, string[]>): Element {
  return xml(
    "x",
    { xmlns: NS.dataForms, type: "submit" },
    ...Object.entries(fields).map(([name, values]) =>
      xml("field", { var: name }, ...values.map((value) => xml("value", {}, value))),
    ),
  );
}

/** A data form's fields as var → values (the `<reported/>` header and table items left out). */
export function formValues(form: Element | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const field of form?.getChildren("field") ?? []) {
    out[field.attrs.var as string] = field.getChildren("value").map((value: Element) => value.getText());
  }
  return out;
}

/** A result table's rows as var → value. */
export function tableRows(form: Element | undefined): Record<string, string>[] {
  return (form?.getChildren("item") ?? []).map((item: Element) =>
    Object.fromEntries(
      item.getChildren("field").map((field: Element) => [field.attrs.var, field.getChildText("value") ?? ""]),
    ),
  );
}
