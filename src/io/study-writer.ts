import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DataError } from '../base/errors.js';
import { checkOptions, type OptionKeys } from '../base/options.js';
import { CREATED_BY } from '../base/version.js';

/**
 * Writing reports in the folder layouts the bug study publishes, so that its scripts
 * (create_diff.py, create_csv.py) read bugcat's output as one of its runs:
 *
 * - `flat`, as its zero-shot runs: `<dir>/<category>/<id>` holds the ranked `label: score`
 *   lines (best first, three decimals), the `given: <label>` lines of an entry that carries
 *   the labels it was given (audit's), a blank line, then the report; `<dir>/categories.csv`
 *   counts the reports of each category (`category, count`, as the study writes it).
 * - `llm`, as its LLM runs (deepseek-r1:14b): `<dir>/output/<category>/<id>` holds the report,
 *   and `<dir>/reasoning/<category>/<id>` what led to the label, here the ranked `label: score`
 *   lines; `<dir>/output/categories.csv` the counts (where `create_csv.py -d <dir>/output` puts
 *   them). The LLM runs have a reasoning file of the same name in the same category for every
 *   report, and create_diff.py, which maps a file name to the last folder its walk found it in,
 *   compares such a run rightly only with a run that has them too, whichever of `output/` and
 *   `reasoning/` the walk visits last.
 *
 * A report's id is its file name in every category, so ids must be unique across the run: the
 * study's scripts match two runs' files by name.
 *
 * A folder is written into only if it is empty, new, or was written by this writer before (a
 * hidden `.bugcat-study.json` lists what it wrote), unless `force`. Even with `force`, a file
 * this writer did not write is never replaced, and no file is ever deleted: files an earlier
 * write left that this one did not rewrite stay, and are reported as `stale`.
 */

/** One report to write: its id (the file name), its category (the folder), its ranked scores and its text. */
export interface StudyEntry {
  id: string;
  category: string;
  /** The `label: score` lines, best first. */
  scores: readonly { label: string; score: number }[];
  /**
   * The labels the report was given, where they are not its folder's (audit files a report under
   * its suggested label): the first is written `given: <label>`, the others (more annotators)
   * `given by <name>: <label>`, after the scores.
   */
  given?: readonly { by?: string; label: string }[];
  text: string;
}

/** The study's layouts: flat (its zero-shot runs) or llm (its LLM runs, with output/ and reasoning/). */
export type StudyLayout = 'flat' | 'llm';
export const STUDY_LAYOUTS: readonly StudyLayout[] = ['flat', 'llm'];

/** What a write did: the files written, the reports per category, and the files an earlier write left that this one did not rewrite. */
export interface StudyWrite {
  files: number;
  categories: Record<string, number>;
  /** Paths (relative to the folder) of files from an earlier write that were left in place. */
  stale: string[];
}

/** The hidden file that lists what the writer wrote (readers of the layout skip dot files). */
export const STUDY_MARKER = '.bugcat-study.json';
const COUNTS = 'categories.csv';

/**
 * A label or id as a file name: characters that cannot be in one (`/`, `\`, NUL, control
 * characters, `%` itself) are percent-encoded, and so is a leading dot (which would hide the file);
 * the empty name is `%`.
 */
export function fileNameOf(name: string): string {
  if (name === '') return '%'; // no other name encodes to a lone '%'
  let out = name.replace(/[%/\\\u0000-\u001f\u007f]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  if (out.startsWith('.')) out = `%2E${out.slice(1)}`;
  return out;
}

/** The file's content: the ranked scores, a blank line, the report. */
export function studyFileOf(entry: StudyEntry): string {
  const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ');
  const given = (entry.given ?? []).map(
    (g, k) => `${k === 0 || g.by === undefined ? 'given' : `given by ${oneLine(g.by)}`}: ${oneLine(g.label)}\n`,
  );
  return `${entry.scores.map((s) => `${s.label}: ${s.score.toFixed(3)}`).join('\n')}\n${given.join('')}\n${entry.text}`;
}

export interface StudyWriteOptions {
  /** Write into a folder holding other files (never replacing a file this writer did not write). */
  force?: boolean;
  /** The study's layout to write: flat (default), as its zero-shot runs, or llm, as its LLM runs (see above). */
  layout?: StudyLayout;
}

/** StudyWriteOptions's keys (base/options.ts). */
const STUDY_WRITE_OPTIONS: OptionKeys<StudyWriteOptions> = { force: true, layout: true };

/** The ranked `label: score` lines, each ending in a newline. */
const scoreLines = (entry: StudyEntry): string => entry.scores.map((s) => `${s.label}: ${s.score.toFixed(3)}\n`).join('');

/** Writes `entries` into `dir` in one of the study's layouts (default flat; see above), with categories.csv. */
export function writeStudyLayout(dir: string, entries: readonly StudyEntry[], options: StudyWriteOptions = {}): StudyWrite {
  checkOptions('writeStudyLayout', options, STUDY_WRITE_OPTIONS);
  const layout = options.layout ?? 'flat';
  if (!STUDY_LAYOUTS.includes(layout)) throw new DataError(`layout is ${JSON.stringify(layout)}: expected "flat" or "llm"`);
  const previous = ownedFiles(dir, options.force ?? false);
  // Each file to write: its path and content.
  const files = new Map<string, string>();
  const names = new Map<string, string>();
  for (const e of entries) {
    const name = fileNameOf(e.id);
    const other = names.get(name);
    if (other !== undefined)
      throw new DataError(
        `two reports have the id ${JSON.stringify(e.id)}${other === e.category ? '' : ` (in ${JSON.stringify(other)} and ${JSON.stringify(e.category)})`}: ids must be unique to be file names (the study's scripts match runs by file name)`,
        { code: 'DUPLICATE_ID' },
      );
    names.set(name, e.category);
    const at = `${fileNameOf(e.category)}/${name}`;
    if (layout === 'flat') files.set(at, studyFileOf(e));
    else {
      files.set(`output/${at}`, e.text);
      files.set(`reasoning/${at}`, scoreLines(e));
    }
  }
  const counts = layout === 'flat' ? COUNTS : `output/${COUNTS}`;
  const planned = [...files.keys(), counts];
  // Nothing is replaced that this writer did not write: checked for every file before any is written.
  const foreign = planned.filter((p) => existsSync(join(dir, p)) && !previous.has(p));
  if (foreign.length) {
    throw new DataError(
      `${dir} already holds ${foreign.length} of the files to write, not written by bugcat (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', ...' : ''})`,
      {
        code: 'STUDY_FOREIGN_FILES',
        path: dir,
        advice: 'choose another folder: bugcat never replaces files it did not write',
      },
    );
  }
  const stale = [...previous].filter((p) => p !== counts && !files.has(p) && existsSync(join(dir, p))).sort();
  try {
    mkdirSync(dir, { recursive: true });
    // The marker first, listing every file this write may create: an interrupted write leaves a folder bugcat knows as its own.
    const mark = (paths: readonly string[]) =>
      writeFileSync(
        join(dir, STUDY_MARKER),
        JSON.stringify({ format: 'bugcat-study-layout', createdBy: CREATED_BY, files: [...new Set(paths)].sort() }, null, 2) + '\n',
      );
    mark([...previous, ...planned]);
    const categories: Record<string, number> = {};
    for (const e of entries) categories[e.category] = (categories[e.category] ?? 0) + 1;
    for (const [path, content] of files) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    const ranked = Object.entries(categories).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    mkdirSync(dirname(join(dir, counts)), { recursive: true });
    writeFileSync(join(dir, counts), ['category, count', ...ranked.map(([c, n]) => `${c}, ${n}`)].join('\n') + '\n');
    mark([...planned, ...stale]);
    return { files: entries.length, categories, stale };
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(`cannot write into ${dir}: ${(err as Error).message}`, { path: dir });
  }
}

/**
 * Refuses a target that writeStudyLayout would refuse for what is there already (a file, or a
 * non-empty folder it did not write, unless `force`): a caller checks before long work.
 */
export function checkStudyDir(dir: string, force = false): void {
  ownedFiles(dir, force);
}

/**
 * The files an earlier write listed in `dir`'s marker. A folder that is missing or empty has
 * none; a non-empty one without a marker is refused unless `force`.
 */
function ownedFiles(dir: string, force: boolean): Set<string> {
  if (!existsSync(dir)) return new Set();
  if (!statSync(dir).isDirectory())
    throw new DataError(`${dir} is a file, not a folder`, { code: 'STUDY_TO_FILE', path: dir, advice: 'choose another path' });
  const marker = join(dir, STUDY_MARKER);
  if (existsSync(marker)) {
    try {
      const files = (JSON.parse(readFileSync(marker, 'utf8')) as { files?: unknown }).files;
      if (Array.isArray(files) && files.every((f) => typeof f === 'string')) return new Set(files as string[]);
    } catch {
      // Unreadable: treated as a folder bugcat did not write.
    }
  }
  if (readdirSync(dir).length > 0 && !force) {
    throw new DataError(`${dir} is not empty and was not written by bugcat`, {
      code: 'STUDY_FOREIGN_FOLDER',
      path: dir,
      advice: 'choose an empty or new folder, or write with force beside the files there (none of them is replaced)',
    });
  }
  return new Set();
}
