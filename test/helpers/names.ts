/** Account names that no other test of the same file has used: `prefix` and a counter. */
let counter = 0;

export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}${counter}`;
}
