/** What every command shares: the requester's context, the error edges, and the list of commands. */
import { describe, expect, it } from "vitest";
import { allAdhocCommands, allChatKeywords } from "../../../src/commands/all-commands.js";
import { contextFactory, type RequestContext } from "../../../src/commands/context.js";
import { adhocErrorFor, chatErrorFor } from "../../../src/commands/error-edges.js";
import { InviteError } from "../../../src/errors.js";
import { actorFor } from "../../../src/invites/permissions.js";
import { StoreUnavailableError } from "../../../src/invites/store.js";
import { createLogger } from "../../../src/logger.js";
import { NS } from "../../../src/xmpp/namespaces.js";
import { commandWorld, NOW_MS } from "../../helpers/command-world.js";

const POLICY = {
  domain: "example.org",
  admins: new Set(["admin@example.org"]),
  allowUserInvites: false,
  allowContactInvites: true,
};

function logged(): { ctx: RequestContext; lines: string[] } {
  const lines: string[] = [];
  const log = createLogger("debug", { write: (line: string) => lines.push(line) });
  return { ctx: contextFactory(POLICY, log)("alice@example.org/phone"), lines };
}

describe("contextFactory", () => {
  it("keeps the full JID, judges the bare one, and names the requester in every log line", () => {
    const { ctx, lines } = logged();
    expect(ctx.from).toBe("alice@example.org/phone");
    expect(ctx.actor).toEqual({ jid: "alice@example.org", localUser: "alice", isAdmin: false });
    ctx.log.info("hello");
    expect(lines[0]).toMatch(/ INFO {2}hello from=alice@example.org$/mu);
    const admin = contextFactory(POLICY, createLogger("silent"))("Admin@Example.org/pc");
    expect(admin.actor).toEqual(actorFor("admin@example.org", POLICY));
    expect(admin.actor.isAdmin).toBe(true);
  });
});

describe("the error edges", () => {
  it("turn an InviteError into its stanza error and chat sentence, with the host, logged at info", () => {
    const { ctx, lines } = logged();
    const error = new InviteError("not-local-user");
    const stanza = adhocErrorFor("example.org")(error, ctx);
    expect(stanza.attrs.type).toBe("auth");
    expect(stanza.getChild("forbidden", NS.stanzas)).toBeDefined();
    expect(stanza.getChildText("text", NS.stanzas)).toBe("This command is only available to users of example.org");
    expect(chatErrorFor("example.org")(error, ctx)).toBe("Sorry, I can only create invites for users of example.org.");
    expect(lines).toHaveLength(2);
    expect(lines.every((line) => / INFO {2}Invite refused .*code=not-local-user/u.test(line))).toBe(true);
  });

  it("log an unreachable store as an error, with its cause", () => {
    const { ctx, lines } = logged();
    const error = new InviteError("store-unavailable", {
      cause: new StoreUnavailableError("connection refused"),
      params: { notDone: "no invite was created" },
    });
    expect(chatErrorFor("example.org")(error, ctx)).toContain("so no invite was created.");
    expect(adhocErrorFor("example.org")(error, ctx).attrs.type).toBe("wait");
    expect(lines.every((line) => / ERROR Invite refused .*cause="connection refused"/u.test(line))).toBe(true);
  });

  it("answer anything else with an internal error that promises nothing was created, and log its stack", () => {
    const { ctx, lines } = logged();
    const stanza = adhocErrorFor("example.org")(new TypeError("boom"), ctx);
    expect(stanza.attrs.type).toBe("cancel");
    expect(stanza.getChild("internal-server-error", NS.stanzas)).toBeDefined();
    expect(stanza.getChildText("text", NS.stanzas)).toBe(
      "Something went wrong on our side; nothing was created. Please try again later.",
    );
    expect(chatErrorFor("example.org")("not even an Error", ctx)).toBe(
      "Sorry, something went wrong on our side; nothing was created. Please try again later.",
    );
    expect(lines[0]).toMatch(/ ERROR Command failed unexpectedly .*TypeError: boom/u);
    expect(lines[1]).toMatch(/ ERROR Command failed unexpectedly .*error="not even an Error"/u);
  });
});

describe("the list of commands", () => {
  it("has Prosody's mod_invites_adhoc nodes and names first, then the bot's own, each once", () => {
    const { service, circles } = commandWorld();
    expect(allAdhocCommands({ invites: service, circles }).map(({ node, name }) => `${node} (${name})`)).toEqual([
      "urn:xmpp:invite#invite (Create new contact invite)",
      "urn:xmpp:invite#create-account (Create new account invite)",
      "xmpp:prosody.im/mod_invites_adhoc#password-reset (Create password reset link)",
      "xmpp-invite-bot#list-invites (List pending invites)",
      "xmpp-invite-bot#revoke-invites (Revoke invites)",
      "xmpp-invite-bot#who-invited-whom (Who invited whom)",
      "xmpp-invite-bot#invite-tree (Invite tree)",
      "xmpp-invite-bot#circles (List circles)",
      "xmpp-invite-bot#create-circle (Create a circle)",
      "xmpp-invite-bot#edit-circle (Edit a circle)",
      "xmpp-invite-bot#invite-to-circles (Invite to a circle)",
    ]);
  });

  it("has a chat keyword for each, in the same order", () => {
    const { service, circles } = commandWorld();
    expect(allChatKeywords({ invites: service, circles }, () => NOW_MS).map((k) => k.keyword)).toEqual([
      "invite",
      "invite account",
      "reset",
      "invites",
      "invite edit",
      "revoke",
      "who invited",
      "invitees of",
      "tree",
      "disable tree",
      "disable",
      "enable",
      "approvals",
      "approve",
      "reject",
      "circles",
      "circle",
      "invite to",
    ]);
  });
});
