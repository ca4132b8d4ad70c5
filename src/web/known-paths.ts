/** The paths the pages answer, and with which methods: another method there gets 405 with this Allow header. */
import { consoleAllow } from "./console/console-deps.js";

const GET_ONLY = [/^\/invite\/[^/]+$/u, /^\/$/u, /^\/assets\/[\w.]+$/u];
const FORMS = [/^\/invite\/[^/]+\/register$/u];

/** The Allow header of a path under the site, or undefined when nothing is there (404). */
export function allowedMethods(path: string, withConsole: boolean): string | undefined {
  if (FORMS.some((known) => known.test(path))) return "GET, HEAD, POST";
  if (GET_ONLY.some((known) => known.test(path))) return "GET, HEAD";
  return withConsole ? consoleAllow(path) : undefined;
}
