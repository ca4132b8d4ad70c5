import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load.js";
import { MINIMAL_ENV as minimal, problemsOf } from "../../helpers/config-env.js";

describe("INVITE_ROLE_POLICY", () => {
  it("refuses guests invites by default, and nobody else", () => {
    expect([...loadConfig(minimal).rolePolicies]).toEqual([["prosody:guest", { invites: false }]]);
  });

  it("reads none, default and limits per role; guests stay refused unless named", () => {
    const { rolePolicies } = loadConfig({
      ...minimal,
      INVITE_ROLE_POLICY: " prosody:member = quota:50, pending:20, age:0, uses:5 ; custom:helpers=none; ",
    });
    expect(Object.fromEntries(rolePolicies)).toEqual({
      "prosody:guest": { invites: false },
      "prosody:member": {
        invites: true,
        limits: { quota: 50, maxPending: 20, minAccountAgeSeconds: 0, userMaxUses: 5 },
      },
      "custom:helpers": { invites: false },
    });
    const guests = loadConfig({ ...minimal, INVITE_ROLE_POLICY: "prosody:guest=default" }).rolePolicies;
    expect(guests.get("prosody:guest")).toEqual({ invites: true, limits: {} });
  });

  it("names every entry it cannot read, with what it takes", () => {
    expect(
      problemsOf({
        INVITE_ROLE_POLICY: "prosody:member; prosody:registered=quota:0; x=speed:3; y=tree:many",
      }),
    ).toEqual([
      'INVITE_ROLE_POLICY: "prosody:member" is not ROLE=none, ROLE=default or ROLE=key:value,…',
      'INVITE_ROLE_POLICY: prosody:registered\'s quota must be from 1 to 100000, got "0"',
      'INVITE_ROLE_POLICY: x has "speed:3"; each limit is one of quota, period, pending, ttl, uses, age, tree, pace, as key:number',
      'INVITE_ROLE_POLICY: y\'s tree must be from 1 to 1000000, got "many"',
    ]);
  });
});
