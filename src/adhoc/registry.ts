/**
 * XEP-0050 ad-hoc commands: a registry checked at start-up (a duplicate node
 * throws), disco listing filtered per requester, and the execution protocol.
 * Knows nothing of invites: commands bring `allowed` and `run`.
 */
import type { Client } from "@xmpp/client";
import { type Element, xml } from "@xmpp/xml";
import type { DiscoInfo, DiscoItem, DiscoNodeProvider } from "../xmpp/disco.js";
import { iqRoutes } from "../xmpp/iq-routes.js";
import { NS } from "../xmpp/namespaces.js";
import { stanzaError } from "../xmpp/stanza-error.js";
import { newSessionId } from "./session-id.js";
import { AdhocSessions } from "./sessions.js";

export interface Note {
  readonly type: "info" | "warn" | "error";
  readonly text: string;
}

/** One request to a command (XEP-0050 §3): the action and, after the first stage, the submitted form. */
export interface CommandStep {
  readonly action: "execute" | "next" | "complete";
  /** The `<x xmlns='jabber:x:data' type='submit'/>` the requester sent, if any. */
  readonly form: Element | undefined;
  /** What the previous stage kept; undefined on the first stage. */
  readonly state: unknown;
  readonly firstStage: boolean;
}

/** The command is done (XEP-0050 §3.4 `status='completed'`). */
export interface Completed {
  readonly status?: "completed";
  readonly form?: Element;
  readonly note?: Note;
}

/** The command needs another stage (`status='executing'`) and offers these actions. */
export interface Executing {
  readonly status: "executing";
  readonly form: Element;
  readonly actions: readonly ("next" | "complete")[];
  /** XEP-0050 §3.4: what `execute` means on the next stage. */
  readonly defaultAction: "next" | "complete";
  readonly state?: unknown;
  readonly note?: Note;
}

export type CommandResult = Completed | Executing;

export interface AdhocCommand<Ctx> {
  readonly node: string;
  readonly name: string;
  allowed(ctx: Ctx): boolean;
  run(ctx: Ctx, step: CommandStep): Promise<CommandResult>;
}

export interface AdhocOptions<Ctx> {
  /** Builds the handler context for a requester's full JID. */
  readonly contextFor: (from: string) => Ctx;
  /** Turns a failure of `run` into an `<error/>` (the edge of the error catalogue). */
  readonly onError: (error: unknown, ctx: Ctx, command: AdhocCommand<Ctx>) => Element;
  /** The bot's own full JID, for disco items. */
  readonly selfJid: () => string;
}

// XEP-0050 §4.4: the actions a requester may ask for.
const ACTIONS = new Set(["execute", "cancel", "next", "prev", "complete"]);
const FORBIDDEN_TEXT = "You are not allowed to execute this command";

export class AdhocRegistry<Ctx> implements DiscoNodeProvider {
  readonly #commands = new Map<string, AdhocCommand<Ctx>>();
  readonly #options: AdhocOptions<Ctx>;
  readonly sessions: AdhocSessions;

  constructor(options: AdhocOptions<Ctx>, sessions: AdhocSessions = new AdhocSessions()) {
    this.#options = options;
    this.sessions = sessions;
  }

  register(command: AdhocCommand<Ctx>): this {
    if (this.#commands.has(command.node)) throw new Error(`Ad-hoc command node registered twice: ${command.node}`);
    this.#commands.set(command.node, command);
    return this;
  }

  /** Executes commands asked of the bot directly or forwarded by the server (the client's route table). */
  attach(xmpp: Client): void {
    iqRoutes(xmpp).set(NS.commands, "command", (element, from) => this.execute(element, from));
  }

  /** XEP-0050 §2.2: disco#info on a command node. */
  info(node: string, from: string): DiscoInfo | "forbidden" | undefined {
    if (node === NS.commands) {
      return { identities: [{ category: "automation", type: "command-list", name: "Commands" }], features: [] };
    }
    const command = this.#commands.get(node);
    if (command === undefined) return undefined;
    if (!command.allowed(this.#options.contextFor(from))) return "forbidden";
    return {
      identities: [{ category: "automation", type: "command-node", name: command.name }],
      features: [NS.commands, NS.dataForms],
    };
  }

  /** XEP-0050 §2.1: only the commands this requester may execute. */
  items(node: string, from: string): readonly DiscoItem[] | undefined {
    if (node !== NS.commands) return undefined;
    const ctx = this.#options.contextFor(from);
    const jid = this.#options.selfJid();
    return [...this.#commands.values()]
      .filter((command) => command.allowed(ctx))
      .map(({ node, name }) => ({ jid, node, name }));
  }

  /**
   * Runs one `<command/>` for the requester `from` (a full JID): asked of the bot directly, or forwarded by the
   * server for a user who executed it at the domain (src/xmpp/delegation.ts). Resolves with the reply's child.
   */
  async execute(element: Element, from: string): Promise<Element> {
    const node = element.attrs.node ?? "";
    const action = element.attrs.action ?? "execute";
    const command = this.#commands.get(node);
    if (command === undefined) return stanzaError("cancel", "item-not-found", `No command ${node}`);

    const ctx = this.#options.contextFor(from);
    if (!command.allowed(ctx)) return stanzaError("auth", "forbidden", FORBIDDEN_TEXT);
    if (!ACTIONS.has(action)) return commandError("malformed-action", `Unknown action "${action}"`);

    const requestedId = element.attrs.sessionid;
    const session = requestedId === undefined ? undefined : this.sessions.find(requestedId, from, node);
    if (requestedId !== undefined && session === undefined) {
      return commandError("bad-sessionid", "This command session is unknown or has already ended");
    }
    const sessionid = requestedId ?? newSessionId();
    if (action === "cancel") {
      this.sessions.close(sessionid);
      return commandElement(node, sessionid, { status: "canceled" });
    }
    if (action === "prev") return commandError("bad-action", "This command has no previous stage");

    const step: CommandStep = {
      action: action as CommandStep["action"],
      form: element.getChild("x", NS.dataForms),
      state: session?.state,
      firstStage: session === undefined,
    };
    let result: CommandResult;
    try {
      result = await command.run(ctx, step);
    } catch (error) {
      this.sessions.close(sessionid);
      return this.#options.onError(error, ctx, command);
    }
    if (result.status === "executing") {
      this.sessions.open(from, node, result.state, sessionid);
    } else {
      this.sessions.close(sessionid);
    }
    return commandElement(node, sessionid, result);
  }
}

function commandElement(node: string, sessionid: string, result: CommandResult | { status: "canceled" }): Element {
  const status = result.status ?? "completed";
  const note = "note" in result ? result.note : undefined;
  const form = "form" in result ? result.form : undefined;
  const actions =
    result.status === "executing"
      ? xml("actions", { execute: result.defaultAction }, ...result.actions.map((name) => xml(name)))
      : null;
  return xml(
    "command",
    { xmlns: NS.commands, node, sessionid, status },
    actions,
    note === undefined ? null : xml("note", { type: note.type }, note.text),
    form,
  );
}

/** XEP-0050 §4.6: bad-request plus a command-specific condition. */
function commandError(condition: "malformed-action" | "bad-action" | "bad-sessionid", text: string): Element {
  return stanzaError("modify", "bad-request", text, xml(condition, { xmlns: NS.commands }));
}
