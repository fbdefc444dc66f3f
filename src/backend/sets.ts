// Comparing lists as sets (host labels, device lists).

/** Whether a and b hold the same elements, ignoring order and repeats. */
export function sameSet<T>(a: readonly T[], b: readonly T[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sb].every((x) => sa.has(x));
}
