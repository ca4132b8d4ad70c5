/** The QR codes decode back to exactly what was encoded: the SVG is read back into modules and given to jsQR. */
import jsQRModule from "jsqr";
import { describe, expect, it } from "vitest";
import { qrSvg } from "../../../src/web/qr.js";

const SCALE = 4;
// jsqr is CommonJS with `export default` typings: under NodeNext the default import is the module object.
const jsQR = jsQRModule as unknown as typeof jsQRModule.default;

/** Rasterises our SVG (one path of rectangles one module high) into RGBA pixels for a decoder. */
function decode(svg: string): string | undefined {
  const side = Number(/viewBox="0 0 (\d+) \1"/u.exec(svg)?.[1]);
  const dark = new Set(
    [...svg.matchAll(/M(\d+) (\d+)h(\d+)v1h-\3z/gu)].flatMap(([, x, y, width]) =>
      Array.from({ length: Number(width) }, (_, k) => `${Number(x) + k},${y}`),
    ),
  );
  const width = side * SCALE;
  const pixels = new Uint8ClampedArray(width * width * 4).fill(255);
  for (let y = 0; y < width; y += 1) {
    for (let x = 0; x < width; x += 1) {
      if (!dark.has(`${Math.floor(x / SCALE)},${Math.floor(y / SCALE)}`)) continue;
      pixels.fill(0, (y * width + x) * 4, (y * width + x) * 4 + 3);
    }
  }
  return jsQR(pixels, width, width)?.data;
}

describe("qrSvg", () => {
  it("encodes an invite URI with every ';' parameter intact", () => {
    const uri = "xmpp:alice@example.org?roster;preauth=cu4yoExyhFpKtHt91MixXCwa;ibr=y";
    expect(decode(qrSvg(uri, "scan").markup)).toBe(uri);
  });

  it("encodes a page address, and Unicode as UTF-8", () => {
    const page = "https://invite.example.org/invite/cu4yoExyhFpKtHt91MixXCwa";
    expect(decode(qrSvg(page, "scan").markup)).toBe(page);
    const local = "xmpp:j%C3%BCrgen@example.org?register;preauth=AAAAAAAAAAAAAAAAAAAAAAAA";
    expect(decode(qrSvg(local, "scan").markup)).toBe(local);
  });

  it("draws the same code again for the same text, from its cache or not", () => {
    const first = qrSvg("xmpp:a@example.org?roster;preauth=x", "scan").markup;
    for (let i = 0; i < 150; i += 1) qrSvg(`https://example.org/${i}`, "scan");
    expect(qrSvg("xmpp:a@example.org?roster;preauth=x", "scan").markup).toBe(first);
    expect(qrSvg("xmpp:a@example.org?roster;preauth=x", "another label").markup).toContain(
      'aria-label="another label"',
    );
  });

  it("is an accessible image with a white quiet zone, its label escaped", () => {
    const svg = qrSvg("x", '"><script>').markup;
    expect(svg).toContain('role="img"');
    expect(svg).toContain('aria-label="&quot;&gt;&lt;script&gt;"');
    expect(svg).toMatch(/^<svg[^>]*><rect width="(\d+)" height="\1" fill="#fff"\/>/u);
    expect(svg).not.toContain("M0 ");
  });
});
