import { readdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { Log } from '../../base/log.js';
import { fileId, makeDistinct, type IdFrom, type PlannedFile } from '../ids.js';
import { formatOf, type InputFormat } from '../sniff.js';
import { BOOKKEEPING, isFolder } from './study.js';

/**
 * A file to read reports from: `id` names its one report if it holds one (a text file: `single`);
 * `inFolder` when it was found under a folder given; `idWarning` when its id was made distinct.
 */
export interface InputFile extends PlannedFile {
  inFolder: boolean;
}

/**
 * The files of paths as a user gives them, in order: a file is itself; a folder is every file
 * under it (see reportFilesIn). A text file's report is named by its base name, as the study
 * names them, or with `idFrom` `path` by its path (relative to the folder, or as given). Every
 * folder is listed before the first file is read, so that ids several files would share are made
 * distinct (see ids.ts) before any report is answered.
 */
export function inputFiles(
  paths: readonly string[],
  log: Log,
  format?: InputFormat,
  idFrom: IdFrom = 'name',
): { files: InputFile[]; warning?: string } {
  const files: InputFile[] = [];
  for (const path of paths) {
    const found = isFolder(path) ? reportFilesIn(path, log).map((file) => ({ file, folder: path })) : [{ file: path, folder: undefined }];
    for (const { file, folder } of found) {
      files.push({
        path: file,
        id: fileId(file, folder, idFrom),
        inFolder: folder !== undefined,
        single: (format ?? formatOf(file)) === 'text',
      });
    }
  }
  return { files, warning: makeDistinct(files, log, idFrom) };
}

/**
 * The report files under a folder, at any depth, sorted: hidden files and folders and the
 * study's bookkeeping (categories.csv, analysis.csv) left out, each said to `log`.
 */
export function reportFilesIn(path: string, log: Log): string[] {
  const files = walk(path);
  if (files.hidden)
    log(`skipped ${files.hidden} hidden file${files.hidden === 1 ? '' : 's'} or folder${files.hidden === 1 ? '' : 's'} under ${path}`);
  const [bookkeeping, reports] = partition(files.list, (f) => BOOKKEEPING.test(basename(f)));
  if (bookkeeping.length) log(`skipped ${bookkeeping.map((f) => relative(path, f)).join(', ')}: the study's counts, not reports`);
  if (reports.length === 0) log(`warning: ${path} holds no files`);
  return reports;
}

function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of items) (test(item) ? yes : no).push(item);
  return [yes, no];
}

/** Every file under a folder, sorted, at any depth; hidden files and folders (a leading dot) left out and counted. */
export function walk(dir: string): { list: string[]; hidden: number } {
  const list: string[] = [];
  let hidden = 0;
  const visit = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (name.startsWith('.')) {
        hidden++;
        continue;
      }
      const path = join(d, name);
      if (isFolder(path)) visit(path);
      else list.push(path);
    }
  };
  visit(dir);
  return { list, hidden };
}
