/** The least environment loadConfig accepts, and the problems it names for one that is wrong (src/config/). */
import { ConfigError, loadConfig } from "../../src/config.js";

export const MINIMAL_ENV = {
  XMPP_DOMAIN: "example.org",
  XMPP_USERNAME: "invites",
  XMPP_PASSWORD: "secret",
  INVITE_SIGNING_KEY: "k".repeat(32),
} as const;

/** The problems loadConfig names for MINIMAL_ENV with `env` over it; none when it accepts it. */
export function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig({ ...MINIMAL_ENV, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}
