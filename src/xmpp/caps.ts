import { createHash } from "node:crypto";

export interface Identity {
  readonly category: string;
  readonly type: string;
  readonly name?: string;
}

/** XEP-0115 §5.1 verification string (no extended forms) hashed with SHA-1. */
export function capsVersion(identities: readonly Identity[], features: readonly string[]): string {
  const identityLines = identities.map(({ category, type, name }) => `${category}/${type}//${name ?? ""}<`).sort();
  const featureLines = [...new Set(features)].sort().map((feature) => `${feature}<`);
  return createHash("sha1")
    .update([...identityLines, ...featureLines].join(""), "utf8")
    .digest("base64");
}
