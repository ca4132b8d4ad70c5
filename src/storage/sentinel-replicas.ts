/**
 * How many replicas the Sentinels see up for the bot's master (`SENTINEL REPLICAS`), asked again every REFRESH_MS:
 * with REDIS_SENTINEL_CONFIRM_REPLICAS=all, the replicas a new invite must reach before it is handed out
 * (docs/redis.md, "Failover without losing invites").
 *
 * The Sentinels' view, not the master's: when they promote a replica, it leaves the old master at once, and the
 * writes the old master takes after that, confirmed by the replicas that remain, are exactly the ones the failover
 * drops. The Sentinels list the promoted replica until the switch is done, so a WAIT for all of them fails for those
 * writes and the requester hears "try again". A replica counts until a Sentinel flags it down (s_down, o_down), also
 * while it syncs: one catching up can still be promoted.
 *
 * One exception, or every planned failover would stop invites for 10 to 20 s: after the switch the Sentinels list
 * the old master among the new one's replicas, still a master by its own account until they demote it (they wait
 * 8 s and more), so it cannot confirm anything. A replica that reports itself master does not count when this
 * client's own master moved away from it (`masterIs`): that is the demoted one, not a replica being promoted.
 */
import { createClient } from "@keyv/redis";
import type { RedisNodeAddress } from "./redis-target.js";

const REFRESH_MS = 1_000;
/**
 * Not `disconnected`: a Sentinel also flags so the replicas it has just learned of (the old master and the other
 * replicas, right after a switch), and counting none then would hand out, unconfirmed, what the old master still takes.
 */
const DOWN_FLAGS = ["s_down", "o_down"];

export interface SentinelReplicaOptions {
  /** The master's name in the Sentinels' `sentinel monitor` line. */
  readonly name: string;
  readonly sentinels: readonly RedisNodeAddress[];
  readonly sentinelPassword?: string;
  readonly timeoutMs: number;
}

/** A plain connection to one Sentinel: asked in turn, never reconnected (the next question goes to the next one). */
function sentinelConnection({ host, port }: RedisNodeAddress, { sentinelPassword, timeoutMs }: SentinelReplicaOptions) {
  const connection = createClient({
    socket: { host, port, connectTimeout: timeoutMs, reconnectStrategy: false },
    ...(sentinelPassword === undefined ? {} : { password: sentinelPassword }),
    disableOfflineQueue: true,
  });
  connection.on("error", () => {}); // the question fails, and goes to the next Sentinel
  return connection;
}

type SentinelConnection = ReturnType<typeof sentinelConnection>;

export class SentinelReplicaCount {
  readonly #options: SentinelReplicaOptions;
  #known: number | undefined;
  /** The Sentinel asked next: the one that answered last, or the next one after a failure. */
  #next = 0;
  #connection: SentinelConnection | undefined;
  #asking: Promise<number> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  /** The master this client writes to (`host:port`), and those it left that no Sentinel has seen demoted yet. */
  #master: string | undefined;
  readonly #formerMasters = new Set<string>();

  constructor(options: SentinelReplicaOptions) {
    this.#options = options;
  }

  /** The latest count; the first call asks (and starts refreshing), so only a connection that saves invites asks. */
  async current(): Promise<number> {
    if (this.#timer === undefined && !this.#stopped) {
      this.#timer = setInterval(() => void this.#ask().catch(() => {}), REFRESH_MS).unref();
    }
    return this.#known ?? this.#ask();
  }

  /** Told of the master this client writes to, each time node-redis's Sentinel client finds one. */
  masterIs(address: RedisNodeAddress): void {
    const now = `${address.host}:${address.port}`;
    if (this.#master !== undefined && this.#master !== now) this.#formerMasters.add(this.#master);
    this.#formerMasters.delete(now);
    this.#master = now;
  }

  /** The masters this client left that no Sentinel has listed as following yet. */
  get formerMasters(): ReadonlySet<string> {
    return this.#formerMasters;
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#connection?.destroy();
    this.#connection = undefined;
  }

  /** One question at a time, to each Sentinel in turn until one answers. */
  #ask(): Promise<number> {
    this.#asking ??= this.#askEach().finally(() => {
      this.#asking = undefined;
    });
    return this.#asking;
  }

  async #askEach(): Promise<number> {
    let lastError: unknown;
    for (let tries = 0; tries < this.#options.sentinels.length && !this.#stopped; tries += 1) {
      try {
        const replicas = replicasOf(await this.#askOne());
        // Demoted at last, and following: it confirms again like any replica.
        for (const { address, role } of replicas) if (role === "slave") this.#formerMasters.delete(address);
        this.#known = upReplicas(replicas, this.#formerMasters);
        return this.#known;
      } catch (error) {
        lastError = error;
        this.#connection?.destroy();
        this.#connection = undefined;
        this.#next = (this.#next + 1) % this.#options.sentinels.length;
      }
    }
    throw new Error(`no Sentinel said how many replicas ${this.#options.name} has`, { cause: lastError });
  }

  async #askOne(): Promise<unknown> {
    const { timeoutMs, name } = this.#options;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`a Sentinel did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const connection = this.#connection ?? (await Promise.race([this.#connect(), late]));
      return await Promise.race([connection.sendCommand(["SENTINEL", "REPLICAS", name]), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #connect(): Promise<SentinelConnection> {
    const connection = sentinelConnection(this.#options.sentinels[this.#next] as RedisNodeAddress, this.#options);
    this.#connection = connection;
    await connection.connect();
    return connection;
  }
}

export interface ReplicaEntry {
  /** `ip:port`, as the Sentinels name it. */
  readonly address: string;
  readonly flags: readonly string[];
  /** What the node last said it is: `slave`, or `master` for one promoted or not yet demoted. */
  readonly role: string;
}

/** The entries of a `SENTINEL REPLICAS` reply (a list of field, value lists); what cannot be read is left out. */
export function replicasOf(reply: unknown): ReplicaEntry[] {
  if (!Array.isArray(reply)) throw new Error("SENTINEL REPLICAS did not answer with a list");
  return reply.flatMap((fields: unknown) => {
    if (!Array.isArray(fields)) return [];
    const field = (name: string) => {
      const at = fields.indexOf(name);
      return at < 0 ? undefined : String(fields[at + 1] ?? "");
    };
    const flags = field("flags")?.split(",") ?? [];
    if (!flags.includes("slave")) return [];
    return [{ address: field("name") ?? "", flags, role: field("role-reported") ?? "slave" }];
  });
}

/** Replicas no Sentinel flag says are down, but for a master this client left that still says it is one. */
export function upReplicas(replicas: readonly ReplicaEntry[], formerMasters: ReadonlySet<string> = new Set()): number {
  return replicas.filter(
    ({ address, flags, role }) =>
      !flags.some((flag) => DOWN_FLAGS.includes(flag)) && !(role === "master" && formerMasters.has(address)),
  ).length;
}
