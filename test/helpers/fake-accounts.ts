/**
 * A server's accounts as the bot's AccountControl sees them (src/invites/account-control.ts), in memory, for unit
 * tests of the domain and the commands: which way it allows, which accounts are disabled or locked, and accounts
 * whose command fails, with the server's words.
 */
import type { AccountControl, AccountOutcome, AccountSupport, BlockWay } from "../../src/invites/account-control.js";

export class FakeAccounts implements AccountControl {
  readonly disabled = new Set<string>();
  readonly locked = new Set<string>();
  /** Accounts whose command fails, and why. */
  readonly failing = new Map<string, string>();
  /** Every command, in order: `disable bob@…`, `lock bob@…`, `enable bob@…`. */
  readonly calls: string[] = [];

  constructor(public supported: AccountSupport = { way: "disable", enable: true }) {}

  async support(): Promise<AccountSupport> {
    return this.supported;
  }

  async block(jid: string, way: BlockWay): Promise<AccountOutcome> {
    this.calls.push(`${way} ${jid}`);
    const why = this.failing.get(jid);
    if (why !== undefined) return { ok: false, why };
    (way === "disable" ? this.disabled : this.locked).add(jid);
    return { ok: true };
  }

  /** Accounts deleted (remove). */
  readonly removed = new Set<string>();

  async remove(jid: string): Promise<AccountOutcome> {
    this.calls.push(`remove ${jid}`);
    const why = this.failing.get(jid);
    if (why !== undefined) return { ok: false, why };
    this.removed.add(jid);
    return { ok: true };
  }

  async enable(jid: string): Promise<AccountOutcome> {
    this.calls.push(`enable ${jid}`);
    const why = this.failing.get(jid);
    if (why !== undefined) return { ok: false, why };
    this.disabled.delete(jid);
    return { ok: true };
  }
}
