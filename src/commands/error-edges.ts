/** The edges of the error catalogue: InviteError → stanza error or chat sentence. */
import type { Element } from "@xmpp/xml";
import { describeError, InviteError } from "../errors.js";
import { stanzaError } from "../xmpp/stanza-error.js";
import type { RequestContext } from "./context.js";

const INTERNAL_TEXT = "Something went wrong on our side; nothing was created. Please try again later.";

function logFailure(error: unknown, ctx: RequestContext): void {
  if (error instanceof InviteError) {
    const cause = error.cause instanceof Error ? error.cause.message : undefined;
    const log = error.code === "store-unavailable" ? ctx.log.error : ctx.log.info;
    log("Invite refused", { code: error.code, cause });
  } else {
    ctx.log.error("Command failed unexpectedly", { error: error instanceof Error ? error.stack : String(error) });
  }
}

export function adhocErrorFor(host: string) {
  return (error: unknown, ctx: RequestContext): Element => {
    logFailure(error, ctx);
    if (!(error instanceof InviteError)) return stanzaError("cancel", "internal-server-error", INTERNAL_TEXT);
    const { stanza, text } = describeError(error.code);
    return stanzaError(stanza.type, stanza.condition, text({ ...error.params, host }));
  };
}

export function chatErrorFor(host: string) {
  return (error: unknown, ctx: RequestContext): string => {
    logFailure(error, ctx);
    if (!(error instanceof InviteError))
      return `Sorry, ${INTERNAL_TEXT.charAt(0).toLowerCase()}${INTERNAL_TEXT.slice(1)}`;
    return describeError(error.code).chat({ ...error.params, host });
  };
}
