/**
 * Circles in Redis (docs/storage.md, "Circles"): a signed record per circle, its members in a hash whose values are
 * their signed tags, and a set of every id. Whatever does not verify is not there (circle-record.ts), so write access
 * to Redis can remove or hide circles and members, never make either. Behind the layout gate like the invites, every
 * call bounded by REDIS_TIMEOUT_MS.
 */
import { type Circle, type CircleWithMembers, isCircleId } from "../circles/circle.js";
import type { CircleStore, MemberAdded } from "../circles/store.js";
import { byCircleName } from "./circle-order.js";
import { isMember, memberTags, signCircle, verifiedMembers, verifyCircle } from "./circle-record.js";
import { circleKey, circleMembersKey, circlesKey } from "./keys.js";
import type { LayoutGate } from "./layout-gate.js";
import type { SigningKeys } from "./record.js";
import type { RedisConnection } from "./redis-connection.js";
import { sharedScript } from "./shared-script.js";

// KEYS = circle:ID, circle:ID:members; ARGV = jid, tag[, old keys' tags…]. Returns -1 no circle, 1 added, 0 already.
const ADD_MEMBER = sharedScript("circle_add_member.lua");

const ADDED: Readonly<Record<string, MemberAdded>> = { "-1": "no-circle", "0": "already", "1": "added" };

export class RedisCircles implements CircleStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly gate: LayoutGate,
    private readonly host: string,
    private readonly keys: SigningKeys,
  ) {}

  async create(circle: Circle): Promise<void> {
    if (!isCircleId(circle.id)) throw new Error(`not a circle id: ${circle.id}`);
    await this.gate.usable("circle create");
    const value = signCircle(this.keys, this.host, circle);
    const [set] = await this.redis.bounded("circle create", () =>
      this.redis.client
        .multi()
        .set(circleKey(this.host, circle.id), value, { condition: "NX" })
        .sAdd(circlesKey(this.host), circle.id)
        .exec(),
    );
    // Ids are random: one taken already is a fault, never a circle to overwrite (outside `bounded`, which would
    // make it "Redis is away").
    if (set === null) throw new Error(`a circle with id ${circle.id} exists already`);
  }

  async replace(circle: Circle): Promise<boolean> {
    if (!isCircleId(circle.id)) return false;
    await this.gate.usable("circle replace");
    const key = circleKey(this.host, circle.id);
    const value = signCircle(this.keys, this.host, circle);
    return this.redis.bounded("circle replace", async () => {
      // A record that does not verify is no circle: it is not made one by signing over it.
      if ((await this.#verified(circle.id)) === undefined) return false;
      return (await this.redis.client.set(key, value, { condition: "XX" })) !== null;
    });
  }

  async remove(id: string): Promise<boolean> {
    if (!isCircleId(id)) return false;
    await this.gate.usable("circle remove");
    // The record, its members and its index entry go together: no membership outlives its circle.
    const [record] = await this.redis.bounded("circle remove", () =>
      withErrorReplies(
        this.redis.client
          .multi()
          .get(circleKey(this.host, id))
          .del([circleKey(this.host, id), circleMembersKey(this.host, id)])
          .sRem(circlesKey(this.host), id)
          .exec(),
      ),
    );
    return verifyCircle(this.keys, this.host, id, stringOrNull(record)) !== undefined;
  }

  async find(id: string): Promise<CircleWithMembers | undefined> {
    if (!isCircleId(id)) return undefined;
    await this.gate.usable("circle find");
    // The record and its members as of one moment.
    const [record, fields] = await this.redis.bounded("circle find", () =>
      withErrorReplies(
        this.redis.client.multi().get(circleKey(this.host, id)).hGetAll(circleMembersKey(this.host, id)).exec(),
      ),
    );
    return this.#withMembers(id, record, fields);
  }

  async list(): Promise<CircleWithMembers[]> {
    await this.gate.usable("circle list");
    const ids = (await this.redis.bounded("circle list", () => this.redis.client.sMembers(circlesKey(this.host))))
      .map(String)
      .filter(isCircleId);
    if (ids.length === 0) return [];
    // Every record and members hash in one round trip, as of one moment (a MULTI: a pipeline would fail whole on
    // the first error reply, and could see a circle half removed).
    const replies = await this.redis.bounded("circle list", () => {
      const multi = this.redis.client.multi();
      for (const id of ids) multi.get(circleKey(this.host, id)).hGetAll(circleMembersKey(this.host, id));
      return withErrorReplies(multi.exec());
    });
    // An id without a record that verifies is skipped (removed meanwhile, or put there by someone else).
    return ids
      .flatMap((id, at) => this.#withMembers(id, replies[2 * at], replies[2 * at + 1]) ?? [])
      .sort(byCircleName);
  }

  async addMember(id: string, jid: string): Promise<MemberAdded> {
    if (!isCircleId(id)) return "no-circle";
    await this.gate.usable("circle add member");
    const keys = [circleKey(this.host, id), circleMembersKey(this.host, id)];
    const tags = memberTags(this.keys, this.host, id, jid);
    return this.redis.bounded("circle add member", async () => {
      // Nobody is added to a circle whose record does not verify; the script checks again that it is still there.
      if ((await this.#verified(id)) === undefined) return "no-circle";
      const reply = await ADD_MEMBER.run(this.redis.client, keys, [jid, ...tags]);
      const added = ADDED[String(reply)];
      if (added === undefined) throw new Error(`circle_add_member.lua answered ${String(reply)}`);
      return added;
    });
  }

  async removeMember(id: string, jid: string): Promise<boolean> {
    if (!isCircleId(id)) return false;
    await this.gate.usable("circle remove member");
    const key = circleMembersKey(this.host, id);
    // The field goes whatever it holds; only one whose tag verified was a member.
    const [tag] = await this.redis.bounded("circle remove member", () =>
      withErrorReplies(this.redis.client.multi().hGet(key, jid).hDel(key, jid).exec()),
    );
    return typeof tag === "string" && isMember(this.keys, this.host, id, jid, tag);
  }

  async #verified(id: string): Promise<Circle | undefined> {
    // A key of another type there is no circle either.
    const raw = await this.redis.client.get(circleKey(this.host, id)).catch((error: unknown) => {
      if (String((error as Error).message).startsWith("WRONGTYPE")) return null;
      throw error;
    });
    return verifyCircle(this.keys, this.host, id, raw);
  }

  #withMembers(id: string, record: unknown, fields: unknown): CircleWithMembers | undefined {
    const circle = verifyCircle(this.keys, this.host, id, stringOrNull(record));
    if (circle === undefined) return undefined;
    return { ...circle, members: verifiedMembers(this.keys, this.host, id, fieldsOf(fields)) };
  }
}

/**
 * The replies of a MULTI or pipeline, an error reply in place of each command that failed: a key of the wrong type
 * (anyone with write access can make one) hides that circle or member, not every other, and is no outage.
 */
async function withErrorReplies(replies: Promise<readonly unknown[]>): Promise<readonly unknown[]> {
  try {
    return await replies;
  } catch (error) {
    const partial = (error as { replies?: unknown }).replies;
    if (Array.isArray(partial)) return partial;
    throw error;
  }
}

/** A reply of GET as a string, or null (an error reply, from a key of another type, is no record). */
function stringOrNull(reply: unknown): string | null {
  return typeof reply === "string" ? reply : null;
}

/** A reply of HGETALL as field → value (an error reply is no members). */
function fieldsOf(reply: unknown): Readonly<Record<string, string>> {
  if (typeof reply !== "object" || reply === null || reply instanceof Error || Array.isArray(reply)) return {};
  return Object.fromEntries(Object.entries(reply).filter(([, value]) => typeof value === "string"));
}
