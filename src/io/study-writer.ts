import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../base/errors.js';
import { checkOptions, type OptionKeys } from '../base/options.js';
import { CREATED_BY } from '../base/version.js';

/**
 * Writing reports in the folder layout the bug study publishes, so that scripts written for
 * the study read bugcat's output: `<dir>/<category>/<id>` holds the ranked `label: score`
 * lines (best first, three decimals), the `given: <label>` lines of an entry that carries the
 * labels it was given (audit's), a blank line, then the report; `<dir>/categories.csv`
 * counts the reports of each category (`category, count`, as the study writes it).
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
}

/** StudyWriteOptions's keys (base/options.ts). */
const STUDY_WRITE_OPTIONS: OptionKeys<StudyWriteOptions> = { force: true };

/** Writes `entries` into `dir` in the study's layout (see above), with categories.csv. */
export function writeStudyLayout(dir: string, entries: readonly StudyEntry[], options: StudyWriteOptions = {}): StudyWrite {
  checkOptions('writeStudyLayout', options, STUDY_WRITE_OPTIONS);
  const previous = ownedFiles(dir, options.force ?? false);
  const files = new Map<string, StudyEntry>();
  for (const e of entries) {
    const path = `${fileNameOf(e.category)}/${fileNameOf(e.id)}`;
    if (files.has(path))
      throw new DataError(
        `two reports have the id ${JSON.stringify(e.id)} in category ${JSON.stringify(e.category)}: ids must be unique to be file names`,
        { code: 'DUPLICATE_ID' },
      );
    files.set(path, e);
  }
  const planned = [...files.keys(), COUNTS];
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
  const stale = [...previous].filter((p) => p !== COUNTS && !files.has(p) && existsSync(join(dir, p))).sort();
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
    for (const [path, e] of files) {
      mkdirSync(join(dir, fileNameOf(e.category)), { recursive: true });
      writeFileSync(join(dir, path), studyFileOf(e));
      categories[e.category] = (categories[e.category] ?? 0) + 1;
    }
    const counts = Object.entries(categories).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    writeFileSync(join(dir, COUNTS), ['category, count', ...counts.map(([c, n]) => `${c}, ${n}`)].join('\n') + '\n');
    mark([...planned, ...stale]);
    return { files: files.size, categories, stale };
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
