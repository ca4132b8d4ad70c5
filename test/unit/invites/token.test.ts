import { describe, expect, it, vi } from "vitest";
import { generateToken, TOKEN_BYTES, TOKEN_PATTERN } from "../../../src/invites/token.js";

describe("generateToken", () => {
  it("encodes 18 random bytes as 24 base64url characters, like Prosody's id.medium()", () => {
    const token = generateToken();
    expect(token).toMatch(TOKEN_PATTERN);
    expect(Buffer.from(token, "base64url")).toHaveLength(TOKEN_BYTES);
  });

  it("takes its bytes from the given random source", () => {
    const random = vi.fn((size: number) => Buffer.alloc(size, 0xff));
    expect(generateToken(random)).toBe("________________________");
    expect(random).toHaveBeenCalledWith(18);
  });

  it("uses node's CSPRNG by default and does not repeat", () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => generateToken()));
    expect(tokens.size).toBe(1000);
  });
});
