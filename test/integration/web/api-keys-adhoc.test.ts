/**
 * "Manage API keys" (xmpp-invite-bot#api-keys) against the private Prosody + Redis, with the real bot serving the
 * HTTP API (docs/api.md): an admin's client runs the command's stages over XMPP to make a key, the key lists invites
 * over HTTP, the command's list then shows it used, and once revoked through the command the key is refused. Only
 * admins see or run it. Nothing here is Prosody-side; it runs on whichever Prosody is on PATH (0.12 and 13).
 */
import { type Element, xml } from "@xmpp/xml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_KEYS_NODE } from "../../../src/commands/api-key-adhoc.js";
import { apiKeyHash } from "../../../src/invites/api-keys.js";
import { apiKeyKey } from "../../../src/storage/redis-api-keys.js";
import { discoItemsIq, errorOf, executeIq, NS_COMMANDS } from "../../helpers/adhoc-client.js";
import type { TestBot } from "../../helpers/bot.js";
import { formValues, submittedForm } from "../../helpers/command-world.js";
import { type Scenario, startScenario } from "../../helpers/scenario.js";
import { startWebBot } from "../../helpers/web-bot.js";
import type { TestUser } from "../../helpers/xmpp-user.js";

let world: Scenario;
let bot: TestBot;
let admin: TestUser;
let alice: TestUser;
let webUrl: string;

beforeAll(async () => {
  world = await startScenario({ inviteModule: true });
  ({ bot, webUrl } = await startWebBot((web) => world.startBot("bot", web), "server"));
  [admin, alice] = await world.loginAll(["admin@localhost", "alice@localhost"]);
});

afterAll(async () => {
  await world?.stop();
});

const listInvites = (key: string) => fetch(`${webUrl}/api/v1/invites`, { headers: { authorization: `Bearer ${key}` } });

/** The `<command/>` of an answer; throws, with the answer, on an error. */
function commandOf(iq: Element): Element {
  const command = iq.getChild("command", NS_COMMANDS);
  if (iq.attrs.type !== "result" || command === undefined) throw new Error(`not a command result: ${iq.toString()}`);
  return command;
}

/** Runs the command from its first stage, submitting `forms` one stage after another; the answer to each. */
async function stages(user: TestUser, ...forms: Record<string, string[]>[]): Promise<Element[]> {
  const answers = [commandOf(await user.requestRaw(executeIq(bot.jid, API_KEYS_NODE)))];
  for (const fields of forms) {
    const previous = answers.at(-1);
    const sessionid = previous?.attrs.sessionid ?? "";
    expect(previous?.attrs.status).toBe("executing");
    const action = previous?.getChild("actions")?.attrs.execute ?? "complete";
    const iq = xml(
      "iq",
      { type: "set", to: bot.jid },
      xml("command", { xmlns: NS_COMMANDS, node: API_KEYS_NODE, sessionid, action }, submittedForm(fields)),
    );
    answers.push(commandOf(await user.requestRaw(iq)));
  }
  return answers;
}

const fixedLines = (command: Element | undefined) =>
  (command?.getChild("x")?.getChildren("field") ?? [])
    .filter((field) => field.attrs.type === "fixed")
    .map((field) => field.getChildText("value") ?? "");

describe("Manage API keys over ad-hoc, with the running bot's HTTP API", () => {
  it("is listed for admins only, and refused to anyone else", async () => {
    const nodes = async (user: TestUser) =>
      ((await user.request(discoItemsIq(bot.jid, NS_COMMANDS))).getChild("query")?.getChildren("item") ?? []).map(
        (item) => `${item.attrs.node} (${item.attrs.name})`,
      );
    expect(await nodes(admin)).toContain(`${API_KEYS_NODE} (Manage API keys)`);
    expect((await nodes(alice)).some((node) => node.startsWith(API_KEYS_NODE))).toBe(false);
    expect(errorOf(await alice.requestRaw(executeIq(bot.jid, API_KEYS_NODE)))).toMatchObject({
      type: "auth",
      condition: "forbidden",
    });
  });

  it("makes a key that works on the API, lists it as used, and revokes it so that it no longer works", async () => {
    const [, asked, made] = await stages(admin, { action: ["create"] }, { name: ["ci-adhoc"], scope: ["manage"] });
    expect(asked?.getChild("x")?.getChildText("title")).toBe("Create an API key");
    expect(made?.attrs.status).toBe("completed");
    expect(made?.getChildText("note")).toMatch(/^Keep it: it is not shown again\./u);
    const key = formValues(made?.getChild("x")).key?.[0] ?? "";
    expect(key).toMatch(/^xib_[\w-]{43}$/u);

    // Redis holds the key's hash and record, never the key.
    const record = await world.redis.hGetAll(apiKeyKey("localhost", apiKeyHash(key)));
    expect(record).toMatchObject({ name: "ci-adhoc", scope: "manage", createdBy: "admin@localhost" });
    expect(JSON.stringify(record)).not.toContain(key);

    expect((await listInvites(key)).status).toBe(200);

    const [list, pick, done] = await stages(admin, { action: ["revoke"] }, { name: ["ci-adhoc"] });
    const line = fixedLines(list).find((text) => text.includes("ci-adhoc"));
    expect(line).toMatch(/^• ci-adhoc \(manage\) — made \S+Z by admin@localhost, last used \S+Z$/u);
    expect(list?.toString()).not.toContain("xib_");
    const options = pick?.getChild("x")?.getChild("field")?.getChildren("option") ?? [];
    expect(options.map((option) => option.getChildText("value"))).toContain("ci-adhoc");
    expect(done?.attrs.status).toBe("completed");
    expect(done?.getChildText("note")).toBe('Revoked API key "ci-adhoc": it no longer works.');

    expect((await listInvites(key)).status).toBe(401);
    expect(await world.redis.exists(apiKeyKey("localhost", apiKeyHash(key)))).toBe(0);
    const logged = bot.logs.join("");
    expect(logged).toMatch(/API key made .*name=ci-adhoc/u);
    expect(logged).not.toContain(key.slice(4));
  });

  it("asks again, in the catalogue's words, for a name already taken", async () => {
    await stages(admin, { action: ["create"] }, { name: ["ci-taken"], scope: ["create"] });
    const [, , again] = await stages(admin, { action: ["create"] }, { name: ["ci-taken"], scope: ["manage"] });
    expect(again?.attrs.status).toBe("executing");
    expect(again?.getChildText("note")).toBe(
      "There is an API key of that name already: revoke it first, or choose another name",
    );
  });
});
