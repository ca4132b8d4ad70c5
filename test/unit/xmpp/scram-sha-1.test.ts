import { describe, expect, it } from "vitest";
import { SCRAM_SHA_1, ScramSha1, saslName, useNativeScramSha1 } from "../../../src/xmpp/scram-sha-1.js";

// RFC 5802 §5: the example exchange (user "user", password "pencil", 4096 iterations).
const CLIENT_NONCE = "fyko+d2lbbFgONRv9qkxdawL";
const SERVER_FIRST = "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096";
const CLIENT_FINAL = "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=";
const SERVER_FINAL = "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=";
const CREDENTIALS = { username: "user", password: "pencil" };

async function exchanged(serverFirst = SERVER_FIRST): Promise<{ mechanism: ScramSha1; final: string }> {
  const mechanism = new ScramSha1(CLIENT_NONCE);
  expect(await mechanism.response(CREDENTIALS)).toBe(`n,,n=user,r=${CLIENT_NONCE}`);
  mechanism.challenge(serverFirst);
  return { mechanism, final: await mechanism.response(CREDENTIALS) };
}

describe("SCRAM-SHA-1 with native PBKDF2", () => {
  it("answers RFC 5802's example exchange exactly, and accepts the server's signature", async () => {
    const { mechanism, final } = await exchanged();
    expect(final).toBe(CLIENT_FINAL);
    expect(() => mechanism.final(SERVER_FINAL)).not.toThrow();
  });

  it("refuses a server signature that does not match, and a server error", async () => {
    const { mechanism } = await exchanged();
    expect(() => mechanism.final("v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=")).toThrow(/signature does not match/u);
    expect(() => mechanism.final("e=invalid-proof")).toThrow(/invalid-proof/u);
  });

  it("refuses a server nonce that does not extend the client's, and a missing iteration count", async () => {
    await expect(exchanged("r=someoneelse,s=QSXCR+Q6sek8bf92,i=4096")).rejects.toThrow(/nonce/u);
    await expect(exchanged(`r=${CLIENT_NONCE},s=QSXCR+Q6sek8bf92,i=4096`)).rejects.toThrow(/nonce/u);
    await expect(exchanged(`r=${CLIENT_NONCE}x,s=QSXCR+Q6sek8bf92`)).rejects.toThrow(/iteration/u);
  });

  it("escapes ',' and '=' in the username and authzid (RFC 5802 §5.1 saslname)", async () => {
    expect(saslName("a=b,c")).toBe("a=3Db=2Cc");
    const mechanism = new ScramSha1("nonce");
    expect(await mechanism.response({ username: "a,b", authzid: "x=y" })).toBe("n,a=x=3Dy,n=a=2Cb,r=nonce");
  });

  it("gives a fresh random client nonce per exchange", async () => {
    const first = await new ScramSha1().response(CREDENTIALS);
    const second = await new ScramSha1().response(CREDENTIALS);
    expect(first).not.toBe(second);
    expect(first).toMatch(/^n,,n=user,r=[\w+/]{24}$/u);
  });

  it("takes SCRAM-SHA-1 over in an xmpp.js SASL factory and leaves other mechanisms to it", () => {
    const asked: string[][] = [];
    const factory = {
      create: (names: string[]) => {
        asked.push(names);
        return `library ${names.join()}`;
      },
    };
    useNativeScramSha1(factory);
    expect(factory.create([SCRAM_SHA_1])).toBeInstanceOf(ScramSha1);
    expect(factory.create(["PLAIN"])).toBe("library PLAIN");
    expect(asked).toEqual([["PLAIN"]]);
  });
});
