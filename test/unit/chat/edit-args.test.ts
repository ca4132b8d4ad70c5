import { describe, expect, it } from "vitest";
import { EDIT_SYNTAX, parseEditArgs } from "../../../src/chat/edit-args.js";

describe("parseEditArgs", () => {
  it("reads an id with a lifetime, a number of uses, or both in either order", () => {
    expect(parseEditArgs("Ab12_-xY expires 1w")).toEqual({ args: { id: "Ab12_-xY", lifetimeSeconds: 604_800 } });
    expect(parseEditArgs("Ab12_-xY uses 5")).toEqual({ args: { id: "Ab12_-xY", maxUses: 5 } });
    expect(parseEditArgs("  Ab12_-xY   USES 5 Expires 1H ")).toEqual({
      args: { id: "Ab12_-xY", lifetimeSeconds: 3_600, maxUses: 5 },
    });
  });

  it("says what to write for anything else", () => {
    expect(EDIT_SYNTAX).toBe("invite edit ID [expires 1h|1d|1w|4w] [uses N]");
    expect(parseEditArgs("")).toEqual({ error: `Say "${EDIT_SYNTAX}" with an id from "invites".` });
    expect(parseEditArgs("not-an-id expires 1w")).toEqual({ error: `Say "${EDIT_SYNTAX}" with an id from "invites".` });
    expect(parseEditArgs("Ab12_-xY")).toEqual({ error: `Say "${EDIT_SYNTAX}".` });
    expect(parseEditArgs("Ab12_-xY expires 2w")).toEqual({
      error: `I did not understand "expires 2w". Say "${EDIT_SYNTAX}".`,
    });
    expect(parseEditArgs("Ab12_-xY uses five")).toMatchObject({ error: expect.stringContaining('"uses five"') });
    expect(parseEditArgs("Ab12_-xY uses 2 uses 3")).toMatchObject({ error: expect.stringContaining('"uses 3"') });
    expect(parseEditArgs("Ab12_-xY uses")).toMatchObject({ error: expect.stringContaining('"uses"') });
  });
});
