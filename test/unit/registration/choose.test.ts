import { type Element, xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { ADD_USER, GET_USER_LASTLOGIN, type IqRequest } from "../../../src/registration/admin-commands.js";
import {
  ChosenRegistrar,
  decideRegistration,
  OTHER_HOST_PROBE,
  REGISTRATION_HOOK_FEATURE,
} from "../../../src/registration/choose.js";
import type { RegistrationRequest } from "../../../src/registration/registrar.js";
import { NS } from "../../../src/xmpp/namespaces.js";
import { FakeRegistrar } from "../../helpers/web-fakes.js";

interface ServerShape {
  /** Announces our Prosody module's feature at the domain. */
  readonly hook?: boolean;
  /** The admin commands its disco#items offer the bot. */
  readonly commands?: readonly string[];
  /** Answers get-user-lastlogin about an account of another host (the bot is a global admin). */
  readonly global?: boolean;
}

/** A server at example.org as the bot's IQs meet it; `sent` is what the bot asked, in order. */
function server({ hook = false, commands = [], global = false }: ServerShape): { request: IqRequest; sent: string[] } {
  const sent: string[] = [];
  const result = (...children: Element[]) => xml("iq", { type: "result" }, ...children);
  const request: IqRequest = async (iq) => {
    const info = iq.getChild("query", NS.discoInfo);
    const items = iq.getChild("query", NS.discoItems);
    const command = iq.getChild("command", NS.commands);
    if (info !== undefined) {
      sent.push("disco#info");
      const features = hook ? [NS.discoInfo, REGISTRATION_HOOK_FEATURE] : [NS.discoInfo];
      return result(xml("query", { xmlns: NS.discoInfo }, ...features.map((f) => xml("feature", { var: f }))));
    }
    if (items !== undefined) {
      sent.push("disco#items");
      return result(xml("query", { xmlns: NS.discoItems }, ...commands.map((node) => xml("item", { node }))));
    }
    sent.push(`${command?.attrs.node} ${command?.attrs.action}`);
    if (command?.attrs.node !== GET_USER_LASTLOGIN || !global) {
      return xml("iq", { type: "error" }, xml("error", { type: "auth" }, xml("forbidden", { xmlns: NS.stanzas })));
    }
    const fields = command.getChild("x", NS.dataForms)?.getChildren("field") ?? [];
    const asked = fields.find((f: Element) => f.attrs.var === "accountjid")?.getChildText("value");
    expect(asked ?? OTHER_HOST_PROBE).toBe(OTHER_HOST_PROBE);
    return result(xml("command", { xmlns: NS.commands, node: GET_USER_LASTLOGIN, status: "completed" }));
  };
  return { request, sent };
}

describe("decideRegistration", () => {
  it("REGISTRATION=server: the server, without asking it anything", async () => {
    const { request, sent } = server({});
    expect(await decideRegistration("server", request, "example.org")).toEqual({ way: "server" });
    expect(sent).toEqual([]);
  });

  it("auto: the server when it announces our module, even where the bot is an admin too", async () => {
    const { request, sent } = server({ hook: true, commands: [ADD_USER] });
    expect(await decideRegistration("auto", request, "example.org")).toEqual({ way: "server" });
    expect(sent).toEqual(["disco#info"]);
  });

  it("auto and bot: the bot when the server offers it add-user on this host only", async () => {
    for (const mode of ["auto", "bot"] as const) {
      const { request, sent } = server({ commands: [GET_USER_LASTLOGIN, ADD_USER] });
      expect(await decideRegistration(mode, request, "example.org")).toEqual({ way: "bot" });
      expect(sent).toEqual([
        ...(mode === "auto" ? ["disco#info"] : []),
        "disco#items",
        `${GET_USER_LASTLOGIN} execute`,
      ]);
    }
  });

  it("REGISTRATION=bot does not look for the module: add-user is all it takes", async () => {
    const { request } = server({ hook: true, commands: [] });
    const decision = await decideRegistration("bot", request, "example.org");
    expect(decision.way).toBeUndefined();
    expect(decision).toMatchObject({ problem: expect.stringMatching(/^REGISTRATION=bot, but example\.org does not/u) });
    expect(decision).toMatchObject({ problem: expect.stringContaining(ADD_USER) });
  });

  it("refuses a bot that is an admin of every host: its commands could make accounts elsewhere", async () => {
    const { request } = server({ commands: [ADD_USER], global: true });
    const decision = await decideRegistration("auto", request, "example.org");
    expect(decision.way).toBeUndefined();
    expect(decision).toMatchObject({
      problem: expect.stringMatching(/administrator of every host of this server, not only of example\.org/u),
    });
  });

  it("auto with neither: says both what is missing and how to fix it", async () => {
    const { request } = server({});
    const decision = await decideRegistration("auto", request, "example.org");
    expect(decision.way).toBeUndefined();
    const problem = "problem" in decision ? decision.problem : "";
    expect(problem).toMatch(/^example\.org cannot turn invites into accounts/u);
    expect(problem).toContain(REGISTRATION_HOOK_FEATURE);
    expect(problem).toContain(ADD_USER);
  });
});

describe("ChosenRegistrar", () => {
  const request: RegistrationRequest = { token: "t", username: "bob", password: "pw" };

  it("answers unavailable until a way is chosen, then hands every request to the chosen registrar", async () => {
    const chosen = new ChosenRegistrar();
    expect(chosen.way).toBeUndefined();
    expect(await chosen.register(request)).toEqual({ ok: false, reason: "unavailable" });
    expect(await chosen.resetPassword(request)).toEqual({ ok: false, reason: "unavailable" });
    chosen.stop();
    const registrar = new FakeRegistrar();
    registrar.next = { ok: false, reason: "username-taken" };
    chosen.choose(registrar, "bot");
    expect(chosen.way).toBe("bot");
    expect(await chosen.register(request)).toEqual({ ok: false, reason: "username-taken" });
    await chosen.resetPassword(request);
    expect(registrar.calls.map((c) => c.kind)).toEqual(["register", "reset"]);
  });

  it("stops what the chosen registrar runs in the background", () => {
    const chosen = new ChosenRegistrar();
    let stopped = 0;
    const registrar = Object.assign(new FakeRegistrar(), {
      stop: () => {
        stopped += 1;
      },
    });
    chosen.choose(registrar, "server");
    chosen.stop();
    expect(stopped).toBe(1);
  });
});
