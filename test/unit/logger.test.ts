import { describe, expect, it } from "vitest";
import { createLogger, redactToken } from "../../src/logger.js";

function capture(level: Parameters<typeof createLogger>[0]) {
  const lines: string[] = [];
  return { lines, log: createLogger(level, { write: (line: string) => lines.push(line) }) };
}

describe("logger", () => {
  it("writes one line per entry with key=value fields", () => {
    const { lines, log } = capture("info");
    log.child({ part: "xmpp" }).info("Online", { jid: "bot@example.org/invites", note: "two words" });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\S+Z INFO {2}Online part=xmpp jid=bot@example.org\/invites note="two words"\n$/u);
  });

  it("drops entries below the level", () => {
    const { lines, log } = capture("warn");
    log.debug("a");
    log.info("b");
    log.warn("c");
    log.error("d");
    expect(lines.map((l) => l.trim().split(/\s+/u).slice(1))).toEqual([
      ["WARN", "c"],
      ["ERROR", "d"],
    ]);
  });

  it("shows only the start of a token", () => {
    expect(redactToken("AbCdEfGhIjKlMnOpQrStUvWx")).toBe("AbCd…");
  });
});
