/** Invite lifetimes: unix seconds in storage, XEP-0082 UTC in forms, words in chat. */

export type Clock = () => number;

/** Milliseconds since the epoch, the default clock. */
export const systemClock: Clock = () => Date.now();

export function nowSeconds(clock: Clock): number {
  return Math.floor(clock() / 1000);
}

/** XEP-0082 DateTime without fractions: `2026-12-04T01:59:02Z`, as Prosody's util.datetime. */
export function formatDateTime(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace(/\.\d{3}Z$/u, "Z");
}

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ["week", 604_800],
  ["day", 86_400],
  ["hour", 3_600],
  ["minute", 60],
];

/** "1 week", "10 days", "1 day and 2 hours", "45 minutes": at most two units. */
export function describeDuration(seconds: number): string {
  const parts: string[] = [];
  // To the nearest minute: an invite made a second ago lasts "1 week", not "6 days and 23 hours".
  let rest = seconds < 60 ? 0 : Math.round(seconds / 60) * 60;
  for (const [name, size] of UNITS) {
    const count = Math.floor(rest / size);
    if (count === 0) continue;
    // Weeks only when whole: "10 days" reads better than "1 week and 3 days".
    if (name === "week" && rest % size !== 0) continue;
    parts.push(`${count} ${name}${count === 1 ? "" : "s"}`);
    rest -= count * size;
    if (parts.length === 2) break;
  }
  return parts.length === 0 ? "less than a minute" : parts.join(" and ");
}

/** "in 7 days, until Fri, 4 Dec 2026 01:59 UTC" */
export function describeExpiry(expires: number, now: number): string {
  const until = new Date(expires * 1000).toUTCString().replace(/:\d\d GMT$/u, " UTC");
  return `in ${describeDuration(expires - now)}, until ${until}`;
}

/** "in 3 hours (Fri, 27 Nov 2026 14:05 UTC)": when something becomes possible. */
export function describeWhen(at: number, now: number): string {
  const when = new Date(at * 1000).toUTCString().replace(/:\d\d GMT$/u, " UTC");
  return `in ${describeDuration(Math.max(60, at - now))} (${when})`;
}
