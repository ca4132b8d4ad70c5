/**
 * A Redis in memory with the few commands, in node-redis's spelling, that the start-up code of the store uses:
 * src/storage/layout.ts (the layout key and the migration lock, its two Lua scripts recognised by their text) and
 * src/storage/migrate-v1.ts (SCAN, MGET, MULTI with the writes it queues, the v1 stream and its consumer group),
 * plus what test/helpers/v1-fixture.ts needs to load the v1 fixture. Keys expire on Date.now(), so fake timers move
 * them too. Not a Redis: no types are checked, no other command exists; the integration tests use the real one.
 */
import type { RedisClient } from "../../src/storage/redis-client.js";
import type { RawRedis } from "./scenario.js";

interface Stream {
  entries: { id: string; message: Record<string, string> }[];
  groups: Map<string, { lastDelivered: string; pending: Map<string, string> }>;
}

type Value = string | Map<string, number> | Set<string> | Stream;

interface Entry {
  value: Value;
  /** Date.now() at which the key expires. */
  expiresAt?: number;
}

type SetOptions = { NX?: boolean; PX?: number; PXAT?: number };
type ZMember = { score: number; value: string };

/** A Redis glob (`*`, `?`, `[…]`, `\x`) as a regular expression. */
function globToRegExp(glob: string): RegExp {
  let out = "";
  for (let i = 0; i < glob.length; i += 1) {
    const c = glob[i] ?? "";
    if (c === "\\") out += (glob[++i] ?? "").replace(/[.*+?^${}()|[\]\\]/gu, "\\$&");
    else if (c === "*") out += "[\\s\\S]*";
    else if (c === "?") out += "[\\s\\S]";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 1);
      out += `[${glob.slice(i + 1, end).replace(/\\/gu, "\\\\")}]`;
      i = end;
    } else out += c.replace(/[.*+?^${}()|[\]\\]/gu, "\\$&");
  }
  return new RegExp(`^${out}$`, "u");
}

function isStream(value: Value | undefined): value is Stream {
  return typeof value === "object" && !(value instanceof Map) && !(value instanceof Set);
}

function compareIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split("-").map(Number);
  const [bm = 0, bs = 0] = b.split("-").map(Number);
  return am - bm || as - bs;
}

export class FakeRedis {
  readonly #data = new Map<string, Entry>();
  /** Every command run, by name, in order (queued MULTI commands when EXEC runs them). */
  readonly commands: string[] = [];
  #lastStreamMs = 0;

  /** Typed as the client the code under test takes. */
  get client(): RedisClient {
    return this as unknown as RedisClient;
  }

  /** Typed as the test helpers' raw client (test/helpers/v1-fixture.ts). */
  get raw(): RawRedis {
    return this as unknown as RawRedis;
  }

  /** Every live key, sorted. */
  keys(): string[] {
    return [...this.#data.keys()].filter((key) => this.#entry(key) !== undefined).sort();
  }

  /** A key's value as stored (a Map for a sorted set, a Set, a Stream), or undefined. */
  peek(key: string): Value | undefined {
    return this.#entry(key)?.value;
  }

  #entry(key: string): Entry | undefined {
    const entry = this.#data.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      this.#data.delete(key);
      return undefined;
    }
    return entry;
  }

  #zset(key: string): Map<string, number> {
    const found = this.#entry(key)?.value;
    if (found instanceof Map) return found;
    const made = new Map<string, number>();
    this.#data.set(key, { value: made });
    return made;
  }

  #set(key: string): Set<string> {
    const found = this.#entry(key)?.value;
    if (found instanceof Set) return found;
    const made = new Set<string>();
    this.#data.set(key, { value: made });
    return made;
  }

  #stream(key: string): Stream {
    const found = this.#entry(key)?.value;
    if (isStream(found)) return found;
    const made: Stream = { entries: [], groups: new Map() };
    this.#data.set(key, { value: made });
    return made;
  }

  // Strings and keys

  async get(key: string): Promise<string | null> {
    this.commands.push("get");
    const value = this.#entry(key)?.value;
    return typeof value === "string" ? value : null;
  }

  async mGet(keys: string[]): Promise<(string | null)[]> {
    this.commands.push("mGet");
    return keys.map((key) => {
      const value = this.#entry(key)?.value;
      return typeof value === "string" ? value : null;
    });
  }

  async set(key: string, value: string, options: SetOptions = {}): Promise<string | null> {
    this.commands.push("set");
    return this.#setNow(key, value, options);
  }

  #setNow(key: string, value: string, options: SetOptions = {}): string | null {
    if (options.NX && this.#entry(key) !== undefined) return null;
    const expiresAt = options.PX !== undefined ? Date.now() + options.PX : options.PXAT;
    this.#data.set(key, { value, ...(expiresAt === undefined ? {} : { expiresAt }) });
    return "OK";
  }

  #del(keys: string | string[]): number {
    let count = 0;
    for (const key of Array.isArray(keys) ? keys : [keys]) {
      if (this.#entry(key) !== undefined) count += 1;
      this.#data.delete(key);
    }
    return count;
  }

  async del(keys: string | string[]): Promise<number> {
    this.commands.push("del");
    return this.#del(keys);
  }

  async exists(key: string): Promise<number> {
    this.commands.push("exists");
    return this.#entry(key) === undefined ? 0 : 1;
  }

  async pTTL(key: string): Promise<number> {
    this.commands.push("pTTL");
    const entry = this.#entry(key);
    if (entry === undefined) return -2;
    return entry.expiresAt === undefined ? -1 : entry.expiresAt - Date.now();
  }

  #pExpire(key: string, ms: number): number {
    const entry = this.#entry(key);
    if (entry === undefined) return 0;
    entry.expiresAt = Date.now() + ms;
    return 1;
  }

  async pExpire(key: string, ms: number): Promise<number> {
    this.commands.push("pExpire");
    return this.#pExpire(key, ms);
  }

  async rename(key: string, target: string): Promise<string> {
    this.commands.push("rename");
    const entry = this.#entry(key);
    if (entry === undefined) throw new Error("ERR no such key");
    this.#data.delete(key);
    this.#data.set(target, entry);
    return "OK";
  }

  async *scanIterator(options: { MATCH?: string; COUNT?: number } = {}): AsyncIterable<string[]> {
    this.commands.push("scan");
    const pattern = globToRegExp(options.MATCH ?? "*");
    const found = this.keys().filter((key) => pattern.test(key));
    const size = options.COUNT ?? 10;
    for (let i = 0; i < found.length; i += size) yield found.slice(i, i + size);
  }

  // Sets and sorted sets

  async sAdd(key: string, members: string | string[]): Promise<number> {
    this.commands.push("sAdd");
    const set = this.#set(key);
    const before = set.size;
    for (const member of Array.isArray(members) ? members : [members]) set.add(member);
    return set.size - before;
  }

  #sUnionStore(target: string, keys: string[]): number {
    const union = new Set<string>();
    for (const key of keys) {
      const value = this.#entry(key)?.value;
      if (value instanceof Set) for (const member of value) union.add(member);
    }
    this.#data.set(target, { value: union });
    return union.size;
  }

  #zAdd(key: string, members: ZMember | ZMember[]): number {
    const zset = this.#zset(key);
    let added = 0;
    for (const { score, value } of Array.isArray(members) ? members : [members]) {
      if (!zset.has(value)) added += 1;
      zset.set(value, score);
    }
    return added;
  }

  async zAdd(key: string, members: ZMember | ZMember[]): Promise<number> {
    this.commands.push("zAdd");
    return this.#zAdd(key, members);
  }

  /** ZUNIONSTORE with SUM, like Redis's default; the target loses any TTL. */
  #zUnionStore(target: string, keys: string[]): number {
    const union = new Map<string, number>();
    for (const key of keys) {
      const value = this.#entry(key)?.value;
      if (value instanceof Map)
        for (const [member, score] of value) union.set(member, (union.get(member) ?? 0) + score);
    }
    this.#data.set(target, { value: union });
    return union.size;
  }

  // Streams

  #xAdd(key: string, id: string, message: Record<string, string>): string {
    const stream = this.#stream(key);
    let assigned = id;
    if (id === "*") {
      const last = stream.entries.at(-1)?.id ?? "0-0";
      const [lastMs = 0, lastSeq = 0] = last.split("-").map(Number);
      const ms = Math.max(Date.now(), this.#lastStreamMs, lastMs);
      assigned = ms === lastMs ? `${ms}-${lastSeq + 1}` : `${ms}-0`;
      this.#lastStreamMs = ms;
    }
    stream.entries.push({ id: assigned, message: { ...message } });
    return assigned;
  }

  async xAdd(key: string, id: string, message: Record<string, string>): Promise<string> {
    this.commands.push("xAdd");
    return this.#xAdd(key, id, message);
  }

  async xRange(key: string, _start: "-", _end: "+"): Promise<{ id: string; message: Record<string, string> }[]> {
    this.commands.push("xRange");
    const value = this.#entry(key)?.value;
    if (!isStream(value)) return [];
    return value.entries.map(({ id, message }) => ({ id, message: { ...message } }));
  }

  async xGroupCreate(key: string, group: string, id: string): Promise<string> {
    this.commands.push("xGroupCreate");
    this.#stream(key).groups.set(group, { lastDelivered: id === "0" ? "0-0" : id, pending: new Map() });
    return "OK";
  }

  /** XREADGROUP … STREAMS key >: the next COUNT entries the group has not had, now pending for `consumer`. */
  async xReadGroup(
    group: string,
    consumer: string,
    { key }: { key: string; id: ">" },
    { COUNT = 1 }: { COUNT?: number } = {},
  ): Promise<unknown> {
    this.commands.push("xReadGroup");
    const stream = this.#stream(key);
    const state = stream.groups.get(group);
    if (state === undefined) throw new Error("NOGROUP");
    const next = stream.entries.filter((e) => compareIds(e.id, state.lastDelivered) > 0).slice(0, COUNT);
    for (const { id } of next) state.pending.set(id, consumer);
    const last = next.at(-1);
    if (last !== undefined) state.lastDelivered = last.id;
    return [{ name: key, messages: next }];
  }

  async xAck(key: string, group: string, id: string): Promise<number> {
    this.commands.push("xAck");
    return this.#stream(key).groups.get(group)?.pending.delete(id) ? 1 : 0;
  }

  async xInfoGroups(key: string): Promise<{ name: string; pending: number; "last-delivered-id": string }[]> {
    this.commands.push("xInfoGroups");
    return [...this.#stream(key).groups].map(([name, state]) => ({
      name,
      pending: state.pending.size,
      "last-delivered-id": state.lastDelivered,
    }));
  }

  async xPendingRange(
    key: string,
    group: string,
    _start: "-",
    _end: "+",
    count: number,
  ): Promise<{ id: string; consumer: string }[]> {
    this.commands.push("xPendingRange");
    const pending = this.#stream(key).groups.get(group)?.pending ?? new Map<string, string>();
    return [...pending]
      .sort(([a], [b]) => compareIds(a, b))
      .slice(0, count)
      .map(([id, consumer]) => ({ id, consumer }));
  }

  // Scripts: the two of src/storage/layout.ts, recognised by what they call.

  async evalSha(): Promise<unknown> {
    this.commands.push("evalSha");
    throw new Error("NOSCRIPT No matching script");
  }

  async eval(source: string, { keys, arguments: args }: { keys: string[]; arguments: string[] }): Promise<unknown> {
    this.commands.push("eval");
    const [key = ""] = keys;
    const [owner, ms] = args;
    if (!source.includes("redis.call('GET', KEYS[1]) == ARGV[1]")) throw new Error("FakeRedis: unknown script");
    if ((await this.get(key)) !== owner) return 0;
    if (source.includes("'PEXPIRE'")) return this.#pExpire(key, Number(ms));
    if (source.includes("'DEL'")) return this.#del(key);
    throw new Error("FakeRedis: unknown script");
  }

  // MULTI: the commands are queued and run in order by exec.

  multi(): FakeMulti {
    const queued: Array<() => unknown> = [];
    const names: string[] = [];
    const multi: FakeMulti = {
      set: (key, value, options) => add("set", () => this.#setNow(key, value, options)),
      del: (keys) => add("del", () => this.#del(keys)),
      pExpire: (key, ms) => add("pExpire", () => this.#pExpire(key, ms)),
      zAdd: (key, members) => add("zAdd", () => this.#zAdd(key, members)),
      zUnionStore: (target, keys) => add("zUnionStore", () => this.#zUnionStore(target, keys)),
      sUnionStore: (target, keys) => add("sUnionStore", () => this.#sUnionStore(target, keys)),
      xAdd: (key, id, message) => add("xAdd", () => this.#xAdd(key, id, message)),
      exec: async () => {
        this.commands.push(...names.map((name) => `multi:${name}`));
        return queued.map((run) => run());
      },
    };
    const add = (name: string, run: () => unknown): FakeMulti => {
      names.push(name);
      queued.push(run);
      return multi;
    };
    return multi;
  }
}

export interface FakeMulti {
  set(key: string, value: string, options?: SetOptions): FakeMulti;
  del(keys: string | string[]): FakeMulti;
  pExpire(key: string, ms: number): FakeMulti;
  zAdd(key: string, members: ZMember | ZMember[]): FakeMulti;
  zUnionStore(target: string, keys: string[]): FakeMulti;
  sUnionStore(target: string, keys: string[]): FakeMulti;
  xAdd(key: string, id: string, message: Record<string, string>): FakeMulti;
  exec(): Promise<unknown[]>;
}
