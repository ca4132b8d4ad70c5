/**
 * Every page in every language: rendering throws on a message key a catalog lacks, so this also checks that the
 * pages use no key the catalogs do not have. And nothing from an invite or the visitor ends up as markup.
 */
import { describe, expect, it } from "vitest";
import type { UsableInvite } from "../../../src/invites/invite-links.js";
import { tokenHash } from "../../../src/invites/token.js";
import { type InviteView, inviteViewOf } from "../../../src/web/invite-view.js";
import { pageContext } from "../../../src/web/page-context.js";
import { invitePage, registerPage } from "../../../src/web/pages/invite-page.js";
import { type Message, messagePage } from "../../../src/web/pages/message-page.js";
import { successPage } from "../../../src/web/pages/success-page.js";
import { loadWebData } from "../../../src/web/web-data.js";
import { HOSTILE_TEXTS } from "../../fixtures/hostile-web-inputs.js";
import { exampleSite } from "../../helpers/web-fakes.js";

const data = loadWebData();
const site = exampleSite(data.apps);
const TOKEN = "AAAAAAAAAAAAAAAAAAAAAAAA";

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

const views: Record<string, InviteView | undefined> = {
  account: inviteViewOf(stored({}), "example.org"),
  bound: inviteViewOf(stored({ jid: "carol@example.org", additional_data: { username: "Carol" } }), "example.org"),
  accountContact: inviteViewOf(stored({ type: "roster", jid: "alice@example.org" }), "example.org"),
  contact: inviteViewOf(stored({ type: "roster", jid: "alice@example.org", allow_registration: false }), "example.org"),
  reset: inviteViewOf(stored({ jid: "bob@example.org", additional_data: { allow_reset: "bob" } }), "example.org"),
};

describe("inviteViewOf", () => {
  it("tells the four kinds apart and rebuilds their URIs as the bot made them", () => {
    expect(views.account).toMatchObject({ kind: "account", inviter: "admin@example.org", username: undefined });
    expect(views.account?.uri).toBe(`xmpp:example.org?register;preauth=${TOKEN}`);
    expect(views.bound).toMatchObject({ kind: "account", username: "Carol" });
    expect(views.bound?.uri).toBe(`xmpp:Carol@example.org?register;preauth=${TOKEN}`);
    expect(views.accountContact).toMatchObject({ kind: "account-contact", inviter: "alice@example.org" });
    expect(views.accountContact?.uri).toBe(`xmpp:alice@example.org?roster;preauth=${TOKEN};ibr=y`);
    expect(views.contact?.uri).toBe(`xmpp:alice@example.org?roster;preauth=${TOKEN}`);
    expect(views.reset).toMatchObject({ kind: "reset", username: "bob" });
  });
});

describe("every page", () => {
  const messages: Message[] = [
    { kind: "home" },
    { kind: "invalid" },
    { kind: "not-found" },
    { kind: "too-many", retryAfterSeconds: 90 },
    { kind: "unavailable" },
    { kind: "error", status: 415 },
  ];

  for (const lang of Object.keys(data.catalogs)) {
    it(`renders in ${lang}, from that catalog only`, () => {
      const ctx = pageContext(site, data.catalogs[lang] ?? {}, lang, "android", "/x");
      const pages: string[] = messages.map((message) => messagePage(ctx, message));
      const errors = { username: "u", password: "p", form: "f" };
      for (const view of Object.values(views)) {
        if (view === undefined) throw new Error("a view is missing");
        const form = { username: "x", errors: {}, csrf: "c" };
        pages.push(invitePage(ctx, view, form), registerPage(ctx, view, { ...form, errors }));
        pages.push(
          successPage(ctx, view, "x@example.org", "Gajim"),
          successPage(ctx, view, "x@example.org", undefined),
          successPage(ctx, { ...view, held: true }, "x@example.org", "Gajim"),
        );
      }
      for (const markup of pages) {
        expect(markup).toContain(`<html lang="${lang}">`);
        expect(markup).not.toMatch(/\{\w+\}/u);
      }
    });
  }

  it("says how long to wait in the plural form of the page's language", () => {
    const wait = (lang: string, retryAfterSeconds: number) =>
      messagePage(pageContext(site, data.catalogs[lang] ?? {}, lang, undefined, "/x"), {
        kind: "too-many",
        retryAfterSeconds,
      });
    expect(wait("en", 30)).toContain("Please wait 1 minute, then try again.");
    expect(wait("en", 90)).toContain("Please wait 2 minutes, then try again.");
    expect(wait("pl", 240)).toContain("Odczekaj 4 minuty i spróbuj ponownie.");
    expect(wait("uk", 300)).toContain("Зачекайте 5 хвилин і спробуйте ще раз.");
  });

  it("tells a contact-only invite's visitor when the server does not pre-approve their request", () => {
    const ctx = (preApproves: boolean) =>
      pageContext({ ...site, preApproves: () => preApproves }, data.catalogs.en ?? {}, "en", undefined, "/x");
    const view = views.contact;
    if (view === undefined) throw new Error("no view");
    const form = { username: "", errors: {}, csrf: "" };
    expect(invitePage(ctx(true), view, form)).not.toContain("no-preapproval");
    expect(invitePage(ctx(false), view, form)).toContain(
      "your request reaches alice@example.org as an ordinary contact request, which they accept.",
    );
  });

  it("escapes hostile text wherever it comes from", () => {
    const ctx = pageContext({ ...site, name: HOSTILE_TEXTS[0] ?? "" }, data.catalogs.en ?? {}, "en", undefined, "/x");
    for (const text of HOSTILE_TEXTS) {
      const hostile = inviteViewOf(stored({ type: "roster", jid: `${text}@example.org` }), "example.org");
      const markup = [
        invitePage(ctx, { ...hostile, inviter: text }, { username: text, errors: { form: text }, csrf: text }),
        registerPage(ctx, hostile, { username: text, errors: { username: text }, csrf: text, app: text }),
        successPage(ctx, { ...hostile, inviter: text }, text, text),
      ].join("");
      expect(markup).not.toContain("<script>");
      expect(markup).not.toContain("<img src=x");
      expect(markup).not.toContain("</textarea>");
    }
  });

  it("names an invite's circles and group chats, joined as each language joins a list, and escapes them", () => {
    const toCircles = inviteViewOf(
      stored({ additional_data: { source: "admin@example.org/x", rooms: ["hall@conference.example.org"] } }),
      "example.org",
      ["Family", "Chess club", HOSTILE_TEXTS[0] ?? ""],
    );
    const form = { username: "", errors: {}, csrf: "" };
    const en = pageContext(site, data.catalogs.en ?? {}, "en", undefined, "/x");
    const de = pageContext(site, data.catalogs.de ?? {}, "de", undefined, "/x");
    const two = { ...toCircles, circles: ["Family", "Chess club"] };
    expect(invitePage(en, two, form)).toContain(
      "admin@example.org invites you to Family and Chess club on Example Chat.",
    );
    expect(invitePage(de, two, form)).toContain(
      "admin@example.org lädt dich zu Family und Chess club auf Example Chat ein.",
    );
    expect(invitePage(en, two, form)).toContain('<p class="rooms">Group chats: hall@conference.example.org.</p>');
    expect(successPage(en, two, "zoe@example.org", undefined)).toContain(
      '<p class="circles">Your invite was to Family and Chess club.</p>',
    );
    for (const markup of [invitePage(en, toCircles, form), successPage(en, toCircles, "zoe@example.org", undefined)]) {
      expect(markup).not.toContain("<script>");
      expect(markup).not.toContain("<img src=x");
    }
    expect(invitePage(en, views.account as InviteView, form)).not.toContain('class="rooms"');
  });
});

describe("the success page of an account that waits for approval (APPROVE_USER_INVITED)", () => {
  it("says an administrator will look at it, instead of how to log in and whose contact it is", () => {
    const en = pageContext(site, data.catalogs.en ?? {}, "en", undefined, "/x");
    const view = { ...(views.accountContact as InviteView), held: true };
    const page = successPage(en, view, "newbie@example.org", "Gajim");
    expect(page).toContain("Welcome, newbie@example.org!");
    expect(page).toContain("An administrator will look at your new account before you can use it.");
    expect(page).not.toContain("Log in to Gajim");
    expect(page).not.toContain("is already in your contacts");
    expect(successPage(en, views.accountContact as InviteView, "newbie@example.org", "Gajim")).not.toContain(
      "An administrator will look",
    );
  });
});
