/**
 * OPS_LISTEN (docs/operations.md): where the operations listener answers /healthz and /metrics, apart from the
 * public pages' server; loopback by default, `off` for none. Read by loadConfig and by the healthcheck entry point
 * (src/healthcheck.ts), which must ask the address the bot listens on.
 */

export interface ListenAddress {
  readonly host: string;
  /** 0 = any free port. */
  readonly port: number;
}

export interface OpsConfig {
  readonly listen: ListenAddress;
}

/** Loopback: the healthcheck runs beside the bot; a scraper elsewhere needs OPS_LISTEN set to reach it. */
export const DEFAULT_OPS_LISTEN = "127.0.0.1:9090";

/** What this file needs of config/reader.ts's Reader; named here so that types.ts may import OpsConfig without a cycle. */
export interface OptionReader {
  optional(name: string): string | undefined;
  readonly problems: string[];
}

/** `host:port` or `[v6]:port`, as WEB_LISTEN reads it; undefined when it is neither. */
export function parseListen(value: string): ListenAddress | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/u.exec(value);
  const port = Number(match?.[3]);
  if (match === null || port > 65_535) return undefined;
  return { host: match[1] ?? match[2] ?? "", port };
}

/** Whether OPS_LISTEN turns the listener off. */
export function isOff(value: string): boolean {
  return value.toLowerCase() === "off";
}

/** The listener's settings, or undefined when OPS_LISTEN is `off` (or wrong: the problem is listed). */
export function readOps(reader: OptionReader): OpsConfig | undefined {
  const value = reader.optional("OPS_LISTEN") ?? DEFAULT_OPS_LISTEN;
  if (isOff(value)) return undefined;
  const listen = parseListen(value);
  if (listen === undefined) {
    reader.problems.push(
      `OPS_LISTEN must be host:port (for example OPS_LISTEN=${DEFAULT_OPS_LISTEN}) or off, got "${value}"`,
    );
    return undefined;
  }
  return { listen };
}

/** The address a local client reaches `listen` at: a wildcard address means this host's loopback. */
export function localUrl(listen: ListenAddress, path: string): string {
  const host = listen.host === "0.0.0.0" ? "127.0.0.1" : listen.host === "::" ? "::1" : listen.host;
  return `http://${host.includes(":") ? `[${host}]` : host}:${listen.port}${path}`;
}
