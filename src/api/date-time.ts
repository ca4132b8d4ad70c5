/**
 * The API's dates: RFC 3339 §5.6 date-times (the profile of ISO 8601 that XEP-0082 uses too), as the invite JSON's
 * `expires` is written (invite-json.ts), so a client can send back what it read. The schema's pattern checks the
 * shape; this checks the calendar, which a pattern cannot (February 30th), and gives unix seconds.
 */

/** RFC 3339 §5.6 `date-time`; `T` and `Z` may be lower case (§5.6 NOTE). No leap second: unix time has none. */
export const DATE_TIME_PATTERN =
  "^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])[Tt]([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(\\.\\d{1,9})?([Zz]|[+-]([01]\\d|2[0-3]):[0-5]\\d)$";

const SHAPE = new RegExp(DATE_TIME_PATTERN, "u");

/** Unix seconds (fractions dropped) of an RFC 3339 date-time, or undefined when it is no real date and time. */
export function parseDateTime(text: string): number | undefined {
  if (!SHAPE.test(text)) return undefined;
  const [year, month, day] = text.slice(0, 10).split("-").map(Number) as [number, number, number];
  // Day 0 of the next month is the last day of this one (RFC 3339 §5.7: the day must exist in its month).
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}
