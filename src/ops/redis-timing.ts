/**
 * How long Redis takes to answer, from node-redis's own tracing channels (Node's diagnostics_channel; node-redis 5.12
 * publishes on them): the storage needs no hook of ours, and a Sentinel or Cluster client is timed the same way.
 * `node-redis:command` carries each command (a pipeline's one by one); a MULTI … EXEC is one `node-redis:batch`,
 * timed as "MULTI". The channels are the process's, so every node-redis client of this process is timed — in the
 * bot, its own connections only.
 */
import { tracingChannel } from "node:diagnostics_channel";
import { performance } from "node:perf_hooks";

/** What is read here of node-redis's trace contexts (@redis/client/dist/lib/client/tracing.d.ts). */
interface TraceContext {
  /** A command's name, upper case. */
  readonly command?: string;
  readonly args?: readonly string[];
  /** A batch's kind. */
  readonly batchMode?: "MULTI" | "PIPELINE";
}

export type CommandTiming = (command: string, seconds: number) => void;

/**
 * The name to time a traced operation under, or undefined to leave it out: a pipeline as a whole (its commands are
 * timed one by one), and a read that blocks on purpose (XREADGROUP … BLOCK, the use-event reader), which takes as long
 * as it waits for an entry and says nothing of Redis.
 */
function nameOf(context: TraceContext, batch: boolean): string | undefined {
  if (batch) return context.batchMode === "MULTI" ? "MULTI" : undefined;
  if (context.args?.some((arg) => arg.toUpperCase() === "BLOCK")) return undefined;
  return context.command ?? "unknown";
}

function subscribe(channelName: string, batch: boolean, observe: CommandTiming): () => void {
  const channel = tracingChannel<TraceContext>(channelName);
  // The same context object goes to start and asyncEnd: it carries the start time between them.
  const started = new WeakMap<object, { readonly name: string; readonly at: number }>();
  const handlers = {
    start: (context: TraceContext) => {
      const name = nameOf(context, batch);
      if (name !== undefined) started.set(context, { name, at: performance.now() });
    },
    end: () => {},
    asyncStart: () => {},
    // After a reply and after an error alike.
    asyncEnd: (context: TraceContext) => {
      const start = started.get(context);
      if (start === undefined) return;
      started.delete(context);
      observe(start.name, (performance.now() - start.at) / 1000);
    },
    error: () => {},
  };
  channel.subscribe(handlers);
  return () => channel.unsubscribe(handlers);
}

/** Calls `observe` with each command's name and duration until the returned function is called. */
export function timeRedisCommands(observe: CommandTiming): () => void {
  const stops = [subscribe("node-redis:command", false, observe), subscribe("node-redis:batch", true, observe)];
  return () => {
    for (const stop of stops) stop();
  };
}
