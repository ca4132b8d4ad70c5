/**
 * The accounts waiting for an admin's approval (src/invites/approvals.ts) in `invite:{HOST}:approvals` (docs/storage.md,
 * "Accounts awaiting approval"): a hash, bare JID → JSON of the signed use event that held it (kind `registered`,
 * with `held`). Our Prosody module writes its holds in settle.lua, with the event itself; the bot writes the
 * registrations it holds before creation, with `secret` (held-secret.ts) and `expires` (Unix ms). Only an entry whose
 * event tag verifies and that names its own JID counts: write access to Redis alone holds nobody, and frees nobody
 * an admin has not answered for (an entry removed is an account approved only on Prosody 0.12, where the module
 * reads the list: docs/prosody.md).
 */
import {
  type ApprovalStore,
  HELD_REGISTRATION_TTL_SECONDS,
  type HeldAccount,
  type HeldRegistration,
  HOLD_WAYS,
  type HoldWay,
} from "../invites/approvals.js";
import { eventTagValid } from "./event-tag.js";
import { openRegistration, sealRegistration } from "./held-secret.js";
import { approvalsKey } from "./keys.js";
import type { SigningKeys } from "./record.js";
import type { RedisConnection } from "./redis-connection.js";
import { signedFields } from "./redis-unsettled.js";

interface Entry {
  readonly fields: Record<string, string>;
  readonly secret?: string;
  readonly expires?: number;
}

export class RedisApprovals implements ApprovalStore {
  readonly #key: string;

  constructor(
    private readonly redis: RedisConnection,
    private readonly host: string,
    private readonly keys: SigningKeys,
    private readonly now: () => number = Date.now,
  ) {
    this.#key = approvalsKey(host);
  }

  async list(): Promise<readonly HeldAccount[]> {
    const all = await this.redis.bounded("read", () => this.redis.client.hGetAll(this.#key));
    const held: HeldAccount[] = [];
    for (const [jid, text] of Object.entries(all)) {
      const entry = this.#parse(jid, text);
      if (entry === "expired") await this.remove(jid);
      else if (entry !== undefined) held.push(accountOf(jid, entry));
    }
    return held.sort((a, b) => a.at - b.at || a.jid.localeCompare(b.jid));
  }

  async get(jid: string): Promise<HeldAccount | undefined> {
    const entry = await this.#read(jid);
    return entry === undefined ? undefined : accountOf(jid, entry);
  }

  async registration(jid: string): Promise<HeldRegistration | undefined> {
    const entry = await this.#read(jid);
    return entry?.secret === undefined ? undefined : openRegistration(this.keys, this.host, jid, entry.secret);
  }

  async hold(account: HeldAccount & { readonly way: "pending" }, registration: HeldRegistration): Promise<void> {
    const fields = signedFields(this.keys, this.host, {
      kind: "registered",
      inviter: account.inviter,
      invitee: account.jid,
      invite: account.invite ?? "",
      at: account.at,
      rooms: [],
      held: "pending",
    });
    const entry = {
      ...fields,
      secret: sealRegistration(this.keys, this.host, account.jid, registration),
      expires: this.now() + HELD_REGISTRATION_TTL_SECONDS * 1000,
    };
    await this.redis.bounded("write", () => this.redis.client.hSet(this.#key, account.jid, JSON.stringify(entry)));
  }

  async remove(jid: string): Promise<boolean> {
    return (await this.redis.bounded("write", () => this.redis.client.hDel(this.#key, jid))) === 1;
  }

  async #read(jid: string): Promise<Entry | undefined> {
    const text = await this.redis.bounded("read", () => this.redis.client.hGet(this.#key, jid));
    const entry = text === null || text === undefined ? undefined : this.#parse(jid, text);
    if (entry === "expired") await this.remove(jid);
    return entry === "expired" ? undefined : entry;
  }

  /** An entry of ours for `jid`, or undefined; "expired": a held registration past its time. */
  #parse(jid: string, text: string): Entry | "expired" | undefined {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return undefined;
    }
    const { secret, expires, ...rest } = parsed;
    const fields: Record<string, string> = {};
    for (const [name, value] of Object.entries(rest)) if (typeof value === "string") fields[name] = value;
    if (fields.kind !== "registered" || fields.invitee !== jid || !HOLD_WAYS.includes(fields.held as HoldWay)) {
      return undefined;
    }
    if (!eventTagValid(this.keys, this.host, fields)) return undefined;
    if (fields.held !== "pending") return { fields };
    if (typeof secret !== "string" || typeof expires !== "number") return undefined;
    return expires <= this.now() ? "expired" : { fields, secret, expires };
  }
}

function accountOf(jid: string, { fields }: Entry): HeldAccount {
  return {
    jid,
    inviter: fields.inviter || undefined,
    invite: fields.invite || undefined,
    at: Number(fields.at) || 0,
    way: fields.held as HoldWay,
  };
}
