/**
 * The mask choice of ISO/IEC 18004:2015 §7.8, done quickly. uqr draws a symbol for each of the eight masks and
 * scores each with arrays of booleans: about 0.8 ms a code, most of a fresh invite page's time and much of its
 * garbage. Here uqr draws the symbol once (mask 0), and the other seven are derived from it: a mask only flips data
 * modules (§7.8.2, Table 10) and rewrites the format information (§7.9); each is scored on a flat byte array, and
 * the best is returned. The result is module for module what uqr's own search returns (test/unit/web/qr-masks.test.ts).
 */
import { encode } from "uqr";

export interface QrSymbol {
  /** Modules per side, without a quiet zone. */
  readonly size: number;
  /** Row by row, 1 for a dark module. */
  readonly dark: Uint8Array;
  /** The mask chosen (0–7). */
  readonly mask: number;
}

/** §7.8.2 Table 10: whether mask `mask` flips the module in row `i`, column `j`. */
const MASKS: readonly ((i: number, j: number) => boolean)[] = [
  (i, j) => (i + j) % 2 === 0,
  (i) => i % 2 === 0,
  (_, j) => j % 3 === 0,
  (i, j) => (i + j) % 3 === 0,
  (i, j) => (Math.floor(i / 2) + Math.floor(j / 3)) % 2 === 0,
  (i, j) => ((i * j) % 2) + ((i * j) % 3) === 0,
  (i, j) => (((i * j) % 2) + ((i * j) % 3)) % 2 === 0,
  (i, j) => (((i + j) % 2) + ((i * j) % 3)) % 2 === 0,
];

/** §7.9.1: error correction level M is 00; the 15 bits are BCH(15,5) (generator 0x537), XORed with 0x5412. */
const LEVEL_M = 0b00;
function formatBits(mask: number): number {
  const data = (LEVEL_M << 3) | mask;
  let remainder = data;
  for (let bit = 0; bit < 10; bit += 1) remainder = (remainder << 1) ^ ((remainder >>> 9) * 0x537);
  return ((data << 10) | (remainder & 0x3ff)) ^ 0x5412;
}

/** §7.9.1 Figure 25: where each of the 15 format bits sits, both copies, as row-major indexes. */
function formatPlaces(size: number): number[][] {
  const at = (row: number, column: number) => row * size + column;
  const places: number[][] = [];
  for (let bit = 0; bit < 15; bit += 1) {
    const first = bit < 6 ? at(bit, 8) : bit < 8 ? at(bit + 1, 8) : bit === 8 ? at(8, 7) : at(8, 14 - bit);
    const second = bit < 8 ? at(8, size - 1 - bit) : at(size - 15 + bit, 8);
    places.push([first, second]);
  }
  return places;
}

/** What depends on the size alone (one of 40 versions), worked out once: format places and each mask's flips. */
interface Layout {
  readonly formatPlaces: number[][];
  /** Per mask, 1 where it flips a module (data modules only are flipped). */
  readonly flips: Uint8Array[];
}
const layouts = new Map<number, Layout>();

function layoutOf(size: number): Layout {
  let layout = layouts.get(size);
  if (layout === undefined) {
    const flips = MASKS.map((flipsAt) => {
      const pattern = new Uint8Array(size * size);
      for (let row = 0; row < size; row += 1) {
        for (let column = 0; column < size; column += 1) pattern[row * size + column] = flipsAt(row, column) ? 1 : 0;
      }
      return pattern;
    });
    layout = { formatPlaces: formatPlaces(size), flips };
    layouts.set(size, layout);
  }
  return layout;
}

// §7.8.3.1 Table 11: the penalty weights.
const N1 = 3;
const N2 = 3;
const N3 = 40;
const N4 = 10;

/**
 * One row or column's penalty for runs (N1) and finder-like patterns (N3): a dark-light-dark-dark-dark-light-dark
 * run of widths 1:1:3:1:1, with light 4 wide on one side; outside the symbol counts as light (the quiet zone).
 * The line is the modules `first`, `first + step`, …; `runs` is scratch space of at least size + 2.
 */
function linePenalty(dark: Uint8Array, first: number, step: number, size: number, runs: Int32Array): number {
  // Alternating run lengths, light first; the outer light runs include the quiet zone (`size` more).
  let count = 0;
  let color = 0;
  let length = size;
  for (let k = 0, at = first; k < size; k += 1, at += step) {
    if (dark[at] === color) {
      length += 1;
    } else {
      runs[count++] = length;
      color ^= 1;
      length = 1;
    }
  }
  if (color === 1) {
    runs[count++] = length;
    length = 0;
  }
  runs[count++] = length + size;
  let penalty = 0;
  for (let at = 0; at < count; at += 1) {
    const run = (runs[at] as number) - (at === 0 || at === count - 1 ? size : 0);
    if (run >= 5) penalty += N1 + run - 5;
  }
  for (let end = 6; end < count; end += 2) {
    const n = runs[end - 5] as number;
    if (runs[end - 4] !== n || runs[end - 3] !== 3 * n || runs[end - 2] !== n || runs[end - 1] !== n) continue;
    const before = runs[end - 6] as number;
    const after = runs[end] as number;
    if (before >= 4 * n && after >= n) penalty += N3;
    if (after >= 4 * n && before >= n) penalty += N3;
  }
  return penalty;
}

/** §7.8.3.1: the penalty of a symbol (row-major, 1 for dark); `runs`: scratch space, shared by the eight masks. */
export function penalty(dark: Uint8Array, size: number, runs = new Int32Array(size + 2)): number {
  let total = 0;
  for (let line = 0; line < size; line += 1) {
    total += linePenalty(dark, line * size, 1, size, runs) + linePenalty(dark, line, size, size, runs);
  }
  let darkCount = 0;
  for (let at = 0; at < size * size; at += 1) darkCount += dark[at] as number;
  for (let row = 0; row + 1 < size; row += 1) {
    for (let at = row * size, last = at + size - 1; at < last; at += 1) {
      const here = dark[at];
      if (here === dark[at + 1] && here === dark[at + size] && here === dark[at + size + 1]) total += N2;
    }
  }
  // N4: 10 points for each 5 % the dark share is away from 50 %.
  const cells = size * size;
  total += (Math.ceil(Math.abs(darkCount * 20 - cells * 10) / cells) - 1) * N4;
  return total;
}

/** `text`'s QR symbol at error correction level M, with the mask of least penalty. */
export function encodeWithBestMask(text: string): QrSymbol {
  const base = encode(text, { ecc: "M", border: 0, maskPattern: 0 });
  const size = base.size;
  const { formatPlaces: places, flips } = layoutOf(size);
  const unmasked = new Uint8Array(size * size);
  const dataAt: number[] = [];
  const maskZero = flips[0] as Uint8Array;
  for (let row = 0; row < size; row += 1) {
    const modules = base.data[row] as boolean[];
    const types = base.types[row] as number[];
    for (let column = 0; column < size; column += 1) {
      const at = row * size + column;
      // Data modules (type 0) lose mask 0 again; function modules stay as drawn.
      if (types[column] === 0) {
        dataAt.push(at);
        unmasked[at] = (modules[column] ? 1 : 0) ^ (maskZero[at] as number);
      } else {
        unmasked[at] = modules[column] ? 1 : 0;
      }
    }
  }
  const runs = new Int32Array(size + 2);
  let best: QrSymbol | undefined;
  let bestPenalty = Number.POSITIVE_INFINITY;
  for (let mask = 0; mask < flips.length; mask += 1) {
    const pattern = flips[mask] as Uint8Array;
    const dark = unmasked.slice();
    for (const at of dataAt) dark[at] = (dark[at] as number) ^ (pattern[at] as number);
    const bits = formatBits(mask);
    for (let bit = 0; bit < 15; bit += 1) {
      for (const at of places[bit] as number[]) dark[at] = (bits >>> bit) & 1;
    }
    const score = penalty(dark, size, runs);
    if (score < bestPenalty) {
      bestPenalty = score;
      best = { size, dark, mask };
    }
  }
  return best as QrSymbol;
}
