/**
 * A browser on the web console over real HTTP: it keeps every cookie (the form nonce and the session, which the
 * invite pages' visitor would mix up), follows no redirect by itself, and posts like our own pages do.
 */
import { csrfFieldOf, formBody } from "./web-form.js";

export interface ConsoleAnswer {
  status: number;
  body: string;
  location: string | null;
}

export class ConsoleVisitor {
  readonly #cookies = new Map<string, string>();

  constructor(readonly webUrl: string) {}

  get sessionCookie(): string | undefined {
    return this.#cookies.get("console_session");
  }

  async get(pathOrUrl: string): Promise<ConsoleAnswer> {
    return this.#send(pathOrUrl, { method: "GET" });
  }

  /** Posts `fields` with the form token of `formPage` to `path`. */
  async post(path: string, formPage: string, fields: Record<string, string> = {}): Promise<ConsoleAnswer> {
    return this.#send(path, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: new URL(this.webUrl).origin,
        "sec-fetch-site": "same-origin",
      },
      body: formBody({ csrf: csrfFieldOf(formPage), ...fields }),
    });
  }

  async #send(pathOrUrl: string, init: RequestInit): Promise<ConsoleAnswer> {
    const cookie = [...this.#cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    const response = await fetch(new URL(pathOrUrl, this.webUrl), {
      ...init,
      redirect: "manual",
      headers: { ...(cookie === "" ? {} : { cookie }), ...init.headers },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const [name = "", ...value] = pair.split("=");
      if (/Max-Age=0\b/u.test(line)) this.#cookies.delete(name);
      else this.#cookies.set(name, value.join("="));
    }
    return { status: response.status, body: await response.text(), location: response.headers.get("location") };
  }
}
