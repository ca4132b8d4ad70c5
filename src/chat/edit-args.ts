/**
 * The words after "invite edit" in chat: `invite edit ID expires 1w`, `invite edit ID uses 5`, or both in either
 * order. A lifetime is one of the account invite's choices (options.ts), counted from now. Pure: no I/O, no XMPP.
 */
import { EXPIRY_CHOICES } from "../invites/options.js";
import { isInviteId } from "../invites/token.js";

export const EDIT_SYNTAX = `invite edit ID [expires ${EXPIRY_CHOICES.map((c) => c.short).join("|")}] [uses N]`;

export interface EditArgs {
  readonly id: string;
  /** Seconds from now. */
  readonly lifetimeSeconds?: number;
  readonly maxUses?: number;
}

export type ParsedEditArgs = { readonly args: EditArgs; error?: undefined } | { readonly error: string };

export function parseEditArgs(text: string): ParsedEditArgs {
  const [id = "", ...words] = text.trim().split(/\s+/u);
  if (!isInviteId(id)) return { error: `Say "${EDIT_SYNTAX}" with an id from "invites".` };
  let lifetimeSeconds: number | undefined;
  let maxUses: number | undefined;
  for (let i = 0; i < words.length; i += 2) {
    const word = words[i]?.toLowerCase();
    const value = words[i + 1]?.toLowerCase() ?? "";
    const choice = EXPIRY_CHOICES.find((each) => each.short === value);
    if (word === "expires" && choice !== undefined && lifetimeSeconds === undefined) {
      lifetimeSeconds = choice.seconds;
    } else if (word === "uses" && /^\d{1,7}$/u.test(value) && maxUses === undefined) {
      maxUses = Number(value);
    } else {
      return { error: `I did not understand "${words.slice(i).join(" ")}". Say "${EDIT_SYNTAX}".` };
    }
  }
  if (lifetimeSeconds === undefined && maxUses === undefined) return { error: `Say "${EDIT_SYNTAX}".` };
  return {
    args: {
      id,
      ...(lifetimeSeconds === undefined ? {} : { lifetimeSeconds }),
      ...(maxUses === undefined ? {} : { maxUses }),
    },
  };
}
