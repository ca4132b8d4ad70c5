/**
 * The order every CircleStore lists circles in (src/circles/store.ts), the same for each backend: by name without
 * case (as people tell circles apart: src/circles/circle.ts, sameCircleName), then by id, so that two circles whose
 * names differ only in case keep one order from one listing to the next.
 */
import type { Circle } from "../circles/circle.js";

export function byCircleName(a: Circle, b: Circle): number {
  const byName = a.name.localeCompare(b.name, undefined, { sensitivity: "accent" });
  if (byName !== 0) return byName;
  if (a.id === b.id) return 0;
  return a.id < b.id ? -1 : 1;
}
