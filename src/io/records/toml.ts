import { createRequire } from 'node:module';
import type * as SmolToml from 'smol-toml';
import { DataError } from '../../base/errors.js';
import { issueLabels } from './labels.js';
import type { ReportRecord } from './record.js';

/**
 * The bug study's TOML scrape of GitLab issues (`issues_toml`, one issue a file): `id`,
 * `title`, `labels` and the template's sections (`description`, `reproduce`, `additional`,
 * "n/a" when the reporter left one out), beside metadata (state, dates, url, host and guest).
 * Its text is the one the study built for its `issues_text` scrape, byte for byte: the title
 * line, then each section given under its heading ("Description of problem:", "Steps to
 * reproduce:", "Additional information:"). Parsed with smol-toml (TOML 1.0, no dependencies).
 */

/** smol-toml, required when a TOML file is first read: a process that reads none does not load it. */
const requireCjs = createRequire(import.meta.url);
let toml: typeof SmolToml | undefined;

/** The template's sections, in the study's order, with the heading its text gives each. */
const SECTIONS: readonly [string, string][] = [
  ['description', 'Description of problem'],
  ['reproduce', 'Steps to reproduce'],
  ['additional', 'Additional information'],
];

/** What the study writes for a section the reporter left out. */
const LEFT_OUT = 'n/a';

/** A TOML issue file's content as its report (`source` names it in messages; `fallbackId` when it has no `id`). */
export function tomlRecord(content: string, source: string, fallbackId: string): ReportRecord {
  let o: Record<string, unknown>;
  try {
    toml ??= requireCjs('smol-toml') as typeof SmolToml;
    o = toml.parse(content);
  } catch (err) {
    const where = toml && err instanceof toml.TomlError ? ` (line ${err.line}, column ${err.column})` : '';
    throw new DataError(`${source} is not valid TOML${where}: ${(err as Error).message.split('\n')[0]}`, {
      code: 'BAD_TOML',
      path: source,
    });
  }
  const id = typeof o.id === 'number' || typeof o.id === 'string' || typeof o.id === 'bigint' ? String(o.id) : fallbackId;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const title = str(o.title);
  const sections = SECTIONS.map(([key, heading]) => [heading, str(o[key])] as const).filter(([, v]) => v !== '' && v !== LEFT_OUT);
  const labels = issueLabels(o.labels);
  const kept = labels ? { labels } : {};
  if (title === '' && sections.length === 0)
    return { id, text: '', error: 'no title, description, reproduce or additional field', ...kept };
  return { id, text: `${title}\n${sections.map(([h, v]) => `${h}:\n${v}\n`).join('')}`, ...kept };
}
