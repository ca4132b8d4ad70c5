import type { Element } from "@xmpp/xml";
import { xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { serverUserRoles, USER_ROLE_FEATURE } from "../../../src/xmpp/user-roles.js";

/** An iqCaller that answers each request with the role of `roles`, or fails; it keeps what it was asked. */
function fakeServer(roles: Record<string, string | Error>) {
  const asked: Element[] = [];
  const iqCaller = {
    request: async (iq: Element) => {
      asked.push(iq);
      const jid = String(iq.getChild("role")?.attrs.jid);
      const role = roles[jid];
      if (role instanceof Error) throw role;
      return xml("iq", { type: "result" }, xml("role", { xmlns: USER_ROLE_FEATURE, jid, name: role }));
    },
  };
  return { xmpp: { iqCaller } as never, asked };
}

const announced = { has: (feature: string) => feature === USER_ROLE_FEATURE };

describe("users' roles asked of the server", () => {
  it("asks the domain once a minute per user, and keeps the answer meanwhile", async () => {
    const { xmpp, asked } = fakeServer({ "g@example.org": "prosody:guest" });
    let now = 0;
    const roles = serverUserRoles(xmpp, "example.org", announced, () => now);
    expect(await roles.roleOf("g@example.org")).toBe("prosody:guest");
    expect(await roles.roleOf("g@example.org")).toBe("prosody:guest");
    expect(asked).toHaveLength(1);
    expect(asked[0]?.attrs).toMatchObject({ type: "get", to: "example.org" });
    now = 60_001;
    await roles.roleOf("g@example.org");
    expect(asked).toHaveLength(2);
  });

  it("tells no role, and asks nothing, where the server does not announce the feature", async () => {
    const { xmpp, asked } = fakeServer({});
    const roles = serverUserRoles(xmpp, "example.org", { has: () => false });
    expect(await roles.roleOf("g@example.org")).toBeUndefined();
    expect(asked).toEqual([]);
  });

  it("fails, keeping nothing, when the server does not answer", async () => {
    const { xmpp, asked } = fakeServer({ "g@example.org": new Error("timeout") });
    const roles = serverUserRoles(xmpp, "example.org", announced);
    await expect(roles.roleOf("g@example.org")).rejects.toThrow("timeout");
    await expect(roles.roleOf("g@example.org")).rejects.toThrow("timeout");
    expect(asked).toHaveLength(2);
  });
});
