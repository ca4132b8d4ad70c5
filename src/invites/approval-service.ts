/**
 * The admins' answers to held accounts (approvals.ts): `approve NAME` lets the account in (Prosody 13: enabled again
 * with XEP-0133 reenable-user; Prosody 0.12: off the list its binding is refused by; the bot as the hook: made now with
 * add-user), `reject NAME` takes it away (an account that exists is deleted with XEP-0133 delete-user; a registration
 * the bot holds is dropped). Then the account leaves the list and its inviter is told. Admins only, each call checked.
 */
import { InviteError } from "../errors.js";
import { normaliseBareJid } from "../jid.js";
import type { AccountControl, AccountOutcome } from "./account-control.js";
import type { ApprovalStore, ApprovalTell, HeldAccount, HeldAccountMaker } from "./approvals.js";
import { guarded } from "./guarded.js";
import type { Actor, Policy } from "./permissions.js";

export interface ApprovalDeps {
  readonly policy: Policy;
  /** Absent: the backend keeps no list (the memory store), so nothing is ever held. */
  readonly store: ApprovalStore | undefined;
  readonly control: AccountControl | undefined;
  readonly maker: HeldAccountMaker | undefined;
  readonly tell: ApprovalTell | undefined;
}

/** An answer's outcome: the account (its bare JID), and when it was not done, why in words. */
export type ApprovalOutcome = { readonly jid: string } & AccountOutcome;

const NOT_HELD = "it is not waiting for approval (someone answered already, or it never was)";

export class Approvals {
  constructor(private readonly deps: ApprovalDeps) {}

  /** Every account waiting for an admin, oldest first. */
  async list(actor: Actor): Promise<readonly HeldAccount[]> {
    const store = this.#store(actor);
    return guarded(() => store.list());
  }

  /** The account may log in (or is made now, where the bot makes accounts); its inviter is told. */
  async approve(actor: Actor, name: string): Promise<ApprovalOutcome> {
    return this.#answer(actor, name, true, async (held) => {
      if (held.way === "pending") {
        const registration = await guarded(() => (this.#store(actor) as ApprovalStore).registration(held.jid));
        if (registration === undefined) return { ok: false, why: "its registration is gone (it waited too long)" };
        if (this.deps.maker === undefined) return { ok: false, why: "the bot does not make accounts on this server" };
        return this.deps.maker.create(held.jid, registration);
      }
      // Prosody 0.12 (`no-login`): leaving the list is what lets it bind (prosody/invites_redis_approval.lib.lua).
      if (held.way === "no-login") return { ok: true };
      return this.#control().enable(held.jid);
    });
  }

  /** The account is deleted (or its held registration dropped); its inviter is told. */
  async reject(actor: Actor, name: string): Promise<ApprovalOutcome> {
    return this.#answer(actor, name, false, async (held) =>
      held.way === "pending" ? { ok: true } : this.#control().remove(held.jid),
    );
  }

  async #answer(
    actor: Actor,
    name: string,
    approved: boolean,
    act: (held: HeldAccount) => Promise<AccountOutcome>,
  ): Promise<ApprovalOutcome> {
    const store = this.#store(actor);
    const jid = this.#jidOf(name);
    const held = jid === undefined ? undefined : await guarded(() => store.get(jid));
    if (jid === undefined || held === undefined) return { jid: jid ?? name, ok: false, why: NOT_HELD };
    const outcome = await act(held).catch((error: unknown) => ({ ok: false as const, why: (error as Error).message }));
    if (!outcome.ok) return { jid, ...outcome };
    // Of two admins answering at once, the one who took it off the list tells the inviter.
    const removed = await guarded(() => store.remove(jid));
    if (removed && held.inviter !== undefined) await this.deps.tell?.(held.inviter, jid, approved);
    return { jid, ok: true };
  }

  #store(actor: Actor): ApprovalStore {
    if (!actor.isAdmin) throw new InviteError("accounts-admins-only");
    if (this.deps.store === undefined) {
      throw new InviteError("accounts-unsupported", { params: { reason: "hold accounts: no Redis to keep them in" } });
    }
    return this.deps.store;
  }

  #control(): AccountControl {
    if (this.deps.control === undefined) throw new Error("the bot has no session to send commands over");
    return this.deps.control;
  }

  /** NAME alone is an account of the domain; a JID must be one too. */
  #jidOf(name: string): string | undefined {
    const text = name.trim();
    const jid = normaliseBareJid(text.includes("@") ? text : `${text}@${this.deps.policy.domain}`);
    return jid?.endsWith(`@${this.deps.policy.domain}`) ? jid : undefined;
  }
}
