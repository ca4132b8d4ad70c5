/**
 * HTML templates that escape by default: `html\`<p>${text}</p>\`` escapes every value that is not already
 * SafeHtml, so text from a visitor, an invite or a catalog can never become markup. `trusted()` marks markup
 * the bot made itself (the QR code's SVG) and is the only way around the escaping.
 */

/** Markup that is safe to put into a page as it is. */
export class SafeHtml {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

/** What may be put into a template: text is escaped, SafeHtml is kept, lists are joined, nothing is nothing. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
};

/** Escapes text for element content and for quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/gu, (char) => ENTITIES[char] ?? char);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.markup;
  if (value === null || value === undefined || value === false || value === true) return "";
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let markup = strings[0] ?? "";
  for (const [i, value] of values.entries()) markup += render(value) + (strings[i + 1] ?? "");
  return new SafeHtml(markup);
}

/** Markup made by the bot itself, never from input. */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
