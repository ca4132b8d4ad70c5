/**
 * The policy phase of `npm run bench` (docs/benchmarks.md, "The users' invite policy"): what the one Redis script
 * of the users' invite policy (src/storage/redis-quota-script.ts) costs per user invite, against a tree that fills
 * the budget. Per tree size (BENCH_POLICY_SIZES, "10,100,1000"), a tree of that budget is seeded into a private Redis:
 * half of it accounts (a chain of levels, each account inviting the next ones), the other half less one pending
 * invites of its accounts; then a user deepest in it asks for a place BENCH_POLICY_ROUNDS (300) times, each given
 * back (the budget is full with that place: it is granted each time, the whole tree read). Beside it, the same
 * call for a user in no tree, with the tree rules off: the floor of the script itself.
 *
 * The call is the store's (RedisQuota.reserve through the bot's own backend and ACL user), timed from the bot's
 * side: one round trip to a loopback Redis and the script.
 */
import { performance } from "node:perf_hooks";
import type { Invite } from "../src/invites/invite.js";
import type { QuotaRules } from "../src/invites/store.js";
import { createLogger } from "../src/logger.js";
import { invitedByKey, inviteesKey, joinedKey } from "../src/storage/keys.js";
import { type RedisBackend, redisBackend } from "../src/storage/redis-backend.js";
import { createRedisClient } from "../src/storage/redis-client.js";
import { type RedisServer, startRedis } from "../test/helpers/redis-server.js";
import { rawRedisClient } from "../test/helpers/scenario.js";
import { TEST_SIGNING_KEYS } from "../test/helpers/signing.js";
import { percentile } from "./bench-load.js";

const HOST = "bench.example";
const ADMIN = `admin@${HOST}`;
/** How many each account invites, level by level. */
const FAN_OUT = 3;

export interface PolicySettings {
  readonly sizes: readonly number[];
  readonly rounds: number;
}

export interface PolicyRow {
  readonly label: string;
  readonly accounts: number;
  readonly pending: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface PolicyContext {
  readonly settings: PolicySettings;
  readonly log: (line: string) => void;
}

function invite(inviter: string, now: number, index: number): Invite {
  const token = `benchPolicy${inviter.replace(/\W/gu, "")}${index}`.padEnd(24, "x");
  return {
    type: "roster",
    jid: inviter,
    token,
    allow_registration: true,
    additional_data: { source: `${inviter}/bench` },
    uri: `xmpp:${inviter}?roster;preauth=${token};ibr=y`,
    created_at: now,
    expires: now + 86_400,
    reusable: false,
  };
}

/** A tree of `accounts` below `root` (FAN_OUT per account, level by level), and `pending` invites spread over it. */
async function seedTree(backend: RedisBackend, raw: ReturnType<typeof rawRedisClient>, size: number) {
  const root = `root${size}@${HOST}`;
  const accounts = Math.floor(size / 2);
  const pending = size - accounts - 1;
  const now = Math.floor(Date.now() / 1000);
  const all = [root];
  await raw.set(invitedByKey(HOST, root), ADMIN);
  for (let i = 0; i < accounts; i += 1) {
    const parent = all[Math.floor(i / FAN_OUT)] as string;
    const child = `t${size}-${i}@${HOST}`;
    all.push(child);
    await raw.set(invitedByKey(HOST, child), parent);
    await raw.sAdd(inviteesKey(HOST, parent), child);
    await raw.zAdd(joinedKey(HOST), { score: now - 86_400 * 30, value: child });
  }
  for (let i = 0; i < pending; i += 1) await backend.invites.save(invite(all[i % all.length] as string, now, i));
  return { deepest: all[all.length - 1] as string, accounts, pending };
}

async function timeCalls(backend: RedisBackend, subject: string, rules: QuotaRules, rounds: number) {
  const times: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const member = `bench-${round}#1`;
    const start = performance.now();
    const decision = await backend.quota.reserve(subject, rules, member);
    times.push(performance.now() - start);
    if (!decision.allowed) throw new Error(`the policy refused the bench's place: ${JSON.stringify(decision)}`);
    await backend.quota.release(subject, member);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), max: times[times.length - 1] ?? Number.NaN };
}

export async function runPolicyBench(ctx: PolicyContext): Promise<PolicyRow[]> {
  const server: RedisServer = await startRedis();
  const backend = redisBackend({
    redis: createRedisClient(server.botUrl, 5_000),
    host: HOST,
    timeoutMs: 5_000,
    signingKeys: TEST_SIGNING_KEYS,
    log: createLogger("error"),
  });
  const raw = rawRedisClient(server.url);
  const rows: PolicyRow[] = [];
  try {
    backend.start();
    await raw.connect();
    await backend.ready();
    const base = { limit: 1_000_000, windowMs: 86_400_000, maxPending: 1_000_000, exempt: [ADMIN] };
    ctx.log(`policy phase: ${ctx.settings.rounds} calls per row …`);
    const floor = await timeCalls(backend, `nobody@${HOST}`, { ...base, uses: 1 }, ctx.settings.rounds);
    rows.push({ label: "no tree rules (period, pending)", accounts: 0, pending: 0, ...floor });
    for (const size of ctx.settings.sizes) {
      const { deepest, accounts, pending } = await seedTree(backend, raw, size);
      const times = await timeCalls(backend, deepest, { ...base, treeMax: size, uses: 1 }, ctx.settings.rounds);
      rows.push({ label: `tree budget ${size}, full`, accounts, pending, ...times });
    }
    return rows;
  } finally {
    await backend.stop();
    if (raw.isOpen) raw.destroy();
    await server.stop();
  }
}

export function policyReport(rows: readonly PolicyRow[]): string {
  const lines = [
    "The users' invite policy: one place asked of Redis's script (RedisQuota.reserve), loopback Redis",
    "",
    "case                              accounts  pending   p50 ms   p99 ms   max ms",
  ];
  for (const row of rows) {
    lines.push(
      `${row.label.padEnd(34)}${String(row.accounts).padStart(8)}${String(row.pending).padStart(9)}` +
        `${row.p50.toFixed(2).padStart(9)}${row.p99.toFixed(2).padStart(9)}${row.max.toFixed(2).padStart(9)}`,
    );
  }
  return lines.join("\n");
}
