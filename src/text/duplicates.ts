/**
 * Reports that are copies of one another, found cheaply and deterministically, so that folds can
 * keep them together (model/folds.ts): a report in one fold and its copy in another would let a
 * model be scored on what it was trained on. The QEMU corpus holds 318 such groups, mostly a
 * Launchpad report and the GitLab stub its migration left (the same title, without the body).
 *
 * Two reports are copies when they share a normalised title (the first line: case, white space
 * and punctuation aside, and without the tracker's tags in front: `[OSS-Fuzz] Issue 4711`,
 * `[Feature request]`, `Bug #123:`), or a normalised body (the rest) of at least
 * MIN_BODY_WORDS words: a body shorter than that, such as an unfilled issue template, is
 * shared by unrelated reports. Copies of copies are one group.
 */

/** Fewest words a body must have to make its reports copies of one another. An unfilled GitLab issue template has 11. */
export const MIN_BODY_WORDS = 20;

/** Tags a tracker or a migration puts in front of a title: bracketed tags, and issue or bug numbers. */
const TRACKER_PREFIX = /^\s*(?:\[[^\]\n]{0,40}\]\s*|(?:bug|issue|lp)\s*#?\s*\d+\s*[:\-–]?\s*)+/iu;

/** Letters and digits only, lower case, one space between words. */
const words = (s: string): string =>
  s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

/** A title's normalised form ('' when nothing is left: such titles make no group). */
export function titleKey(text: string): string {
  const line = text.split('\n', 1)[0];
  return words(line.replace(TRACKER_PREFIX, ''));
}

/** A body's normalised form, or '' when it holds fewer than MIN_BODY_WORDS words. */
export function bodyKey(text: string): string {
  const nl = text.indexOf('\n');
  if (nl < 0) return '';
  const w = words(text.slice(nl + 1));
  return w.split(' ').length >= MIN_BODY_WORDS ? w : '';
}

/** Each report's group (0, 1, ..., numbered by first report) and how many groups hold more than one report, and how many reports those hold. */
export interface Grouping {
  group: Int32Array;
  /** Groups of two reports or more. */
  shared: number;
  /** Reports in those groups. */
  reports: number;
}

/** Groups of reports that are copies of one another (see above); every other report is a group of its own. */
export function duplicateGroups(texts: readonly string[]): Grouping {
  const parent = Int32Array.from(texts, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  for (const keyOf of [titleKey, bodyKey]) {
    const first = new Map<string, number>();
    texts.forEach((t, i) => {
      const key = keyOf(t);
      if (key === '') return;
      const j = first.get(key);
      if (j === undefined) first.set(key, i);
      else {
        const [a, b] = [find(i), find(j)];
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    });
  }
  return groupsOf(Array.from(texts, (_, i) => find(i)));
}

/** Groups named by the caller (one name or number per report; reports with the same one are a group), numbered by first report. */
export function groupsOf(names: readonly (string | number)[]): Grouping {
  const index = new Map<string | number, number>();
  const size: number[] = [];
  const group = Int32Array.from(names, (name) => {
    let g = index.get(name);
    if (g === undefined) index.set(name, (g = size.push(0) - 1));
    size[g]++;
    return g;
  });
  const big = size.filter((s) => s > 1);
  return { group, shared: big.length, reports: big.reduce((a, b) => a + b, 0) };
}
