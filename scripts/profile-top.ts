/**
 * The top costs in a V8 profile (docs/benchmarks.md, "Profiling"), by function and by where the code lives (a
 * package under node_modules, a file of the bot, or Node's own), largest first:
 *
 *   npx tsx scripts/profile-top.ts PROFILE.cpuprofile [COUNT] [FIRST_MS]   # `node --cpu-prof`: self time
 *   npx tsx scripts/profile-top.ts PROFILE.heapprofile [COUNT]             # `node --heap-prof`: bytes allocated
 *
 * FIRST_MS keeps only the samples of a CPU profile's first milliseconds: the start-up path. A heap profile (V8's
 * sampling heap profiler) names the functions that allocated what was still live when the profile was written.
 */
import { readFileSync } from "node:fs";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: CallFrame }>;
  samples: number[];
  timeDeltas: number[];
}

interface HeapNode {
  callFrame: CallFrame;
  selfSize: number;
  children: HeapNode[];
}

/** Where a function's code lives: `pkg:name` for node_modules, `src/…` for the bot's own, else Node or V8. */
export function placeOf(url: string): string {
  if (url === "") return "(V8: GC, compiler, program)";
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/u.exec(url);
  if (inPackage) return `pkg:${inPackage[1]}`;
  const own = /\/(src|dist|scripts)\/(.*)$/u.exec(url);
  if (own) return `${own[1]}/${own[2]}`;
  return url.startsWith("node:") ? "node:internal" : url;
}

/** Sums of one measure (µs or bytes) by function and by place. */
class Totals {
  readonly byFunction = new Map<string, number>();
  readonly byPlace = new Map<string, number>();
  all = 0;

  add({ functionName, url, lineNumber }: CallFrame, amount: number): void {
    const place = placeOf(url);
    const name = `${functionName || "(anonymous)"}  ${place}${url === "" ? "" : `:${lineNumber + 1}`}`;
    this.byFunction.set(name, (this.byFunction.get(name) ?? 0) + amount);
    this.byPlace.set(place, (this.byPlace.get(place) ?? 0) + amount);
    this.all += amount;
  }

  top(which: Map<string, number>, count: number, show: (amount: number) => string): string[] {
    return [...which]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(
        ([name, amount]) =>
          `${((100 * amount) / this.all).toFixed(1).padStart(5)} %  ${show(amount).padStart(9)}  ${name}`,
      );
  }
}

function cpuTotals(profile: CpuProfile, firstMs: number): Totals {
  const totals = new Totals();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  let sinceStart = 0;
  profile.samples.forEach((id, at) => {
    const micros = profile.timeDeltas[at] ?? 0;
    sinceStart += micros;
    const node = byId.get(id);
    if (sinceStart > firstMs * 1000 || node === undefined || node.callFrame.functionName === "(idle)") return;
    totals.add(node.callFrame, micros);
  });
  return totals;
}

function heapTotals(head: HeapNode): Totals {
  const totals = new Totals();
  const visit = (node: HeapNode): void => {
    if (node.selfSize > 0) totals.add(node.callFrame, node.selfSize);
    for (const child of node.children) visit(child);
  };
  visit(head);
  return totals;
}

const [file, countText = "15", firstText] = process.argv.slice(2);
if (file === undefined) {
  console.error("usage: npx tsx scripts/profile-top.ts PROFILE.cpuprofile|PROFILE.heapprofile [COUNT] [FIRST_MS]");
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile | { head: HeapNode };
const count = Number(countText);
const isHeap = "head" in profile;
const totals = isHeap ? heapTotals(profile.head) : cpuTotals(profile, Number(firstText ?? Number.POSITIVE_INFINITY));
const show = isHeap
  ? (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`
  : (us: number) => `${(us / 1000).toFixed(0)} ms`;
process.stdout.write(
  [
    isHeap ? `live at the end, sampled: ${show(totals.all)}` : `busy: ${show(totals.all)} of samples (idle left out)`,
    "",
    `by place (${isHeap ? "bytes" : "self time"})`,
    ...totals.top(totals.byPlace, count, show),
    "",
    `by function (${isHeap ? "bytes" : "self time"})`,
    ...totals.top(totals.byFunction, count, show),
    "",
  ].join("\n"),
);
