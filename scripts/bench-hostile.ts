/**
 * The hostile phase of `npm run bench` (docs/benchmarks.md, "Hostile web clients"; docs/security.md, "The web
 * pages under load"): the bot as in production (`node --max-semi-space-size=1 --max-old-space-size=64
 * dist/main.js`, its web pages with the default caps and timeouts) against BENCH_HOSTILE_CONNECTIONS (12,000)
 * connections that send a POST's headers and then a byte of its body every 5 s, never finishing it. Each comes
 * back 1 s after the server closed it, for BENCH_HOSTILE_SECONDS (40). Two attacks, one after the other: from
 * 600 loopback addresses (20 connections each, the per-address cap: the total cap is what holds), and from one.
 * With BENCH_HOSTILE_UNCAPPED=1 a third: the caps and the request timeout set out of the way, as the web server
 * was before it had them.
 *
 * Meanwhile: the bot's RSS every 250 ms (and VmHWM, the kernel's peak), a user's disco#info to the bot every
 * 500 ms (answered or not within 5 s, and how fast), and a visitor from an address of its own opening a page
 * every second. Afterwards: how long the server let each slow request live, and that the bot still runs.
 *
 * Target: the bot alive, every disco#info answered within 5 s, its peak RSS (VmHWM) ≤ 128 MiB.
 */
import { readFileSync } from "node:fs";
import { inviteFormPath } from "../src/invites/uri.js";
import { discoInfoIq } from "../test/helpers/adhoc-client.js";
import { startServers, type TestServers } from "../test/helpers/servers.js";
import { loopbackAddress, plainRequest, type SlowClient, slowPost } from "../test/helpers/slow-clients.js";
import { connectUser } from "../test/helpers/xmpp-user.js";
import type { BotBuild } from "./bench-bot.js";
import { percentile } from "./bench-load.js";
import { spawnWebBot } from "./bench-web.js";

/**
 * The bot's peak RSS under attack: about 50 MiB of it are node's own code (file-backed), the rest its heap
 * (capped at 64 MiB old space by `npm start`), stacks and buffers.
 */
export const HOSTILE_TARGETS = { peakMiB: 128 } as const;
const BYTE_EVERY_MS = 5_000;
const RECONNECT_AFTER_MS = 1_000;
/** Connections opened at once while building up the attack (the kernel's accept queue is finite). */
const OPEN_BATCH = 500;

export interface HostileSettings {
  connections: number;
  seconds: number;
  /** Also attack a bot whose caps and request timeout are out of the way. */
  uncapped: boolean;
}

/** The caps and the request timeout as far out of the way as the settings go. */
const UNCAPPED_ENV = {
  WEB_MAX_CONNECTIONS: "100000",
  WEB_MAX_CONNECTIONS_PER_ADDRESS: "100000",
  WEB_REQUEST_TIMEOUT_MS: "600000",
};

export interface HostileContext {
  settings: HostileSettings;
  build: BotBuild;
  nodeFlags: readonly string[];
  log(text: string): void;
  defer(task: () => Promise<unknown>): void;
}

export interface AttackResult {
  name: string;
  /** The bot's RSS once online with a user logged in, before the attack. */
  idleMiB: number;
  /** The largest anonymous (heap, stacks, malloc) part of the RSS sampled. */
  anonMaxMiB: number;
  addresses: number;
  /** Connections opened in all, counting reconnections. */
  opened: number;
  /** Closed by the server at once, without an answer (over a cap). */
  refused: number;
  /** Closed by the server with 408 Request Timeout, and how long each had lived (ms). */
  timedOut: number;
  lifetimeP50: number;
  lifetimeMax: number;
  /** Most connections the attacker had open at once (accepted or not yet refused). */
  peakOpen: number;
  rssMaxMiB: number;
  peakMiB: number;
  disco: { sent: number; answered: number; p50: number; p99: number; max: number };
  visitor: { tried: number; answered: number };
  alive: boolean;
  /** When the bot was found gone, in s after the attack began, with how many attacker connections were open. */
  gone: { afterSeconds: number; open: number } | undefined;
  /** The bot's last line that says why it stopped (V8's "FATAL ERROR: … heap out of memory"), if it did. */
  lastWords: string | undefined;
  refusalLogLines: number;
}

export interface HostileResult {
  openFiles: number;
  attacks: AttackResult[];
}

/** The soft limit on open files of this process (`ulimit -n`), from /proc. */
export function openFilesLimit(): { soft: number; hard: number } {
  const line = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/mu.exec(readFileSync("/proc/self/limits", "utf8"));
  const value = (text: string | undefined) => (text === "unlimited" ? Number.POSITIVE_INFINITY : Number(text));
  return { soft: value(line?.[1]), hard: value(line?.[2]) };
}

/** File descriptors the hostile phase needs in this process: every client socket, and some to spare. */
export function openFilesNeeded(settings: HostileSettings): number {
  return settings.connections + 1_000;
}

export async function runHostileBench(context: HostileContext): Promise<HostileResult> {
  const { settings, log, defer } = context;
  const { soft } = openFilesLimit();
  if (soft < openFilesNeeded(settings)) {
    throw new Error(
      `the hostile phase opens ${settings.connections} connections: raise the open-files limit first ` +
        `(the hard limit: ulimit -Hn ${openFilesNeeded(settings)}; it is ${soft})`,
    );
  }
  log("hostile: starting Prosody and Redis …");
  const servers: TestServers = await startServers({}, { inviteModule: true });
  defer(() => servers.stop());
  for (const name of ["bot", "alice"]) await servers.prosody.register(name, "localhost", `${name}-password`);
  const attacks: AttackResult[] = [];
  const many = Math.max(1, Math.floor(settings.connections / 20));
  const plans: [string, number, Record<string, string>][] = [
    [`${many} addresses × 20`, many, {}],
    ["one address", 1, {}],
    ...(settings.uncapped
      ? [[`${many} addresses × 20, caps off`, many, UNCAPPED_ENV] as [string, number, Record<string, string>]]
      : []),
  ];
  for (const [name, addresses, env] of plans) attacks.push(await attack(context, servers, name, addresses, env));
  return { openFiles: soft, attacks };
}

async function attack(
  context: HostileContext,
  servers: TestServers,
  name: string,
  addresses: number,
  env: Record<string, string>,
): Promise<AttackResult> {
  const { settings, log } = context;
  log(`hostile: the bot (node ${context.nodeFlags.join(" ")} dist/main.js), web settings ${JSON.stringify(env)} …`);
  // The production defaults: caps, timeouts and per-address limits as an admin gets them.
  const bot = await spawnWebBot(context, servers.service, servers.redisUrl, {
    WEB_VIEWS_PER_MINUTE: "60",
    WEB_ATTEMPTS_PER_10_MINUTES: "10",
    ...env,
  });
  const port = Number(new URL(bot.webUrl).port);
  const user = await connectUser({
    service: servers.service,
    domain: "localhost",
    username: "alice",
    password: "alice-password",
  });
  context.defer(() => user.stop());
  const botJid = "bot@localhost/invites";
  await user.request(discoInfoIq(botJid), 5_000);
  const idleMiB = bot.memory().rssMiB;

  let running = true;
  let opened = 0;
  let refused = 0;
  let open = 0;
  let peakOpen = 0;
  const lifetimes: number[] = [];
  const perAddress = Math.ceil(settings.connections / addresses);
  const slot = async (index: number): Promise<void> => {
    const localAddress = addresses === 1 ? "127.0.0.1" : loopbackAddress(Math.floor(index / perAddress));
    while (running) {
      const started = performance.now();
      let client: SlowClient;
      try {
        client = await slowPost({
          port,
          path: inviteFormPath("A".repeat(24)),
          localAddress,
          byteEveryMs: BYTE_EVERY_MS,
        });
      } catch {
        await sleep(RECONNECT_AFTER_MS);
        continue;
      }
      opened += 1;
      open += 1;
      peakOpen = Math.max(peakOpen, open);
      const answer = await Promise.race([client.closed, stopped.then(() => undefined)]);
      open -= 1;
      if (answer === undefined) {
        client.socket.destroy();
        return;
      }
      if (answer === "") refused += 1;
      else if (answer.startsWith("HTTP/1.1 408 ")) lifetimes.push(performance.now() - started);
      if (running) await sleep(RECONNECT_AFTER_MS);
    }
  };
  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });

  // Meanwhile: memory, XMPP, and a visitor of its own.
  let rssMaxMiB = 0;
  let anonMaxMiB = 0;
  let peakMiB = 0;
  let gone: AttackResult["gone"];
  const attackStarted = performance.now();
  const sample = (): void => {
    let memory: ReturnType<typeof bot.memory> | undefined;
    try {
      memory = bot.memory();
    } catch {
      // The bot is gone.
    }
    if (memory === undefined || !Number.isFinite(memory.rssMiB)) {
      gone ??= { afterSeconds: (performance.now() - attackStarted) / 1000, open };
      return;
    }
    rssMaxMiB = Math.max(rssMaxMiB, memory.rssMiB);
    anonMaxMiB = Math.max(anonMaxMiB, memory.anonMiB);
    peakMiB = Math.max(peakMiB, memory.peakMiB);
  };
  const sampler = setInterval(sample, 250);
  const rtts: number[] = [];
  let discoSent = 0;
  const xmpp = (async () => {
    while (running) {
      discoSent += 1;
      const started = performance.now();
      try {
        await user.request(discoInfoIq(botJid), 5_000);
        rtts.push(performance.now() - started);
      } catch {
        // Unanswered within 5 s: counted as sent, not answered.
      }
      await sleep(500);
    }
  })();
  let visits = 0;
  let visitsAnswered = 0;
  const visitor = (async () => {
    while (running) {
      visits += 1;
      const answer = await plainRequest({ port, path: "/", localAddress: "127.2.0.1" }).catch(() => undefined);
      if (answer?.status === 200) visitsAnswered += 1;
      await sleep(1_000);
    }
  })();

  log(`hostile: ${settings.connections} slow POSTs from ${name} for ${settings.seconds} s …`);
  const slots: Promise<void>[] = [];
  for (let i = 0; i < settings.connections; i += OPEN_BATCH) {
    for (let j = i; j < Math.min(i + OPEN_BATCH, settings.connections); j += 1) slots.push(slot(j));
    await sleep(50);
  }
  await sleep(settings.seconds * 1000);
  running = false;
  stop();
  await Promise.all([...slots, xmpp, visitor]);
  clearInterval(sampler);
  sample();
  const output = bot.output(10_000).split("\n");
  const refusalLogLines = output.filter((line) => line.includes("Web connections refused")).length;
  const lastWords = output.findLast((line) => /FATAL|out of memory|Aborted/iu.test(line))?.trim();
  await user.stop();
  // Still running: it stops cleanly on SIGTERM, with 0. Crashed (out of heap: SIGABRT): not 0.
  const alive = (await bot.stop()) === 0;
  lifetimes.sort((a, b) => a - b);
  rtts.sort((a, b) => a - b);
  return {
    name,
    idleMiB,
    anonMaxMiB,
    addresses,
    opened,
    refused,
    timedOut: lifetimes.length,
    lifetimeP50: percentile(lifetimes, 50),
    lifetimeMax: lifetimes.at(-1) ?? Number.NaN,
    peakOpen,
    rssMaxMiB,
    peakMiB,
    disco: {
      sent: discoSent,
      answered: rtts.length,
      p50: percentile(rtts, 50),
      p99: percentile(rtts, 99),
      max: rtts.at(-1) ?? Number.NaN,
    },
    visitor: { tried: visits, answered: visitsAnswered },
    alive,
    gone,
    lastWords: alive ? undefined : lastWords,
    refusalLogLines,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function verdict(ok: boolean): string {
  return ok ? "PASS" : "MISS";
}

export function hostileReport(result: HostileResult): string {
  const lines = ["", `Hostile web clients (open-files limit of the clients' process: ${result.openFiles})`];
  for (const a of result.attacks) {
    const ok = a.alive && a.disco.answered === a.disco.sent && a.peakMiB <= HOSTILE_TARGETS.peakMiB;
    const fate =
      a.gone === undefined
        ? a.alive
          ? "still running"
          : "EXITED"
        : `EXITED ${a.gone.afterSeconds.toFixed(1)} s into the attack, with ${a.gone.open} attacker connections open`;
    lines.push(
      `  from ${a.name}: ${a.opened} connections opened (with reconnections), at most ${a.peakOpen} at once`,
      `    closed at once over a cap: ${a.refused}; cut off with 408: ${a.timedOut}` +
        (a.timedOut === 0
          ? " (the run was shorter than the request timeout)"
          : `, after p50 ${(a.lifetimeP50 / 1000).toFixed(1)} s, at most ${(a.lifetimeMax / 1000).toFixed(1)} s`),
      `    the bot: RSS ${a.idleMiB.toFixed(1)} MiB before; at most ${a.rssMaxMiB.toFixed(1)} MiB sampled (anonymous ${a.anonMaxMiB.toFixed(1)}), VmHWM ${a.peakMiB.toFixed(1)} MiB; ${fate}; ${a.refusalLogLines} "Web connections refused" log lines`,
      ...(a.lastWords === undefined ? [] : [`    its last words: ${a.lastWords}`]),
      `    XMPP disco#info to the bot: ${a.disco.answered} of ${a.disco.sent} answered, p50 ${a.disco.p50.toFixed(1)} ms, p99 ${a.disco.p99.toFixed(1)} ms, max ${a.disco.max.toFixed(1)} ms`,
      `    a visitor from another address: ${a.visitor.answered} of ${a.visitor.tried} pages answered`,
      `    target: alive, every disco#info answered, VmHWM ≤ ${HOSTILE_TARGETS.peakMiB} MiB ${verdict(ok)}`,
    );
  }
  return lines.join("\n");
}
