/**
 * The top costs in a V8 CPU profile (`node --cpu-prof`, docs/benchmarks.md "Profiling"): self time by function and
 * by where the code lives (a package under node_modules, a file of the bot, or Node's own), largest first.
 *
 *   npx tsx scripts/profile-top.ts PROFILE.cpuprofile [COUNT] [FIRST_MS]
 *
 * FIRST_MS keeps only the samples of the profile's first milliseconds: the start-up path.
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
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

function top(totals: Map<string, number>, count: number, all: number): string[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(
      ([name, micros]) =>
        `${((100 * micros) / all).toFixed(1).padStart(5)} %  ${(micros / 1000).toFixed(0).padStart(7)} ms  ${name}`,
    );
}

const [file, countText = "15", firstText] = process.argv.slice(2);
if (file === undefined) {
  console.error("usage: npx tsx scripts/profile-top.ts PROFILE.cpuprofile [COUNT] [FIRST_MS]");
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const byFunction = new Map<string, number>();
const byPlace = new Map<string, number>();
const untilMicros = firstText === undefined ? Number.POSITIVE_INFINITY : Number(firstText) * 1000;
let all = 0;
let sinceStart = 0;
profile.samples.forEach((id, at) => {
  const node = byId.get(id);
  const micros = profile.timeDeltas[at] ?? 0;
  sinceStart += micros;
  if (sinceStart > untilMicros) return;
  if (node === undefined || node.callFrame.functionName === "(idle)") return;
  const { functionName, url, lineNumber } = node.callFrame;
  const place = placeOf(url);
  const name = `${functionName || "(anonymous)"}  ${place}${url === "" ? "" : `:${lineNumber + 1}`}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
  byPlace.set(place, (byPlace.get(place) ?? 0) + micros);
  all += micros;
});
const count = Number(countText);
process.stdout.write(
  [
    `busy: ${(all / 1000).toFixed(0)} ms of samples (idle left out)`,
    "",
    "by place (self time)",
    ...top(byPlace, count, all),
    "",
    "by function (self time)",
    ...top(byFunction, count, all),
    "",
  ].join("\n"),
);
