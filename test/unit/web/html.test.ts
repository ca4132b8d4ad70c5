import { describe, expect, it } from "vitest";
import { escapeHtml, html, trusted } from "../../../src/web/html.js";
import { HOSTILE_TEXTS } from "../../fixtures/hostile-web-inputs.js";

describe("html templates", () => {
  it("escape every value that is not already safe, in text and in attributes", () => {
    for (const text of HOSTILE_TEXTS) {
      const markup = html`<p title="${text}">${text}</p>`.markup;
      expect(escapeHtml(text)).not.toMatch(/[<>"'`]/u);
      expect(markup).toBe(`<p title="${escapeHtml(text)}">${escapeHtml(text)}</p>`);
    }
    expect(escapeHtml(`<a href='x' onclick="y">&\`</a>`)).toBe(
      "&lt;a href=&#39;x&#39; onclick=&quot;y&quot;&gt;&amp;&#96;&lt;/a&gt;",
    );
  });

  it("keep nested templates and trusted markup, join lists, drop nothing-values", () => {
    const inner = html`<b>${"<i>"}</b>`;
    expect(html`${inner}${[html`<br>`, "&"]}${undefined}${null}${false}${0}`.markup).toBe("<b>&lt;i&gt;</b><br>&amp;0");
    expect(html`${trusted("<svg/>")}`.markup).toBe("<svg/>");
  });
});
