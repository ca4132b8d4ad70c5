/**
 * A visitor of the invite pages over real HTTP, as a browser behaves for a form: it keeps the cookie the pages
 * set, and its POSTs carry `Origin` and `Sec-Fetch-Site: same-origin`.
 */
import { cookieOf, csrfFieldOf, formBody } from "./web-form.js";

export interface WebPage {
  status: number;
  headers: Headers;
  body: string;
  url: string;
}

export class WebVisitor {
  #cookie: string | undefined;

  constructor(
    readonly origin: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  async get(url: string): Promise<WebPage> {
    return this.#send(url, { method: "GET" });
  }

  /** Submits the form of `formPage` (its csrf field included) with these fields. */
  async submit(
    formPage: WebPage,
    fields: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<WebPage> {
    const action = /<form[^>]* action="([^"]+)"/u.exec(formPage.body)?.[1]?.replaceAll("&amp;", "&");
    if (action === undefined) throw new Error(`no form on ${formPage.url}:\n${formPage.body.slice(0, 1500)}`);
    return this.#send(new URL(action, formPage.url).toString(), {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: this.origin,
        "sec-fetch-site": "same-origin",
        ...headers,
      },
      body: formBody({ csrf: csrfFieldOf(formPage.body), ...fields }),
    });
  }

  /** Follows the link with this class (e.g. `create-account`) on the page. */
  async follow(page: WebPage, className: string): Promise<WebPage> {
    const href = new RegExp(`<a class="[^"]*\\b${className}\\b[^"]*" href="([^"]+)"`, "u").exec(page.body)?.[1];
    if (href === undefined) throw new Error(`no link .${className} on ${page.url}`);
    return this.get(new URL(href.replaceAll("&amp;", "&"), page.url).toString());
  }

  async #send(url: string, init: RequestInit): Promise<WebPage> {
    const response = await fetch(url, {
      ...init,
      redirect: "follow",
      headers: { ...this.headers, ...(this.#cookie === undefined ? {} : { cookie: this.#cookie }), ...init.headers },
    });
    const setCookie = response.headers.get("set-cookie");
    if (setCookie !== null) this.#cookie = cookieOf(setCookie);
    return { status: response.status, headers: response.headers, body: await response.text(), url: response.url };
  }
}
