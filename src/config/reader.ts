/** Reading variables from an environment, collecting every problem instead of stopping at the first. */
import type { Env } from "./types.js";

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export const TRUE_WORDS = ["true", "1", "yes", "on"];
export const FALSE_WORDS = ["false", "0", "no", "off"];

/** Reads one variable; empty strings count as unset, as dotenv leaves `FOO=` empty. */
function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

export class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  required(name: string, example: string): string {
    const value = read(this.env, name);
    if (value === undefined) this.problems.push(`${name} is required (for example ${name}=${example})`);
    return value ?? "";
  }

  optional(name: string): string | undefined {
    return read(this.env, name);
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = read(this.env, name);
    if (value === undefined) return fallback;
    const word = value.toLowerCase();
    if (TRUE_WORDS.includes(word)) return true;
    if (FALSE_WORDS.includes(word)) return false;
    this.problems.push(`${name} must be true or false, got "${value}"`);
    return fallback;
  }

  integer(name: string, fallback: number, min: number, max: number, unit: string): number {
    const value = read(this.env, name);
    if (value === undefined) return fallback;
    const number = /^\d+$/u.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(number) || number < min || number > max) {
      this.problems.push(`${name} must be a whole number of ${unit} from ${min} to ${max}, got "${value}"`);
      return fallback;
    }
    return number;
  }

  url(name: string, value: string, protocols: readonly string[], example: string): void {
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      this.problems.push(`${name} is not a valid URL: "${value}" (for example ${example})`);
      return;
    }
    if (!protocols.includes(parsed.protocol)) {
      this.problems.push(`${name} must start with ${protocols.map((p) => `${p}//`).join(" or ")}, got "${value}"`);
    }
  }

  /** One of a fixed list of words, lower case; the fallback (and a problem) for anything else. */
  oneOf<T extends string>(name: string, words: readonly T[], fallback: T): T {
    const value = this.optional(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if ((words as readonly string[]).includes(value)) return value as T;
    this.problems.push(`${name} must be one of ${words.join(", ")}, got "${value}"`);
    return fallback;
  }
}
