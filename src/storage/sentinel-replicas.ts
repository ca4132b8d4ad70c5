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
        this.#known = upReplicas(await this.#askOne());
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

/** Replicas no Sentinel flag says are down, in a `SENTINEL REPLICAS` reply (a list of field, value lists). */
export function upReplicas(reply: unknown): number {
  if (!Array.isArray(reply)) throw new Error("SENTINEL REPLICAS did not answer with a list");
  return reply.filter((fields: unknown) => {
    const at = Array.isArray(fields) ? fields.indexOf("flags") : -1;
    if (at < 0) return false;
    const flags = String((fields as unknown[])[at + 1] ?? "").split(",");
    return flags.includes("slave") && !flags.some((flag) => DOWN_FLAGS.includes(flag));
  }).length;
}
