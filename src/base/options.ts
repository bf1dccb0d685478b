import { UsageError } from './errors.js';

/**
 * Options objects checked against the keys their function knows: a misspelt key (`label` for
 * `labelColumn`) is refused where it is given, naming the nearest known key, instead of being
 * ignored and failing far from the mistake.
 *
 * Each function's keys are written once, next to its options type, as an `OptionKeys<T>` object
 * literal: the compiler then refuses a key T lacks and misses none T has, so an option added to
 * the type and not to its keys fails to compile.
 */
export type OptionKeys<T> = Readonly<Record<keyof T, true>>;

/**
 * Refuses `options` unless it is an object (or undefined) whose every key is one of `keys`:
 * a UsageError (code UNKNOWN_OPTION) naming the first unknown key, `fn`, the nearest known key
 * and all of them.
 */
export function checkOptions(fn: string, options: unknown, keys: Readonly<Record<string, true>>): void {
  if (options === undefined) return;
  const known = Object.keys(keys);
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new UsageError(`the options of ${fn} are ${JSON.stringify(options)}: expected an object of ${known.join(', ')}`, {
      code: 'UNKNOWN_OPTION',
    });
  }
  const unknown = Object.keys(options).find((k) => !Object.hasOwn(keys, k));
  if (unknown === undefined) return;
  throw new UsageError(`unknown option '${unknown}' for ${fn}`, {
    code: 'UNKNOWN_OPTION',
    advice: `did you mean '${nearest(unknown, known)}'? (${fn} takes ${known.join(', ')})`,
  });
}

/** The known key nearest to `key`: one that contains it, or that it contains, else the fewest edits away (case aside). */
function nearest(key: string, known: readonly string[]): string {
  const k = key.toLowerCase();
  const score = (c: string) => {
    const l = c.toLowerCase();
    return l.includes(k) || k.includes(l) ? Math.abs(l.length - k.length) - 1000 : editDistance(k, l);
  };
  return known.reduce((best, c) => (score(c) < score(best) ? c : best));
}

/** Levenshtein distance: the fewest insertions, deletions and substitutions that turn a into b. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}

/** The entries of `options` that are `keys`: what a function passes on to another that takes fewer options than it does. */
export function pickOptions<T>(options: T, keys: OptionKeys<T>): T {
  return Object.fromEntries(Object.entries(options as object).filter(([k]) => Object.hasOwn(keys, k))) as T;
}
