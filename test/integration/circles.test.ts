/**
 * Circles managed over XMPP against a real Prosody and a Redis as deployed (ACL users, default user off): chat
 * keywords, the ad-hoc list, and a circle forged in Redis that shows nowhere (docs/circles.md, docs/storage.md).
 */
import { xml } from "@xmpp/xml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CREATE_CIRCLE_NODE, LIST_CIRCLES_NODE } from "../../src/commands/circle-commands.js";
import { ACCOUNT_INVITE_NODE } from "../../src/commands/invite-commands.js";
import { circleKey, circleMembersKey, circlesKey } from "../../src/storage/keys.js";
import { errorOf, executeIq } from "../helpers/adhoc-client.js";
import type { TestBot } from "../helpers/bot.js";
import { storedRecord } from "../helpers/raw-records.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import type { TestUser } from "../helpers/xmpp-user.js";

let world: Scenario;
let bot: TestBot;
let admin: TestUser;
let alice: TestUser;

beforeAll(async () => {
  // A MUC service, where the bot creates the circle's group chat.
  world = await startScenario({ muc: true });
  bot = await world.startBot("bot");
  [admin, alice] = await world.loginAll(["admin@localhost", "alice@localhost"]);
});

afterAll(async () => {
  await world?.stop();
});

async function ask(user: TestUser, body: string): Promise<string> {
  return (await user.ask(bot.jid, body)).getChildText("body") ?? "";
}

/** The rows of the ad-hoc circle list for `user`, by column. */
async function listed(user: TestUser): Promise<Record<string, string>[]> {
  const reply = await user.requestRaw(executeIq(bot.jid, LIST_CIRCLES_NODE));
  const table = reply.getChild("command")?.getChild("x");
  return (table?.getChildren("item") ?? []).map((item) =>
    Object.fromEntries(item.getChildren("field").map((field) => [field.attrs.var, field.getChildText("value") ?? ""])),
  );
}

describe("circles over chat and ad-hoc, on Prosody and Redis", () => {
  it("lets an admin make a circle with members and a group chat, which its members see", async () => {
    const since = bot.events.mark();
    expect(await ask(admin, "circle create Family")).toMatch(/^Created the circle Family \(id [\w-]{12}\)\./u);
    expect(await ask(admin, "circle add alice@localhost to family")).toMatch(
      /^Added\. Family .* 1 member: alice@localhost/u,
    );
    expect(await ask(admin, "circle add-chat kitchen@conference.localhost to Family")).toBe(
      "Created the group chat kitchen@conference.localhost for Family; its 1 member is a member of it.",
    );
    expect(bot.events.all("circle-changed", { since }).map(({ change }) => change)).toEqual([
      "created",
      "member-added",
      "rooms-changed",
    ]);
    expect(await ask(alice, "circles")).toMatch(
      /^Your circles \(1\):\n• Family \(id [\w-]{12}\): 1 member: alice@localhost/u,
    );
    expect(await listed(alice)).toEqual([
      {
        name: "Family",
        id: expect.stringMatching(/^[\w-]{12}$/u),
        members: "1 member: alice@localhost",
        rooms: "group chats: kitchen@conference.localhost",
      },
    ]);
  });

  it("refuses a user who tries to manage one, over chat and over ad-hoc", async () => {
    expect(await ask(alice, "circle create Mine")).toBe("Sorry, only administrators can manage circles.");
    const reply = await alice.requestRaw(executeIq(bot.jid, CREATE_CIRCLE_NODE));
    expect(errorOf(reply)).toMatchObject({ type: "auth", condition: "forbidden" });
  });

  it("shows no circle and no membership that someone wrote into Redis by hand", async () => {
    const forged = "ForgedCircle";
    await world.redis.set(
      circleKey("localhost", forged),
      JSON.stringify({ circle: JSON.stringify({ id: forged, name: "Forged", rooms: [] }), tag: "A".repeat(43) }),
    );
    await world.redis.sAdd(circlesKey("localhost"), forged);
    const [family] = await listed(admin);
    await world.redis.hSet(circleMembersKey("localhost", family?.id ?? ""), "mallory@localhost", "A".repeat(43));
    const text = await ask(admin, "circles");
    expect(text).not.toContain("Forged");
    expect(text).not.toContain("mallory");
    expect(await ask(admin, "circle add mallory@localhost to Forged")).toBe(
      'Sorry, there is no circle called "Forged". Say "circles" to see them.',
    );
    expect(await world.redis.hExists(circleMembersKey("localhost", forged), "mallory@localhost")).toBeFalsy();
  });

  it("makes an account invite to the circle, its choice in the signed record as Prosody 13 names it", async () => {
    const [family] = await listed(admin);
    const text = await ask(admin, "invite account to family chat hall@conference.localhost");
    expect(text).toMatch(/\nWhoever registers with it joins Family, hall@conference\.localhost\.$/u);
    const token = /preauth=([\w-]{24})/u.exec(text)?.[1] ?? "";
    expect(await storedRecord(world.redis, token)).toMatchObject({
      type: "register",
      additional_data: { groups: [family?.id], rooms: ["hall@conference.localhost"] },
    });
    // The ad-hoc form offers the circles by name.
    const form = await admin.requestRaw(executeIq(bot.jid, ACCOUNT_INVITE_NODE));
    const field = form
      .getChild("command")
      ?.getChild("x")
      ?.getChildren("field")
      .find((each) => each.attrs.var === "circles");
    expect(field?.getChildren("option").map((option) => option.attrs.label)).toEqual(["Family"]);
  });

  it("deletes a circle with its memberships", async () => {
    const [family] = await listed(admin);
    expect(await ask(admin, "circle delete Family")).toBe(
      "Deleted the circle Family; its 1 members keep their accounts and contacts.",
    );
    expect(
      await world.redis.exists([
        circleKey("localhost", family?.id ?? ""),
        circleMembersKey("localhost", family?.id ?? ""),
      ]),
    ).toBe(0);
    expect(await ask(alice, "circles")).toBe("You are not a member of any circle.");
    // Nothing else about the bot changed: it still answers.
    await alice.request(xml("iq", { type: "get", to: bot.jid }, xml("ping", { xmlns: "urn:xmpp:ping" })));
  });
});
