/** The edges of the error catalogue: InviteError → stanza error or chat sentence; anything else → `internal`. */
import type { Element } from "@xmpp/xml";
import { describeError, InviteError } from "../errors.js";
import { stanzaError } from "../xmpp/stanza-error.js";
import type { RequestContext } from "./context.js";

function logFailure(error: unknown, ctx: RequestContext): void {
  if (error instanceof InviteError) {
    const cause = error.cause instanceof Error ? error.cause.message : undefined;
    const log = error.code === "store-unavailable" ? ctx.log.error : ctx.log.info;
    log("Invite refused", { code: error.code, cause });
  } else {
    ctx.log.error("Command failed unexpectedly", { error: error instanceof Error ? error.stack : String(error) });
  }
}

/** The catalogue entry of a failure and the params its texts get. */
function entryOf(error: unknown, host: string) {
  return error instanceof InviteError
    ? { entry: describeError(error.code), params: { ...error.params, host } }
    : { entry: describeError("internal"), params: { host } };
}

export function adhocErrorFor(host: string) {
  return (error: unknown, ctx: RequestContext): Element => {
    logFailure(error, ctx);
    const { entry, params } = entryOf(error, host);
    return stanzaError(entry.stanza.type, entry.stanza.condition, entry.text(params));
  };
}

export function chatErrorFor(host: string) {
  return (error: unknown, ctx: RequestContext): string => {
    logFailure(error, ctx);
    const { entry, params } = entryOf(error, host);
    return entry.chat(params);
  };
}
