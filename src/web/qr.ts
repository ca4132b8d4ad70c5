/**
 * QR codes drawn on the server as inline SVG (no script, no request to another host): one path, a rectangle per
 * run of dark modules in a row, on a white background with the quiet zone of ISO/IEC 18004 §7.3.8 (4 modules).
 */
import { html, type SafeHtml, trusted } from "./html.js";
import { encodeWithBestMask } from "./qr-masks.js";

const QUIET_ZONE = 4;
/**
 * Drawing a code takes a few tenths of a millisecond (the eight masks of ISO/IEC 18004 §7.8.3 are tried:
 * qr-masks.ts), as much as the rest of a page: the codes of the invites opened lately are kept. About 4 KB each.
 */
const CACHE_SIZE = 100;
const cache = new Map<string, Drawn>();

interface Drawn {
  /** The dark modules as one SVG path. */
  readonly path: string;
  /** Modules per side, quiet zone included. */
  readonly side: number;
}

/** `text`'s code, from the cache when it was drawn lately (a Map keeps insertion order: the oldest goes first). */
function drawnCode(text: string): Drawn {
  const cached = cache.get(text);
  if (cached !== undefined) {
    cache.delete(text);
    cache.set(text, cached);
    return cached;
  }
  const drawn = draw(text);
  cache.set(text, drawn);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  return drawn;
}

function draw(text: string): Drawn {
  // Error correction M (15 %): still reads when a phone camera sees the screen at an angle.
  const { size, dark } = encodeWithBestMask(text);
  // Each horizontal run of dark modules as one rectangle: a third of the path of one square per module.
  const runs: string[] = [];
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      if (dark[y * size + x] !== 1) continue;
      const start = x;
      while (x + 1 < size && dark[y * size + x + 1] === 1) x += 1;
      const width = x - start + 1;
      runs.push(`M${start + QUIET_ZONE} ${y + QUIET_ZONE}h${width}v1h-${width}z`);
    }
  }
  return { path: runs.join(""), side: size + 2 * QUIET_ZONE };
}

/** An SVG QR code of `text`, labelled for screen readers; `text` is encoded byte for byte (`;` and all). */
export function qrSvg(text: string, label: string): SafeHtml {
  const { path, side } = drawnCode(text);
  return html`<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${side} ${side}" role="img" aria-label="${label}" shape-rendering="crispEdges"><rect width="${side}" height="${side}" fill="#fff"/><path fill="#000" d="${trusted(path)}"/></svg>`;
}
