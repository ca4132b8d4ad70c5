/**
 * The quick mask choice (src/web/qr-masks.ts) gives, module for module, the symbol uqr's own search of all eight
 * masks gives (ISO/IEC 18004 §7.8.3), over versions 1 to 10 and invite-like texts.
 */
import { encode } from "uqr";
import { describe, expect, it } from "vitest";
import { encodeWithBestMask, penalty } from "../../../src/web/qr-masks.js";

function uqrSymbol(text: string, maskPattern = -1) {
  const symbol = encode(text, { ecc: "M", border: 0, maskPattern });
  return { mask: symbol.maskPattern, dark: Uint8Array.from(symbol.data.flat(), (dark) => (dark ? 1 : 0)) };
}

const ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
/** A deterministic pseudo-random token, so that a failure can be run again. */
function token(seed: number, length: number): string {
  let state = seed * 2654435761;
  let out = "";
  for (let k = 0; k < length; k += 1) {
    state = (state * 1103515245 + 12345) >>> 0;
    out += ALPHABET[state % ALPHABET.length];
  }
  return out;
}

const TEXTS = [
  "a",
  ...Array.from({ length: 150 }, (_, seed) => `https://invite.example.org/invite/${token(seed, 24)}`),
  ...Array.from({ length: 150 }, (_, seed) => `xmpp:example.org?register;preauth=${token(seed + 1000, 24)};ibr=y`),
  // Longer texts for versions up to 10 (version information modules from 7 on).
  ...Array.from({ length: 60 }, (_, seed) => `https://chat.example.org/i/${token(seed + 5000, 10 + 4 * seed)}`),
];

describe("the quick QR mask choice", () => {
  it("chooses uqr's mask and draws the same modules, for every text", () => {
    const versions = new Set<number>();
    for (const text of TEXTS) {
      const ours = encodeWithBestMask(text);
      const theirs = uqrSymbol(text);
      versions.add((ours.size - 17) / 4);
      expect({ text, mask: ours.mask }).toEqual({ text, mask: theirs.mask });
      expect(Buffer.from(ours.dark).equals(Buffer.from(theirs.dark)), text).toBe(true);
    }
    expect(Math.min(...versions)).toBe(1);
    expect(Math.max(...versions)).toBeGreaterThanOrEqual(10);
  });

  it("scores each mask's symbol lowest where uqr chose it", () => {
    const text = "https://invite.example.org/invite/aaaaaaaaaaaaaaaaaaaaaaaa";
    const chosen = uqrSymbol(text).mask;
    const size = Math.sqrt(uqrSymbol(text).dark.length);
    const scores = [0, 1, 2, 3, 4, 5, 6, 7].map((mask) => penalty(uqrSymbol(text, mask).dark, size));
    expect(scores.indexOf(Math.min(...scores))).toBe(chosen);
  });
});
