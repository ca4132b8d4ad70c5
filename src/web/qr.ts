/**
 * QR codes drawn on the server as inline SVG (no script, no request to another host): one path of unit squares
 * on a white background with the quiet zone of ISO/IEC 18004 §7.3.8 (4 modules).
 */
import { encode } from "uqr";
import { html, type SafeHtml, trusted } from "./html.js";

const QUIET_ZONE = 4;

/** An SVG QR code of `text`, labelled for screen readers; `text` is encoded byte for byte (`;` and all). */
export function qrSvg(text: string, label: string): SafeHtml {
  // Error correction M (15 %): still reads when a phone camera sees the screen at an angle.
  const { data, size } = encode(text, { ecc: "M", border: 0 });
  const squares: string[] = [];
  for (const [y, row] of data.entries()) {
    for (const [x, dark] of row.entries()) if (dark) squares.push(`M${x + QUIET_ZONE} ${y + QUIET_ZONE}h1v1h-1z`);
  }
  const side = size + 2 * QUIET_ZONE;
  return html`<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${side} ${side}" role="img" aria-label="${label}" shape-rendering="crispEdges"><rect width="${side}" height="${side}" fill="#fff"/><path fill="#000" d="${trusted(squares.join(""))}"/></svg>`;
}
