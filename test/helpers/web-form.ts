/** Reading the invite pages like a browser would: the form's token and the cookie that goes with it. */
export interface FormSession {
  /** The `csrf` field of the form. */
  csrf: string;
  /** `invite_csrf=…`, to send back as the Cookie header. */
  cookie: string;
}

export function csrfFieldOf(html: string): string {
  const match = /name="csrf" value="([^"]+)"/u.exec(html);
  if (match?.[1] === undefined) throw new Error(`no csrf field in the page:\n${html.slice(0, 2000)}`);
  return match[1];
}

export function cookieOf(setCookie: string | string[] | number | undefined): string {
  const header = Array.isArray(setCookie) ? setCookie[0] : setCookie;
  const match = /^(invite_csrf=[^;]+)/u.exec(String(header ?? ""));
  if (match?.[1] === undefined) throw new Error(`no invite_csrf cookie in ${String(header)}`);
  return match[1];
}

/** The text of an element with this id or class, tags stripped, entities of the escaper undone. */
export function textOf(html: string, selector: { id?: string; className?: string }): string | undefined {
  const attribute = selector.id === undefined ? `class="[^"]*\\b${selector.className}\\b[^"]*"` : `id="${selector.id}"`;
  const match = new RegExp(`<(\\w+)[^>]*${attribute}[^>]*>([\\s\\S]*?)</\\1>`, "u").exec(html);
  if (match?.[2] === undefined) return undefined;
  return match[2]
    .replace(/<[^>]+>/gu, "")
    .replace(/&lt;/gu, "<")
    .replace(/&gt;/gu, ">")
    .replace(/&quot;/gu, '"')
    .replace(/&#39;/gu, "'")
    .replace(/&#96;/gu, "`")
    .replace(/&amp;/gu, "&")
    .trim();
}

export function formBody(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}
