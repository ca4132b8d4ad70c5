/**
 * The names of the circles an invite names (`additional_data.groups`, docs/circles.md), for its pages. A circle
 * deleted since is left out; a store that does not answer leaves the page without them rather than without the
 * invite (the invite itself was found).
 */
import type { CircleStore } from "../circles/store.js";
import type { Logger } from "../logger.js";

export type CircleNames = (ids: readonly string[]) => Promise<string[]>;

export function circleNamesFrom(circles: Pick<CircleStore, "find"> | undefined, log: Logger): CircleNames {
  return async (ids) => {
    if (circles === undefined || ids.length === 0) return [];
    try {
      const found = await Promise.all(ids.map((id) => circles.find(id)));
      return found.flatMap((circle) => (circle === undefined ? [] : [circle.name]));
    } catch (error) {
      log.warn("Invite page without its circles' names", { error: (error as Error).message });
      return [];
    }
  };
}
