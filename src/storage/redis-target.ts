/**
 * Where the bot's Redis is (docs/redis.md): one server (REDIS_URL), a master found through Redis Sentinel, or a Redis
 * Cluster. The storage's own vocabulary, which the configuration (src/config/redis.ts) fills in.
 */

/** A Redis node or Sentinel, `host:port` in REDIS_SENTINELS and REDIS_CLUSTER_NODES. */
export interface RedisNodeAddress {
  readonly host: string;
  readonly port: number;
}

/** The data nodes' ACL user in Sentinel and Cluster mode (REDIS_USERNAME, REDIS_PASSWORD). */
export interface RedisCredentials {
  readonly username?: string;
  readonly password?: string;
}

export type RedisTarget =
  | { readonly url: string }
  | {
      readonly sentinel: {
        /** REDIS_SENTINEL_NAME: the master's name in the Sentinels' `sentinel monitor` line. */
        readonly name: string;
        readonly sentinels: readonly RedisNodeAddress[];
        /** REDIS_SENTINEL_PASSWORD: the Sentinels' own `requirepass`, if they have one. */
        readonly sentinelPassword?: string;
        /**
         * REDIS_SENTINEL_CONFIRM_REPLICAS: replicas that must hold a new invite before it is handed out (WAIT), so a
         * failover does not lose it (docs/redis.md): `all` the Sentinels see up, or a fixed number; 0 hands invites
         * out as soon as the master has them.
         */
        readonly confirmReplicas: number | "all";
        readonly credentials: RedisCredentials;
      };
    }
  | { readonly cluster: { readonly nodes: readonly RedisNodeAddress[]; readonly credentials: RedisCredentials } };
