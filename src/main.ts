/**
 * The only place that reads process.env, loads .env and handles signals
 * (docs/architecture.md). Exit codes: 0 after a clean stop, 2 for bad configuration (or an invite store
 * layout this version cannot read, or another session with the same resource).
 */
import dotenv from "dotenv";
import { createApp } from "./app.js";
import { ConfigError, loadConfig } from "./config.js";
import { createLogger } from "./logger.js";

dotenv.config({ quiet: true });

function configOrExit() {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${error.message}\nSee .env.example and the README's configuration table.`);
    process.exit(2);
  }
}

const config = configOrExit();
const log = createLogger(config.logLevel);

function appOrExit() {
  try {
    return createApp(config, {
      log,
      // Already logged by the part that found it; nothing the bot can do about it by itself.
      onFatal: () => {
        void app.stop().finally(() => process.exit(2));
      },
    });
  } catch (error) {
    // The web pages' data files (data/, WEB_APPS_FILE) are read here: a bad file is a configuration problem.
    log.error("Cannot start", { error: (error as Error).message });
    process.exit(2);
  }
}

const app = appOrExit();

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info("Stopping", { signal });
  await app.stop();
  log.info("Stopped");
  process.exit(0);
}

process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("unhandledRejection", (reason) => {
  log.error("Unhandled rejection", { error: reason instanceof Error ? reason.stack : String(reason) });
});

await app.start();
