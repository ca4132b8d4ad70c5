/** keyv's envelope (src/storage/envelope.ts): the bytes of docs/storage.md, and anything else read as nothing. */
import { describe, expect, it } from "vitest";
import { decodeEnvelope, encodeEnvelope, envelopeValue } from "../../../src/storage/envelope.js";

describe("keyv's envelope", () => {
  it("is written as docs/storage.md shows it, value first", () => {
    expect(encodeEnvelope({ record: "{}", tag: "t" }, 1_700_000_000_000)).toBe(
      '{"value":{"record":"{}","tag":"t"},"expires":1700000000000}',
    );
  });

  it("reads back what it wrote", () => {
    const text = encodeEnvelope({ record: "{}", tag: "t" }, 5);
    expect(decodeEnvelope(text)).toEqual({ value: { record: "{}", tag: "t" }, expires: 5 });
    expect(envelopeValue(text)).toEqual({ record: "{}", tag: "t" });
  });

  it("reads no text, text that is not JSON, and JSON that is not an object as nothing", () => {
    for (const text of [null, undefined, "", "{", "null", "5", '"text"']) {
      expect(decodeEnvelope(text)).toBeUndefined();
      expect(envelopeValue(text)).toBeUndefined();
    }
  });

  it("reads an object without a value as an envelope without one (keyv then finds nothing)", () => {
    expect(decodeEnvelope('{"expires":1}')).toEqual({ value: undefined, expires: 1 });
    expect(envelopeValue("[1,2]")).toBeUndefined();
  });
});
