/**
 * The web pages in the app's lifecycle: listening on WEB_LISTEN is part of starting, and a port that cannot be had
 * ends the start (logged, and handed to `onFatal`: main exits 2) rather than leaving a bot without its pages.
 * The pages are built when they start, not when the app is made: Fastify, Ajv and the pages' modules (a fifth of a
 * second on this project's 2-core machine) load while the XMPP session connects (docs/benchmarks.md, "Start-up").
 */
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";
import type { WebApp } from "../web/web-app.js";
import type { Component } from "./component.js";

export interface WebListener extends Component {
  /** Where the pages listen (host:port) once started. */
  readonly address: string | undefined;
  /** The pages once started: undefined before, and without WEB_LISTEN. */
  readonly web: WebApp | undefined;
  /** False when the pages could not be built or could not listen (logged, and handed to `onFatal`). */
  start(): Promise<boolean>;
  stop(): Promise<void>;
}

/** `build` makes the pages (importing what they need); undefined without WEB_LISTEN. */
export function webListener(
  build: (() => Promise<WebApp>) | undefined,
  config: Config,
  log: Logger,
  onFatal: ((error: Error) => void) | undefined,
): WebListener {
  let address: string | undefined;
  let web: WebApp | undefined;
  return {
    get address() {
      return address;
    },
    get web() {
      return web;
    },
    async start() {
      if (build === undefined) return true;
      try {
        web = await build();
        address = await web.start();
        return true;
      } catch (error) {
        log.error("Cannot listen for the web pages on WEB_LISTEN", {
          listen: `${config.web?.listen.host}:${config.web?.listen.port}`,
          error: (error as Error).message,
        });
        onFatal?.(error as Error);
        return false;
      }
    },
    stop: async () => {
      await web?.stop();
    },
  };
}
