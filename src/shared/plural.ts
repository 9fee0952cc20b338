/** Counts in words: `1 finding`, `2 findings`, `1 advisory`, `3 advisories` — never "finding(s)". */

/** `n` with the singular or the plural noun (the plural defaults to noun + "s"). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
