/**
 * An existing account joins the circles of an invite through its link, where the bot is the registration hook
 * (docs/circles.md, "Joining with an existing account"). The invite page's `xmpp:BOT@HOST?roster;preauth=TOKEN`
 * link makes the user's own app send the bot a subscription request carrying the token (XEP-0379 §3): the server
 * authenticated its sender, which proves the account. One use of the invite is claimed for it (the claim's purpose
 * `joined` records the use event when it is kept), the account joins the circles as a newcomer does
 * (circle-join.ts), and the use is kept. On Prosody with our module the module does this itself, and takes the token
 * out of the request before the bot sees it; `acts` keeps the bot out of it there all the same.
 */
import type { CircleStore } from "../circles/store.js";
import { boundUsernameOf, circleIdsOf, type InviteRecord } from "../invites/record.js";
import type { InviteClaims } from "../invites/store.js";
import { roomsOfRecord } from "../invites/use-rooms.js";
import { normaliseLocal, parseBareJid } from "../jid.js";
import { type Logger, redactToken } from "../logger.js";
import { joinCircles } from "./circle-join.js";
import type { ContactMaker } from "./contacts.js";

export interface ExistingJoinOptions {
  readonly domain: string;
  readonly claims: InviteClaims;
  readonly circles: Pick<CircleStore, "find" | "addMember">;
  /** ejabberd's API, the one way to make contacts without the account's password; undefined: membership only. */
  readonly contacts: ContactMaker | undefined;
  /** Whether the bot is the registration hook now (src/registration/choose.ts decides once online). */
  readonly acts: () => boolean;
  readonly log: Logger;
}

/** What became of one request: for the log and the tests. */
export type ExistingJoinOutcome = "joined" | "not-ours" | "not-a-circle-invite" | "invite-invalid" | "unavailable";

/** Whether the record names circles or group chats outside them (as the module's `names_circles` reads it). */
function namesCircles(record: InviteRecord, host: string): boolean {
  return circleIdsOf(record).length > 0 || roomsOfRecord(record, host).length > 0;
}

/** Whether `local` may join with this record: not a reset link, and an invite bound to one username for that user. */
function mayJoin(record: InviteRecord, local: string): boolean {
  if (typeof record.additional_data?.allow_reset === "string") return false;
  const bound = boundUsernameOf(record);
  return bound === undefined || normaliseLocal(bound) === local;
}

export class ExistingAccountJoin {
  readonly #options: ExistingJoinOptions;
  /** Accounts whose request is being handled: a second one meanwhile is ignored (each costs a claim). */
  readonly #busy = new Set<string>();

  constructor(options: ExistingJoinOptions) {
    this.#options = options;
  }

  /** A preauth subscription request from `from` (a bare JID) with `token`; never throws. */
  async join(from: string, token: string): Promise<ExistingJoinOutcome> {
    const { domain, acts } = this.#options;
    const account = parseBareJid(from);
    // Members are accounts of the domain; on a server with our module, the module answers (docs/circles.md).
    if (account === undefined || account.domain !== domain || !acts() || this.#busy.has(from)) return "not-ours";
    this.#busy.add(from);
    try {
      return await this.#claimAndJoin(`${account.local}@${domain}`, account.local, token);
    } finally {
      this.#busy.delete(from);
    }
  }

  async #claimAndJoin(jid: string, local: string, token: string): Promise<ExistingJoinOutcome> {
    const log = this.#options.log.child({ invite: redactToken(token), jid });
    let outcome: Awaited<ReturnType<InviteClaims["claim"]>>;
    try {
      outcome = await this.#options.claims.claim(token, { kind: "joined", invitee: jid });
    } catch (error) {
      log.warn("Could not claim an invite for an existing account's join", { error: (error as Error).message });
      return "unavailable";
    }
    if (!outcome.ok) {
      log.info("An existing account's join names an invite that cannot be used", { reason: outcome.reason });
      return "invite-invalid";
    }
    const { claim } = outcome;
    if (!namesCircles(claim.record, this.#options.domain) || !mayJoin(claim.record, local)) {
      await claim.giveBack().catch((error: unknown) =>
        log.error("Could not give back an invite's use after a join it does not allow", {
          id: claim.id,
          error: (error as Error).message,
        }),
      );
      return "not-a-circle-invite";
    }
    const { circles, contacts } = this.#options;
    await joinCircles({ circles, contacts, log }, claim.record, jid, "");
    // Kept once joined: the use event `joined` is recorded now, and the bot finds the account in its circles.
    await claim
      .keep()
      .catch((error: unknown) =>
        log.warn("Could not record an existing account's join", { error: (error as Error).message }),
      );
    log.info("An existing account joined the circles of an invite", { id: claim.id });
    return "joined";
  }
}
