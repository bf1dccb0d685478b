import { DataError } from '../base/errors.js';
import type { Log } from '../base/log.js';
import { readTextFile } from './decode.js';
import type { ReportRecord } from './records/record.js';

/**
 * A file that fails alone: one that cannot be read (but exists and is a file), or, within a
 * folder, one that cannot be parsed, is kept as one failed record, said to `log`, so that the
 * other files are still read. A path that does not exist or names a folder stops the run.
 */

/** The failed record that stands for the file `id`, said to `log`. */
export function failedRecord(id: string, err: DataError, log: Log): ReportRecord {
  log(`warning: ${id}: ${err.message}; skipped`);
  return { id, text: '', error: err.message };
}

/** A file's text, or, if it cannot be read, the failed record that stands for it. */
export function readOrFail(path: string, id: string, log: Log): { text: string } | { failed: ReportRecord } {
  try {
    return { text: readTextFile(path).text };
  } catch (err) {
    if (!(err instanceof DataError) || err.code === 'NOT_FOUND' || err.code === 'IS_FOLDER') throw err;
    return { failed: failedRecord(id, err, log) };
  }
}

/** What a file that could not be parsed gives: within a folder, its failed record; elsewhere the error, thrown on. */
export function parseFailed(err: unknown, id: string, inFolder: boolean, log: Log): ReportRecord {
  if (inFolder && err instanceof DataError) return failedRecord(id, err, log);
  throw err;
}
