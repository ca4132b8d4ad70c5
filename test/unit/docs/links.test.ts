/**
 * The README and docs/ link to each other by file and heading: every relative link must reach a file that exists
 * and, when it names one, a heading of that file (GitHub's anchors: lower case, punctuation dropped, spaces → "-").
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const PAGES = [
  "README.md",
  ...readdirSync(join(ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`),
];

/** GitHub's anchor for a heading text. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/gu, "-");
}

function anchorsIn(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.*)$/u.exec(line);
    if (heading === null) continue;
    const base = anchorOf(heading[1] ?? "");
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** Relative links outside code: `[text](target)`. */
function linksIn(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/gu, "").replace(/`[^`\n]*`/gu, "");
  return [...prose.matchAll(/\]\(([^)\s]+)\)/gu)]
    .map((match) => match[1] ?? "")
    .filter((target) => !/^[a-z]+:/u.test(target));
}

describe("links between the README and docs/", () => {
  for (const page of PAGES) {
    it(`${page}: every relative link reaches a file, and a heading when it names one`, () => {
      const markdown = readFileSync(join(ROOT, page), "utf8");
      const broken: string[] = [];
      for (const target of linksIn(markdown)) {
        const [path = "", anchor] = target.split("#");
        const file = path === "" ? join(ROOT, page) : join(dirname(join(ROOT, page)), path);
        if (!existsSync(file)) {
          broken.push(`${target}: no file ${relative(ROOT, file)}`);
          continue;
        }
        if (anchor !== undefined && file.endsWith(".md") && !anchorsIn(readFileSync(file, "utf8")).has(anchor)) {
          broken.push(`${target}: no heading #${anchor} in ${relative(ROOT, file)}`);
        }
      }
      expect(broken).toEqual([]);
    });
  }
});
