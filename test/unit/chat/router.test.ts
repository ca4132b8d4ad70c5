import { xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { normaliseChatText } from "../../../src/chat/parse.js";
import { ChatRouter } from "../../../src/chat/router.js";
import { reasonToIgnore } from "../../../src/xmpp/messages.js";

interface Ctx {
  admin: boolean;
}

function setup() {
  const router = new ChatRouter<Ctx>({
    contextFor: (from) => ({ admin: from.startsWith("admin@") }),
    onError: (error) => `failed: ${(error as Error).message}`,
    hint: () => "hint",
    helpText: (_ctx, lines) => lines.join("|"),
  });
  router
    .register({ keyword: "invite", help: "contact", allowed: () => true, run: async () => "contact invite" })
    .register({
      keyword: "invite account",
      help: "account",
      allowed: (c) => c.admin,
      run: async () => "account invite",
    })
    .register({
      keyword: "explode",
      help: "boom",
      allowed: () => false,
      run: async () => {
        throw new Error("boom");
      },
    });
  return router;
}

describe("chat parsing", () => {
  it.each([
    ["invite", "invite"],
    ["  Invite  ", "invite"],
    ["INVITE\n", "invite"],
    ["invite   Account", "invite account"],
    ["\tinvite\taccount ", "invite account"],
  ])("reads %j as %j", (body, text) => {
    expect(normaliseChatText(body)).toBe(text);
  });
});

describe("ChatRouter", () => {
  it("runs the keyword, trimmed and in any case", async () => {
    const router = setup();
    expect(await router.reply("alice@example.org/a", "  INVITE ")).toBe("contact invite");
    expect(await router.reply("admin@example.org/a", "Invite Account")).toBe("account invite");
  });

  it("lists in help only what this requester may do", async () => {
    const router = setup();
    expect(await router.reply("alice@example.org/a", "help")).toBe("invite — contact");
    expect(await router.reply("admin@example.org/a", "HELP")).toBe("invite — contact|invite account — account");
  });

  it("answers anything else with the hint", async () => {
    const router = setup();
    expect(await router.reply("alice@example.org/a", "hello there")).toBe("hint");
    expect(await router.reply("alice@example.org/a", "invite please")).toBe("hint");
    expect(await router.reply("alice@example.org/a", `invite${" ".repeat(5000)}`)).toBe("hint");
  });

  it("turns a failing keyword into the onError sentence", async () => {
    expect(await setup().reply("alice@example.org/a", "explode")).toBe("failed: boom");
  });

  it("refuses a duplicate keyword", () => {
    const router = setup();
    expect(() => router.register({ keyword: "invite", help: "", allowed: () => true, run: async () => "" })).toThrow(
      "registered twice",
    );
  });
});

describe("reasonToIgnore", () => {
  const self = "bot@example.org";
  const message = (attrs: Record<string, string>, body?: string) =>
    xml("message", { from: "alice@example.org/a", ...attrs }, body === undefined ? null : xml("body", {}, body));

  it("answers chat and normal messages with a body", () => {
    expect(reasonToIgnore(message({ type: "chat" }, "invite"), self)).toBeUndefined();
    expect(reasonToIgnore(message({}, "invite"), self)).toBeUndefined();
    expect(reasonToIgnore(message({ type: "normal" }, "invite"), self)).toBeUndefined();
  });

  it.each(["error", "groupchat", "headline"])("never answers type %s", (type) => {
    expect(reasonToIgnore(message({ type }, "invite"), self)).toBe(`type ${type}`);
  });

  it("never answers a message without a body or with an empty one", () => {
    expect(reasonToIgnore(message({ type: "chat" }), self)).toBe("no body");
    expect(reasonToIgnore(message({ type: "chat" }, "   "), self)).toBe("no body");
  });

  it("never answers itself or a server", () => {
    expect(reasonToIgnore(message({ type: "chat", from: "Bot@Example.org/other" }, "hi"), self)).toBe("sent by myself");
    expect(reasonToIgnore(message({ type: "chat", from: "example.org" }, "hi"), self)).toBe("sent by a server");
    expect(reasonToIgnore(message({ type: "chat", from: "example.org/x@y" }, "hi"), self)).toBe("sent by a server");
  });
});
