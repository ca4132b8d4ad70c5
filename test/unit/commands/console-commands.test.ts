/** Chat `login`/`logout` and the ad-hoc "Log in to the web console" (docs/console.md), over memory stores. */
import { describe, expect, it } from "vitest";
import { consoleAdhocCommands, consoleChatKeywords, NO_CONSOLE_REPLY } from "../../../src/commands/console-commands.js";
import { contextFactory } from "../../../src/commands/context.js";
import { chatErrorFor } from "../../../src/commands/error-edges.js";
import { ConsoleAccess } from "../../../src/invites/console-access.js";
import { createLogger } from "../../../src/logger.js";
import { MemoryConsoleStore } from "../../../src/storage/memory-console.js";
import { MemoryInviteStore } from "../../../src/storage/memory-store.js";

const POLICY = {
  domain: "example.org",
  admins: new Set(["boss@other.example"]),
  allowUserInvites: false,
  allowContactInvites: true,
};
const contextFor = contextFactory(POLICY, createLogger("silent"));

function world(webUrl: string | undefined) {
  const access = new ConsoleAccess({
    store: new MemoryConsoleStore(),
    relations: new MemoryInviteStore(),
    policy: POLICY,
    loginUrl: webUrl === undefined ? undefined : (token) => `${webUrl}/console/login/${token}`,
  });
  const [login, logout] = consoleChatKeywords(access);
  const [adhoc] = consoleAdhocCommands(access);
  if (login === undefined || logout === undefined || adhoc === undefined) throw new Error("commands missing");
  return { access, login, logout, adhoc };
}

describe("chat login and logout", () => {
  it("gives a user of the domain and an admin elsewhere a one-time link that says how long it works", async () => {
    const { login } = world("https://example.org/join");
    for (const jid of ["alice@example.org/phone", "boss@other.example/pc"]) {
      const reply = await login.run(contextFor(jid), "");
      expect(reply).toMatch(
        /^Open this link to log in to the web console:\nhttps:\/\/example\.org\/join\/console\/login\/[A-Za-z0-9_-]{24}\nIt works once, for 10 minutes, and only for you: do not pass it on\.$/u,
      );
    }
  });

  it("refuses someone the bot does not serve, in the catalogue's words, and hides the commands from them", async () => {
    const { login, adhoc } = world("https://example.org");
    const eve = contextFor("eve@other.example/x");
    expect(login.allowed(eve)).toBe(false);
    expect(adhoc.allowed(eve)).toBe(false);
    const refusal = await login.run(eve, "").catch((error: unknown) => chatErrorFor("example.org")(error, eve));
    expect(refusal).toBe("Sorry, I can only create invites for users of example.org.");
  });

  it("says the console needs WEB_URL when it is not set, and lists no command then", async () => {
    const { login, adhoc } = world(undefined);
    const alice = contextFor("alice@example.org/phone");
    expect(await login.run(alice, "")).toBe(NO_CONSOLE_REPLY);
    expect(login.allowed(alice)).toBe(false);
    expect(adhoc.allowed(alice)).toBe(false);
  });

  it("logs out of every session of the sender", async () => {
    const { access, login, logout } = world("https://example.org");
    const alice = contextFor("alice@example.org/phone");
    expect(await logout.run(alice, "")).toBe("You were not logged in to the web console.");
    for (let i = 0; i < 2; i += 1) {
      const token = /login\/([A-Za-z0-9_-]{24})/u.exec(await login.run(alice, ""))?.[1] ?? "";
      expect(await access.logIn(token)).toBeDefined();
    }
    expect(await logout.run(alice, "")).toBe("Logged out of the web console (2 sessions).");
  });

  it("gives the link in the ad-hoc command's note", async () => {
    const { adhoc } = world("https://example.org");
    const alice = contextFor("alice@example.org/phone");
    expect(adhoc.allowed(alice)).toBe(true);
    const result = await adhoc.run(alice, { action: "execute", form: undefined, state: undefined, firstStage: true });
    expect(result.note?.text).toContain("https://example.org/console/login/");
  });
});
