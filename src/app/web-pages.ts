/**
 * How the app makes its web pages (WEB_LISTEN). Their data files (data/, WEB_APPS_FILE) are read at once, as the
 * configuration is, so that a bad one stops the bot before it connects; the pages themselves (Fastify, Ajv and the
 * pages' modules) are imported and built when they start, while the XMPP session connects (web-listener.ts).
 */
import type { FastifyInstance } from "fastify";
import type { Config } from "../config.js";
import type { WebApp, WebAppDeps } from "../web/web-app.js";
import { loadWebData } from "../web/web-data.js";

/** What builds the pages (importing them), or undefined without WEB_LISTEN; `counted` is told of their server. */
export function webPages(
  config: Config,
  deps: WebAppDeps,
  counted: (server: FastifyInstance) => void,
): (() => Promise<WebApp>) | undefined {
  const web = config.web;
  if (web === undefined) return undefined;
  const data = deps.data ?? loadWebData(web.appsFile);
  return async () => {
    const { createWebApp } = await import("../web/web-app.js");
    const pages = createWebApp(config, web, { ...deps, data });
    counted(pages.server);
    return pages;
  };
}
