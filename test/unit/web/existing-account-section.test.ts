/**
 * The landing page's section for people who already have an account on the domain (docs/circles.md, "Joining with
 * an existing account"): in every language, with the bot's join link, only for an invite to circles or group chats,
 * never for one bound to a new username, and only where the bot's address is known.
 */
import { describe, expect, it } from "vitest";
import type { UsableInvite } from "../../../src/invites/invite-links.js";
import { circleJoinUri } from "../../../src/invites/join-uri.js";
import { tokenHash } from "../../../src/invites/token.js";
import { inviteViewOf } from "../../../src/web/invite-view.js";
import { pageContext } from "../../../src/web/page-context.js";
import { invitePage } from "../../../src/web/pages/invite-page.js";
import { loadWebData } from "../../../src/web/web-data.js";
import { exampleSite } from "../../helpers/web-fakes.js";

const data = loadWebData();
const TOKEN = "AAAAAAAAAAAAAAAAAAAAAAAA";
const FORM = { username: "", errors: {}, csrf: "" };
const JOIN = `xmpp:bot@example.org?roster;preauth=${TOKEN}`;

function stored(record: Partial<UsableInvite["record"]>): UsableInvite {
  return {
    token: TOKEN,
    hash: tokenHash(TOKEN),
    used: 0,
    record: {
      type: "register",
      jid: "example.org",
      allow_registration: true,
      additional_data: { source: "admin@example.org/x" },
      created_at: 1,
      expires: 2_000_000_000,
      reusable: false,
      ...record,
    },
  };
}

/** The page context in `lang`, for a site that knows the bot's address unless `botJid` is null. */
const ctx = (lang = "en", botJid: string | null = "bot@example.org") =>
  pageContext(
    { ...exampleSite(data.apps), ...(botJid === null ? {} : { botJid }) },
    data.catalogs[lang] ?? {},
    lang,
    undefined,
    "/x",
  );

describe("circleJoinUri", () => {
  it("is the XEP-0147 roster action with the XEP-0379 token, to the bot, its local part encoded", () => {
    expect(circleJoinUri("bot@example.org", TOKEN)).toBe(JOIN);
    expect(circleJoinUri("in?vite@example.org", "T")).toBe("xmpp:in%3Fvite@example.org?roster;preauth=T");
  });
});

describe("the section for an existing account", () => {
  const toFamily = inviteViewOf(stored({}), "example.org", ["Family", "Chess club"]);

  for (const lang of Object.keys(data.catalogs)) {
    it(`names the circles and links the bot, in ${lang}`, () => {
      const markup = invitePage(ctx(lang), toFamily, FORM);
      expect(markup).toContain('class="existing-account"');
      expect(markup).toContain(`href="${JOIN}"`);
      expect(markup).toContain("example.org");
      expect(markup).not.toMatch(/\{\w+\}/u);
    });
  }

  it("reads as the issue asks in English", () => {
    expect(invitePage(ctx(), toFamily, FORM)).toContain(
      "Already on example.org? Join Family and Chess club with your account:",
    );
  });

  it("names the group chats when the invite names no circle, on an account-and-contact invite too", () => {
    const rooms = { source: "admin@example.org/x", rooms: ["hall@conference.example.org"] };
    const view = inviteViewOf(
      stored({ type: "roster", jid: "alice@example.org", additional_data: rooms }),
      "example.org",
    );
    expect(invitePage(ctx(), view, FORM)).toContain("Join hall@conference.example.org with your account:");
  });

  it("is not there without circles or rooms, for a bound invite, or without the bot's address", () => {
    const bound = inviteViewOf(
      stored({ jid: "carol@example.org", additional_data: { username: "carol" } }),
      "example.org",
      ["Family"],
    );
    for (const markup of [
      invitePage(ctx(), inviteViewOf(stored({}), "example.org"), FORM),
      invitePage(ctx(), bound, FORM),
      invitePage(ctx("en", null), toFamily, FORM),
    ]) {
      expect(markup).not.toContain("existing-account");
    }
  });
});
