/**
 * Names that must not be imitated: the administrators' and the bot's own (USERNAME_CONFUSABLES, docs/security.md).
 * Two names are confusable when their skeletons are equal (UTS #39 §4), so "аdmin" with a Cyrillic "а" is
 * refused beside "admin". The prototypes come from Unicode's confusables.txt, as shipped by `unhomoglyph`.
 */
import unhomoglyph from "unhomoglyph";

/** UTS #39 §4: the skeleton of a string is NFD, each character replaced by its prototype, then NFD again. */
export function skeleton(text: string): string {
  return unhomoglyph(text.normalize("NFD")).normalize("NFD");
}

export class ProtectedNames {
  /** Skeleton → the protected name it comes from. */
  readonly #bySkeleton = new Map<string, string>();

  /** `names` as the server stores them (folded local parts, src/jid.ts `normaliseLocal`). */
  constructor(names: Iterable<string>) {
    for (const name of names) if (name !== "") this.#bySkeleton.set(skeleton(name), name);
  }

  /** The protected name that `name` (folded) is, or looks like; undefined when none. */
  lookalikeOf(name: string): string | undefined {
    return this.#bySkeleton.get(skeleton(name));
  }
}
