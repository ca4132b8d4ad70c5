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
 * the old master among the new one's replicas, still a master by its own account until they demote it (on their
 * second INFO to it, about 10 s later), so it cannot confirm anything. A replica this client's own master moved away
 * from (`masterIs`) is asked itself (`ROLE`, node-role.ts) rather than trusting the Sentinels' word, which is as old
 * as their last INFO to it, up to 10 s: one Sentinel demotes it and the others list it as master for up to 10 s more
 * while it follows. Still a master, or out of reach: it does not count. Following, even while it syncs: it counts,
 * since it may be the one promoted next, and what it has not confirmed would be lost with the invites handed out
 * meanwhile. A replica being promoted, which also says it is master, always counts.
 */
import { createClient } from "@keyv/redis";
import { askRole } from "./node-role.js";
import type { RedisCredentials, RedisNodeAddress } from "./redis-target.js";
import { isDown, nodeAddress, type ReplicaEntry, replicasOf, upReplicas } from "./sentinel-replica-entries.js";

const REFRESH_MS = 1_000;

export interface SentinelReplicaOptions {
  /** The master's name in the Sentinels' `sentinel monitor` line. */
  readonly name: string;
  readonly sentinels: readonly RedisNodeAddress[];
  readonly sentinelPassword?: string;
  /** The data nodes' user (REDIS_USERNAME, REDIS_PASSWORD): an old master is asked what it is (ROLE). */
  readonly credentials?: RedisCredentials;
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
  /** The master this client writes to (`host:port`), and those it left that have not said they follow yet. */
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

  /** The masters this client left that have not said they follow yet (ROLE). */
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
        this.#known = upReplicas(replicas, await this.#stillMasters(replicas));
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

  /**
   * The former masters among `replicas` that are masters still by their own word, or out of reach; one that says it
   * follows is forgotten as a former master: it confirms like any replica. What the Sentinels report of its role is
   * not used: it is as old as their last INFO, and a Sentinel that has just learned of a node reports it as "slave"
   * before it has asked.
   */
  async #stillMasters(replicas: readonly ReplicaEntry[]): Promise<ReadonlySet<string>> {
    const stillMasters = new Set<string>();
    const { credentials = {}, timeoutMs } = this.#options;
    await Promise.all(
      replicas.map(async ({ address, flags }) => {
        if (!this.#formerMasters.has(address)) return;
        // Flagged down: it cannot be promoted, nor confirm anything. Not merely `disconnected`: when one Sentinel
        // demotes it (SLAVEOF, then CLIENT KILL), the others' links to it drop just as it starts to follow.
        const own = isDown(flags) ? undefined : await askRole(nodeAddress(address), credentials, timeoutMs);
        if (own === "slave") this.#formerMasters.delete(address);
        else if (own !== "unknown") stillMasters.add(address); // "unknown": it answered, but not ROLE; it counts
      }),
    );
    return stillMasters;
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
