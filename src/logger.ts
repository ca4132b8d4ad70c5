/**
 * The one logger. Lines are `time LEVEL message key=value …` on a stream
 * (stderr by default), so they read well in a terminal and in journald.
 */

export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export interface LogSink {
  write(line: string): unknown;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

function formatValue(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(value.message);
  if (typeof value === "string") return /^[\w.@:/+-]+$/u.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

function formatLine(level: LogLevel, message: string, fields: LogFields): string {
  const pairs = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${formatValue(value)}`);
  return [new Date().toISOString(), level.toUpperCase().padEnd(5), message, ...pairs].join(" ");
}

export function createLogger(level: LogLevel = "info", sink: LogSink = process.stderr, bound: LogFields = {}): Logger {
  const threshold = RANK[level];
  const log = (at: Exclude<LogLevel, "silent">, message: string, fields?: LogFields): void => {
    if (RANK[at] < threshold) return;
    sink.write(`${formatLine(at, message, { ...bound, ...fields })}\n`);
  };
  return {
    debug: (message, fields) => log("debug", message, fields),
    info: (message, fields) => log("info", message, fields),
    warn: (message, fields) => log("warn", message, fields),
    error: (message, fields) => log("error", message, fields),
    child: (fields) => createLogger(level, sink, { ...bound, ...fields }),
  };
}

/** Shows enough of a secret token to correlate log lines, never the whole of it. */
export function redactToken(token: string): string {
  return `${token.slice(0, 4)}…`;
}
