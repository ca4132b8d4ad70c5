/**
 * The layers of src/ (docs/architecture.md, "Layers"): a file imports only from its own layer or a lower one, and
 * no file reaches itself again through its imports. Every relative import counts, `import type` and `export … from`
 * included (read with TypeScript's own scanner, so comments and strings do not).
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../../../src", import.meta.url));

/**
 * Lowest first. Members are paths under src/: a directory ends with "/", anything else is one file. A new file or
 * directory of src/ belongs in one of them (the first test says so).
 */
const LAYERS: readonly { readonly name: string; readonly members: readonly string[] }[] = [
  { name: "base", members: ["errors.ts", "errors/", "events.ts", "jid.ts", "logger.ts", "version.ts", "types/"] },
  { name: "domain", members: ["invites/", "circles/"] },
  { name: "storage", members: ["storage/"] },
  { name: "configuration", members: ["config.ts", "config/"] },
  { name: "xmpp", members: ["xmpp/"] },
  { name: "protocols", members: ["adhoc/", "chat/"] },
  {
    name: "edges",
    members: ["api/", "commands/", "health/", "notifications/", "ops/", "registration/", "rooms/", "web/"],
  },
  { name: "composition root", members: ["app.ts", "app/", "main.ts", "healthcheck.ts"] },
];

/** file (path under src/, "/"-separated) → the files under src/ it imports. */
type Graph = ReadonlyMap<string, readonly string[]>;

function layerOf(file: string): number | undefined {
  const index = LAYERS.findIndex(({ members }) =>
    members.some((member) => (member.endsWith("/") ? file.startsWith(member) : file === member)),
  );
  return index === -1 ? undefined : index;
}

const nameOf = (file: string): string => `src/${file} (${LAYERS[layerOf(file) ?? -1]?.name ?? "no layer"})`;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [relative(SRC, path).split(sep).join("/")] : [];
  });
}

/** Relative imports of every file, as files under src/; imports that leave src/ (package.json, …) are not edges. */
function importGraph(): Graph {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC).sort()) {
    const text = readFileSync(join(SRC, file), "utf8");
    const targets = ts
      .preProcessFile(text, true, true)
      .importedFiles.map(({ fileName }) => fileName)
      .filter((specifier) => specifier.startsWith("."))
      .map((specifier) =>
        relative(SRC, resolve(SRC, dirname(file), specifier))
          .split(sep)
          .join("/"),
      )
      .filter((target) => !target.startsWith("../"))
      .map((target) => target.replace(/\.js$/u, ".ts"));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Every import that goes up a layer, or to a file that is not there, as "from → to". */
function upwardImports(graph: Graph): string[] {
  const out: string[] = [];
  for (const [file, targets] of graph) {
    for (const target of targets) {
      if (!graph.has(target)) out.push(`src/${file} → src/${target}: no such file under src/`);
      else if ((layerOf(target) ?? -1) > (layerOf(file) ?? Number.POSITIVE_INFINITY)) {
        out.push(`${nameOf(file)} → ${nameOf(target)}`);
      }
    }
  }
  return out;
}

/** One circle of imports per strongly connected component (Tarjan), as "a → b → … → a". */
function importCycles(graph: Graph): string[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file) ?? 0);
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file) ?? 0, low.get(target) ?? 0));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file) ?? 0, index.get(target) ?? 0));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || (graph.get(file) ?? []).includes(file)) components.push(component);
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return components.map((component) => circleThrough(graph, new Set(component)));
}

/** The shortest way from the component's first file (in name order) back to itself, inside the component. */
function circleThrough(graph: Graph, component: ReadonlySet<string>): string {
  const start = [...component].sort()[0] ?? "";
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let at = queue.shift(); at !== undefined; at = queue.shift()) {
    for (const target of graph.get(at) ?? []) {
      if (!component.has(target) || cameFrom.has(target)) continue;
      cameFrom.set(target, at);
      if (target === start) break;
      queue.push(target);
    }
    if (cameFrom.has(start)) break;
  }
  const between: string[] = [];
  for (let at = cameFrom.get(start); at !== undefined && at !== start; at = cameFrom.get(at)) between.unshift(at);
  return [start, ...between, start].map((file) => `src/${file}`).join(" → ");
}

/** The same imports between the parts of src/: its directories (invites/, web/, …) and its top-level files. */
function directoryGraph(graph: Graph): Graph {
  const partOf = (file: string): string => (file.includes("/") ? `${file.split("/")[0]}/` : file);
  const parts = new Map<string, Set<string>>();
  for (const [file, targets] of graph) {
    const part = parts.get(partOf(file)) ?? new Set<string>();
    for (const target of targets) if (partOf(target) !== partOf(file)) part.add(partOf(target));
    parts.set(partOf(file), part);
  }
  return new Map([...parts].map(([part, targets]) => [part, [...targets]]));
}

describe("the layers of src/", () => {
  const graph = importGraph();

  it("has every file in a layer", () => {
    const homeless = [...graph.keys()].filter((file) => layerOf(file) === undefined).map((file) => `src/${file}`);
    expect(homeless, "files in no layer: add them to LAYERS here and to docs/architecture.md").toEqual([]);
  });

  it("imports nothing from a higher layer", () => {
    expect(upwardImports(graph), "imports from a lower layer to a higher one (docs/architecture.md, Layers)").toEqual(
      [],
    );
  });

  it("has no circle of imports", () => {
    expect(importCycles(graph), "circles of imports (docs/architecture.md, Layers)").toEqual([]);
  });

  it("has no circle between the directories of a layer either", () => {
    expect(importCycles(directoryGraph(graph)), "circles of imports between directories").toEqual([]);
  });

  it("reads the imports there are (type-only and re-exports too)", () => {
    expect(graph.get("app.ts")).toContain("config.ts");
    expect(graph.get("storage/redis-events.ts")).toContain("invites/store.ts");
    expect(graph.size).toBeGreaterThan(50);
  });
});

describe("the checks themselves", () => {
  it("name an upward import, and an import of a file that is not there", () => {
    const graph = new Map([
      ["storage/redis-store.ts", ["invites/store.ts", "app.ts"]],
      ["invites/store.ts", ["invites/gone.ts"]],
      ["app.ts", ["storage/redis-store.ts"]],
    ]);
    expect(upwardImports(graph)).toEqual([
      "src/storage/redis-store.ts (storage) → src/app.ts (composition root)",
      "src/invites/store.ts → src/invites/gone.ts: no such file under src/",
    ]);
  });

  it("name each circle once, within a layer too", () => {
    const graph = new Map([
      ["web/server.ts", ["web/invite-routes.ts", "logger.ts"]],
      ["web/invite-routes.ts", ["web/pages/layout.ts"]],
      ["web/pages/layout.ts", ["web/server.ts"]],
      ["logger.ts", []],
      ["jid.ts", ["jid.ts"]],
    ]);
    expect(importCycles(graph).sort()).toEqual([
      "src/jid.ts → src/jid.ts",
      "src/web/invite-routes.ts → src/web/pages/layout.ts → src/web/server.ts → src/web/invite-routes.ts",
    ]);
  });
});
