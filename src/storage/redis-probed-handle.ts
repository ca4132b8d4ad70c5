/**
 * The link of a Sentinel or Cluster client (redis-modes.ts, docs/redis.md), followed here because their clients say
 * less than a one-server client: lost on a data node's error, usable again once a PING gets through (probed every
 * PROBE_EVERY_MS), and connecting again and again with reconnectDelay until the first connection works.
 */
import type { RedisClient, RedisClientHandle, RedisLinkListener } from "./redis-handle.js";

const PROBE_EVERY_MS = 250;
const MAX_RECONNECT_DELAY_MS = 2_000;

/** 100 ms doubling to at most 2 s, for every connection of every mode. */
export const reconnectDelay = (retries: number): number => Math.min(100 * 2 ** retries, MAX_RECONNECT_DELAY_MS);

export interface ProbedParts {
  readonly client: RedisClient;
  readonly label: string;
  readonly subscribe: (lost: (error: unknown) => void) => void;
  readonly connect: () => Promise<void>;
  readonly probe: () => Promise<void>;
  readonly destroy: () => void;
  readonly another: () => RedisClientHandle;
  readonly replicasToConfirm?: () => Promise<number>;
  readonly confirmsWrites?: boolean;
}

/** Connects (again and again until it works), then follows the link: lost on an error, back once probed. */
export function probedHandle(parts: ProbedParts): RedisClientHandle {
  let usable = false;
  let destroyed = false;
  let retries = 0;
  let timer: NodeJS.Timeout | undefined;
  let probing = false;
  let listener: RedisLinkListener | undefined;

  const later = (run: () => void, ms: number) => {
    clearTimeout(timer);
    if (!destroyed) timer = setTimeout(run, ms).unref();
  };
  const lost = (error: unknown) => {
    if (destroyed) return;
    if (usable) {
      usable = false;
      listener?.lost(error);
    }
    if (!probing) later(probe, PROBE_EVERY_MS);
  };
  // One probe at a time: a PING held behind a failover must not be joined by more.
  const probe = () => {
    probing = true;
    let settled = false;
    const done = (ok: boolean) => {
      if (settled) return;
      settled = true;
      probing = false;
      if (destroyed || usable) return;
      if (ok) {
        usable = true;
        listener?.ready();
      } else later(probe, PROBE_EVERY_MS);
    };
    setTimeout(() => done(false), 1_000).unref();
    parts.probe().then(
      () => done(true),
      () => done(false),
    );
  };
  const connect = async (): Promise<void> => {
    for (;;) {
      try {
        await parts.connect();
        if (destroyed) throw new Error("the Redis client was closed while it connected");
        usable = true;
        listener?.ready();
        return;
      } catch (error) {
        if (destroyed) throw error;
        listener?.lost(error);
        await new Promise((resolve) => setTimeout(resolve, reconnectDelay(retries++)));
      }
    }
  };
  return {
    client: parts.client,
    label: parts.label,
    open(heard) {
      listener = heard;
      parts.subscribe(lost);
      return connect();
    },
    isReady: () => usable,
    destroy() {
      destroyed = true;
      usable = false;
      clearTimeout(timer);
      parts.destroy();
    },
    another: parts.another,
    replicasToConfirm: parts.replicasToConfirm ?? (async () => 0),
    confirmsWrites: parts.confirmsWrites ?? false,
  };
}
