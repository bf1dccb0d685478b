import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DataError } from '../../base/errors.js';
import type { Log } from '../../base/log.js';
import { readTextFile } from '../decode.js';

/**
 * The folder layout the bug study publishes, read as it ships: `<run>/output/<category>/<id>`
 * (the LLM runs, with their reasoning traces in `<run>/reasoning/`) or `<run>/<category>/<id>`
 * (the zero-shot runs), one plain-text report per file, named by its id, labelled by its folder.
 *
 * What a run folder holds besides reports is left out and said: a zero-shot file starts with
 * the classifier's `label: score` lines (the winner first; `----` between two classifiers) and
 * a blank line: they are its answer, not the report, and a model trained on them learns the
 * label itself; `categories.csv` and `analysis.csv` are counts; a folder given one level too
 * high (the runs) or too low (one category) is an error that says which folder to give.
 */

/** A `label: score` line of the study's zero-shot classifier (a score with a decimal point). */
const SCORE_LINE = /^[^:\n]{1,80}:[ \t]*-?\d*\.\d+[ \t]*$/;
/** A `given: <label>` line after the scores (audit's files: the label the report was given, `given by <name>:` another annotator's). */
const GIVEN_LINE = /^given( by [^:\n]{1,80})?:[ \t]*\S[^\n]*$/;
/** The line between two classifiers' scores. */
const SEPARATOR = /^-{4,}[ \t]*$/;

/** A report text without the classifier's leading score lines (and the separators between them), if it starts with some followed by a blank line or the end. */
export function stripScoreHeader(text: string): { text: string; stripped: boolean } {
  let at = 0;
  let lines = 0;
  while (at < text.length) {
    const end = text.indexOf('\n', at);
    const line = (end < 0 ? text.slice(at) : text.slice(at, end)).replace(/\r$/, '');
    if (!(SCORE_LINE.test(line) || (lines > 0 && (SEPARATOR.test(line) || GIVEN_LINE.test(line))))) break;
    lines++;
    at = end < 0 ? text.length : end + 1;
  }
  if (lines === 0) return { text, stripped: false };
  const rest = text.slice(at);
  if (rest !== '' && !/^[ \t]*\r?\n/.test(rest) && !/^[ \t]*$/.test(rest)) return { text, stripped: false };
  return { text: rest, stripped: true };
}

/** Files beside the category folders that are the study's own bookkeeping (counts, analyses): skipped with a note, not a warning. */
export const BOOKKEEPING = /^(categories|analysis)\.csv$/i;

/**
 * True if `dir` is laid out as a study run: its output/ (or itself) holds category folders, at
 * least one, each holding report files and no folder (so a folder of reports nested by
 * target/host/accel, as the study's scrapes, is not one, nor a folder of files). What
 * readReports reads labelled without being asked.
 */
export function isStudyLayout(dir: string): boolean {
  if (!isDir(dir)) return false;
  const root = isDir(join(dir, 'output')) ? join(dir, 'output') : dir;
  if (basename(root) === 'reasoning') return false;
  const folders = readdirSync(root).filter((e) => !e.startsWith('.') && isDir(join(root, e)));
  if (folders.length === 0) return false;
  return folders.every((f) => {
    const inner = readdirSync(join(root, f)).filter((e) => !e.startsWith('.'));
    return inner.length > 0 && inner.every((e) => !isDir(join(root, f, e)) && !/\.toml$/i.test(e));
  });
}

/** A labelled report of a study folder. */
export interface StudyReport {
  id: string;
  text: string;
  label: string;
}

/**
 * Reads a study run folder (given the run folder or its output/). `log` hears what was skipped
 * and why. Throws a DataError for a folder one level too high or too low, or of reasoning traces.
 */
export function readStudyLayout(dir: string, log: Log): StudyReport[] {
  const hasOutput = isDir(join(dir, 'output'));
  const root = hasOutput ? join(dir, 'output') : dir;
  const entries = readdirSync(root)
    .filter((e) => !e.startsWith('.'))
    .sort();
  const folders = entries.filter((e) => isDir(join(root, e)));
  const files = entries.filter((e) => !isDir(join(root, e)));

  if (folders.length === 0) {
    if (files.length === 0)
      throw new DataError(`${dir} is empty: expected one folder per category with one text file per report (<category>/<id>)`, {
        code: 'STUDY_EMPTY',
        path: dir,
      });
    throw new DataError(
      `${dir} holds ${files.length} file${files.length === 1 ? '' : 's'} but no category folders: it looks like one category's folder (or a folder of unlabelled reports); ` +
        `give the folder above it (${dirname(dir)}), whose sub-folders are the categories`,
      { code: 'STUDY_TOO_LOW', path: dir },
    );
  }
  // One level too high: the folders are runs (with output/), or hold only folders themselves.
  const runs = folders.filter((f) => isDir(join(root, f, 'output')) || isDir(join(root, f, 'reasoning')));
  const onlyFolders = folders.filter((f) => {
    const inner = readdirSync(join(root, f)).filter((e) => !e.startsWith('.'));
    return inner.length > 0 && inner.every((e) => isDir(join(root, f, e)));
  });
  if (runs.length > 0 || onlyFolders.length === folders.length) {
    const named = folders.slice(0, 4);
    throw new DataError(
      `${dir} holds study runs or groups of folders (${named.join(', ')}${folders.length > named.length ? ', ...' : ''}), not category folders of reports: ` +
        `give one run, for example ${join(dir, runs[0] ?? folders[0])}`,
      { code: 'STUDY_TOO_HIGH', path: dir },
    );
  }
  if (basename(root) === 'reasoning') {
    throw new DataError(
      `${dir} holds the classifier's reasoning traces, not the reports: give the run's output/ folder (${join(dirname(root), 'output')})`,
      { code: 'STUDY_REASONING', path: dir },
    );
  }

  const bookkeeping = files.filter((f) => BOOKKEEPING.test(f));
  const loose = files.filter((f) => !BOOKKEEPING.test(f));
  if (bookkeeping.length) log(`skipped ${list(bookkeeping)} in ${root}: the study's counts, not reports`);
  if (loose.length) {
    log(
      `warning: skipped ${loose.length} file${loose.length === 1 ? '' : 's'} beside the category folders in ${root} (${list(loose)}): a report must sit in its category's folder`,
    );
  }
  const out: StudyReport[] = [];
  const nested: string[] = [];
  let headers = 0;
  let unreadable = 0;
  for (const category of folders) {
    for (const id of readdirSync(join(root, category)).sort()) {
      const file = join(root, category, id);
      if (id.startsWith('.')) continue;
      if (isDir(file)) {
        nested.push(`${category}/${id}`);
        continue;
      }
      let text: string;
      try {
        text = readTextFile(file).text;
      } catch (err) {
        if (!(err instanceof DataError)) throw err;
        log(`warning: skipped ${file}: ${err.message}`);
        unreadable++;
        continue;
      }
      const clean = stripScoreHeader(text);
      if (clean.stripped) headers++;
      if (out.length === 0 && /^\s*<think>/.test(clean.text)) {
        throw new DataError(
          `${dir} holds the classifier's reasoning traces (<think> ...), not the reports: give the run's output/ folder`,
          { code: 'STUDY_REASONING', path: dir },
        );
      }
      out.push({ id, text: clean.text, label: category });
    }
  }
  if (nested.length)
    log(
      `warning: skipped ${nested.length} nested folder${nested.length === 1 ? '' : 's'} (${list(nested)}): a category folder holds report files only`,
    );
  if (headers)
    log(
      `${headers} report${headers === 1 ? ' starts' : 's start'} with the classifier's "label: score" lines: left out of the report text`,
    );
  if (out.length === 0) {
    throw new DataError(
      `${dir} holds no reports: expected one folder per category with one text file per report (<category>/<id>)${unreadable ? ` (${unreadable} could not be read)` : ''}`,
      {
        code: 'STUDY_EMPTY',
        path: dir,
      },
    );
  }
  return out;
}

const list = (names: readonly string[]) => `${names.slice(0, 5).join(', ')}${names.length > 5 ? `, ... ${names.length - 5} more` : ''}`;

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** True if `path` is a folder (false if it does not exist or cannot be read). */
export const isFolder = isDir;
