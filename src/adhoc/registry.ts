/**
 * XEP-0050 ad-hoc commands: a registry checked at start-up (a duplicate node
 * throws), disco listing filtered per requester, and the execution protocol.
 * Knows nothing of invites: commands bring `allowed` and `run`.
 */
import type { Client, IqContext } from "@xmpp/client";
import { type Element, xml } from "@xmpp/xml";
import type { DiscoInfo, DiscoItem, DiscoNodeProvider } from "../xmpp/disco.js";
import { NS } from "../xmpp/namespaces.js";
import { stanzaError } from "../xmpp/stanza-error.js";
import { newSessionId } from "./session-id.js";

/** What a one-stage command returns (XEP-0050 §3.4 `status='completed'`). */
export interface CommandResult {
  readonly form?: Element;
  readonly note?: { readonly type: "info" | "warn" | "error"; readonly text: string };
}

export interface AdhocCommand<Ctx> {
  readonly node: string;
  readonly name: string;
  allowed(ctx: Ctx): boolean;
  run(ctx: Ctx): Promise<CommandResult>;
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

  constructor(options: AdhocOptions<Ctx>) {
    this.#options = options;
  }

  register(command: AdhocCommand<Ctx>): this {
    if (this.#commands.has(command.node)) throw new Error(`Ad-hoc command node registered twice: ${command.node}`);
    this.#commands.set(command.node, command);
    return this;
  }

  attach(xmpp: Client): void {
    xmpp.iqCallee.set(NS.commands, "command", (ctx) => this.#execute(ctx));
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

  async #execute({ element, stanza }: IqContext): Promise<Element> {
    const node = element.attrs.node ?? "";
    const action = element.attrs.action ?? "execute";
    const command = this.#commands.get(node);
    if (command === undefined) return stanzaError("cancel", "item-not-found", `No command ${node}`);

    const ctx = this.#options.contextFor(stanza.attrs.from ?? "");
    if (!command.allowed(ctx)) return stanzaError("auth", "forbidden", FORBIDDEN_TEXT);
    if (!ACTIONS.has(action)) return commandError("malformed-action", `Unknown action "${action}"`);
    // Every command here completes in one stage (as Prosody's do), so no session
    // outlives its first answer and any session id a client sends is unknown.
    if (element.attrs.sessionid !== undefined) {
      return commandError("bad-sessionid", "This command session is unknown or has already ended");
    }
    if (action === "prev") return commandError("bad-action", "There is no previous stage");

    const sessionid = newSessionId();
    if (action === "cancel") return commandElement(node, sessionid, "canceled");
    try {
      const result = await command.run(ctx);
      return commandElement(node, sessionid, "completed", result);
    } catch (error) {
      return this.#options.onError(error, ctx, command);
    }
  }
}

function commandElement(node: string, sessionid: string, status: string, result: CommandResult = {}): Element {
  return xml(
    "command",
    { xmlns: NS.commands, node, sessionid, status },
    result.note === undefined ? null : xml("note", { type: result.note.type }, result.note.text),
    result.form,
  );
}

/** XEP-0050 §4.6: bad-request plus a command-specific condition. */
function commandError(condition: "malformed-action" | "bad-action" | "bad-sessionid", text: string): Element {
  return stanzaError("modify", "bad-request", text, xml(condition, { xmlns: NS.commands }));
}
