import picomatch from 'picomatch';
import { UsageError } from './errors.js';

/**
 * Label patterns, as `--exclude-label 'workflow::*,Closed::*'` gives them: glob patterns matched
 * against a whole label by picomatch (a well-kept matcher, the one fast-glob and micromatch use),
 * with bash's rules, so that `*` also spans a `/` (labels are not paths: `hostos: BSD/macOS`), and
 * case counting. A label without glob characters matches itself only.
 */
export function labelMatcher(patterns: readonly string[]): (label: string) => boolean {
  const list = patterns.map((p) => p.trim()).filter((p) => p !== '');
  if (list.length === 0) return () => false;
  for (const p of list) {
    try {
      picomatch.makeRe(p, { bash: true, dot: true });
    } catch (err) {
      throw new UsageError(`label pattern ${JSON.stringify(p)} is not a glob pattern (${(err as Error).message})`);
    }
  }
  return picomatch(list, { bash: true, dot: true });
}

/** Patterns as given on a command line or in options: each value may hold several, separated by commas. */
export const splitPatterns = (values: readonly string[]): string[] =>
  values
    .flatMap((v) => v.split(','))
    .map((p) => p.trim())
    .filter((p) => p !== '');
