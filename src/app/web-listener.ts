/**
 * The web pages in the app's lifecycle: listening on WEB_LISTEN is part of starting, and a port that cannot be had
 * ends the start (logged, and handed to `onFatal`: main exits 2) rather than leaving a bot without its pages.
 */
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";
import type { WebApp } from "../web/web-app.js";
import type { Component } from "./component.js";

export interface WebListener extends Component {
  /** Where the pages listen (host:port) once started. */
  readonly address: string | undefined;
}

export function webListener(
  web: WebApp | undefined,
  config: Config,
  log: Logger,
  onFatal: ((error: Error) => void) | undefined,
): WebListener {
  let address: string | undefined;
  return {
    get address() {
      return address;
    },
    async start() {
      if (web === undefined) return true;
      try {
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
    stop: () => web?.stop(),
  };
}
