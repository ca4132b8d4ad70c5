/**
 * The layout version of a host's store (docs/storage.md, "Versions and migration"): v3 is used as it is, an older
 * store is migrated by exactly one bot instance while the others wait, and a layout this code does not know stops
 * the bot. v1 → v2 moves every key (migrate-v1.ts); v2 → v3 only sets the marker: v3 adds circles, which are keys
 * of their own, and invites that name them. The marker moves so that a Prosody module older than circles (it knows
 * only 2) refuses the store instead of consuming invites whose circles and group chats it would silently skip.
 */
import { randomUUID } from "node:crypto";
import type { EventSink } from "../events.js";
import type { Logger } from "../logger.js";
import type { StorageEvents } from "./backend.js";
import { LAYOUT_VERSION, layoutKey, migratingKey } from "./keys.js";
import { migrateV1 } from "./migrate-v1.js";
import type { SigningKeys } from "./record.js";
import type { RedisClient } from "./redis-client.js";
import { RedisScript } from "./redis-connection.js";

const LOCK_MS = 30_000;
const RENEW_EVERY_MS = 10_000;
const WAIT_STEP_MS = 200;
/** How long an instance waits for another one's migration before it says so (the lock's expiry lets it take over). */
const WAIT_FOR_OTHER_MS = 2 * LOCK_MS;

// Only the holder may renew or release the lock.
const RENEW = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);
const RELEASE = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/** The layout before circles: the same keys, migrated by setting the marker alone. */
const BEFORE_CIRCLES = "2";

/** The store holds a layout this version of the bot cannot read. */
export class UnknownLayoutError extends Error {
  constructor(host: string, found: string) {
    super(
      `The invite store in Redis has layout ${found} for ${host}; this version of xmpp-invite-bot reads layout ` +
        `${LAYOUT_VERSION} only (and migrates 1 and ${BEFORE_CIRCLES} to it). Run the version of the bot that ` +
        "wrote it, or a newer one (docs/storage.md).",
    );
    this.name = "UnknownLayoutError";
  }
}

export interface LayoutOptions {
  readonly client: RedisClient;
  readonly host: string;
  readonly keys: SigningKeys;
  readonly log: Logger;
  readonly events?: EventSink<StorageEvents>;
}

/** Resolves once the host's store is layout v3; migrates a v1 or v2 store first. Throws UnknownLayoutError. */
export async function ensureLayout(options: LayoutOptions): Promise<void> {
  const { client, host, log } = options;
  const deadline = Date.now() + WAIT_FOR_OTHER_MS;
  let warned = false;
  for (;;) {
    const found = await client.get(layoutKey(host));
    if (found === LAYOUT_VERSION) return;
    if (found !== null && found !== BEFORE_CIRCLES) throw new UnknownLayoutError(host, found);
    const owner = randomUUID();
    if ((await client.set(migratingKey(host), owner, { NX: true, PX: LOCK_MS })) === "OK") {
      await migrateHoldingLock(options, owner);
      return;
    }
    if (!warned && Date.now() > deadline) {
      warned = true;
      log.warn("Another instance has been migrating the invite store for a long time; still waiting", { host });
    }
    await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
  }
}

async function migrateHoldingLock(options: LayoutOptions, owner: string): Promise<void> {
  const { client, host } = options;
  const lock = migratingKey(host);
  const renew = setInterval(() => {
    RENEW.run(client, [lock], [owner, String(LOCK_MS)]).catch(() => {});
  }, RENEW_EVERY_MS);
  try {
    // Read again under the lock: another instance may have finished between our read and our lock.
    const found = await client.get(layoutKey(host));
    if (found === null) await migrateFromV1(options);
    else if (found === BEFORE_CIRCLES) await migrateFromV2(options);
    else if (found !== LAYOUT_VERSION) throw new UnknownLayoutError(host, found);
  } finally {
    clearInterval(renew);
    await RELEASE.run(client, [lock], [owner]).catch(() => {});
  }
}

/** v1 (no marker): every key moved (migrate-v1.ts), then the marker; said only when there was anything to move. */
async function migrateFromV1(options: LayoutOptions): Promise<void> {
  const { client, host, log } = options;
  const counts = await migrateV1(options);
  await client.set(layoutKey(host), LAYOUT_VERSION);
  if (Object.values(counts).some((count) => count > 0)) {
    log.info(`Migrated the invite store from layout 1 to layout ${LAYOUT_VERSION}`, { host, ...counts });
    options.events?.emit("layout-migrated", { host, from: "1", to: LAYOUT_VERSION, counts: { ...counts } });
  }
}

/** v2: nothing in the data changes (circles are new keys); the marker alone. */
async function migrateFromV2(options: LayoutOptions): Promise<void> {
  const { client, host, log } = options;
  await client.set(layoutKey(host), LAYOUT_VERSION);
  log.info(`Storage layout ${BEFORE_CIRCLES} → ${LAYOUT_VERSION}: circles`, { host });
  options.events?.emit("layout-migrated", { host, from: BEFORE_CIRCLES, to: LAYOUT_VERSION, counts: {} });
}
