import { createRequire } from 'node:module';
import type Picomatch from 'picomatch';
import { UsageError } from './errors.js';

/** picomatch, required when a pattern is first read: a process that reads none (a prediction) does not load it. */
const requireCjs = createRequire(import.meta.url);
let loaded: typeof Picomatch | undefined;
const picomatch = (): typeof Picomatch => (loaded ??= requireCjs('picomatch') as typeof Picomatch);

/** How a pattern reads beside bash's rules. */
export interface GlobOptions {
  /** Ignore case, as trackers do in logins and label names (default false: case counts). */
  nocase?: boolean;
  /** `[` and `]` stand for themselves, not a character class: `*[bot]` is a name ending in "[bot]" (default false). */
  literalBrackets?: boolean;
}

/**
 * Label patterns, as `--exclude-label 'workflow::*,Closed::*'` gives them: glob patterns matched
 * against a whole label by picomatch (a well-kept matcher, the one fast-glob and micromatch use),
 * with bash's rules, so that `*` also spans a `/` (labels are not paths: `hostos: BSD/macOS`), and
 * case counting unless `nocase`. A label without glob characters matches itself only. The bot's
 * patterns (serve's --skip-author, --scope, --only-label, --skip-label) are read with `nocase`
 * and `literalBrackets`. A pattern picomatch cannot read is a UsageError.
 */
export function labelMatcher(patterns: readonly string[], options: GlobOptions = {}): (label: string) => boolean {
  const list = patterns.map((p) => p.trim()).filter((p) => p !== '');
  if (list.length === 0) return () => false;
  const opts = { bash: true, dot: true, nocase: options.nocase === true, literalBrackets: options.literalBrackets === true };
  for (const p of list) {
    try {
      picomatch().makeRe(p, opts);
    } catch (err) {
      throw new UsageError(`label pattern ${JSON.stringify(p)} is not a glob pattern (${(err as Error).message})`);
    }
  }
  return picomatch()(list, opts);
}

/** Patterns as given on a command line or in options: each value may hold several, separated by commas. */
export const splitPatterns = (values: readonly string[]): string[] =>
  values
    .flatMap((v) => v.split(','))
    .map((p) => p.trim())
    .filter((p) => p !== '');
