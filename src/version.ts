import { readFileSync } from "node:fs";

/** The package's name and version, read once (works from src/ and dist/). */
export const SOFTWARE: { readonly name: string; readonly version: string } = JSON.parse(
  readFileSync(new URL("../package.json", import.meta.url), "utf8"),
);
