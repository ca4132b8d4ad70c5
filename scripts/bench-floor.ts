/**
 * Starts the floor (scripts/bench-floor-responder.ts) in a process of its own, as scripts/bench-bot.ts starts the
 * bot and with the same `node` flags, so that its memory and CPU are read the same way. It runs from its TypeScript
 * source: with Node's own type stripping where there is one (Node 22.18+, 23.6+), else through tsx's loader (more
 * memory, and a slower start, which is not compared).
 */
import { fileURLToPath } from "node:url";
import { type BotProcess, spawnBot } from "./bench-bot.js";
import { floorAnswer } from "./bench-floor-answer.js";

export const FLOOR_USER = "floor";
export const FLOOR_RESOURCE = "floor";

const RESPONDER = fileURLToPath(new URL("./bench-floor-responder.ts", import.meta.url));

export function startFloor(
  service: string,
  domain: string,
  password: string,
  nodeFlags: readonly string[],
  webUrl: string,
): Promise<BotProcess> {
  const env = {
    FLOOR_ANSWER: JSON.stringify(floorAnswer(webUrl)),
    FLOOR_SERVICE: service,
    FLOOR_DOMAIN: domain,
    FLOOR_USERNAME: FLOOR_USER,
    FLOOR_PASSWORD: password,
    FLOOR_RESOURCE,
  };
  const typeScript = process.features.typescript ? [] : ["--import", import.meta.resolve("tsx")];
  return spawnBot(RESPONDER, env, 30_000, [...nodeFlags, ...typeScript]);
}
