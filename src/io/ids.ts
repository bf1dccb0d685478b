import { basename, relative, resolve, sep } from 'node:path';
import type { Log } from '../base/log.js';

/**
 * The ids of reports named by their file, as the bug study names them: by the file's base name
 * (`1988`, not `target_missing/host_missing/accel_missing/1988`), or, with `path`, by its path
 * (relative to the folder it was found in, or as given). Ids that two or more files would share
 * are found before any report is read and made distinct, the parent folder's name first
 * (`box64-100`, `fex-100`), then more of the path, with one warning.
 */

/** How a file names its report: its base name (the study's way), or its path. */
export type IdFrom = 'name' | 'path';
export const ID_FROM: readonly IdFrom[] = ['name', 'path'];

/** A file to read: its path, whether it is one report, and its id. */
export interface PlannedFile {
  path: string;
  /** True when the file is one report (a text file), whose id is `id`; otherwise `id` names it only when it fails. */
  single: boolean;
  id: string;
  /** Why the id is not the file's own name: it was shared with another report's. */
  idWarning?: string;
}

/** The id a file would have alone. */
export function fileId(path: string, folder: string | undefined, idFrom: IdFrom): string {
  if (idFrom === 'path') return folder === undefined ? path : relative(folder, path);
  return basename(path);
}

/** The file's name with `depth` of its parent folders' names before it, joined by `-` (`box64-100` at depth 1). */
function withParents(path: string, depth: number): string | undefined {
  const parts = resolve(path).split(sep).filter(Boolean);
  if (depth + 1 > parts.length) return undefined;
  return parts.slice(parts.length - depth - 1).join('-');
}

/**
 * Gives each one-report file (`single`) an id no other report of the list has: a shared id is
 * replaced, in every file that shares it, by the file name with its parent folders' names
 * before it (as few as make them distinct), or, when even the whole paths are alike, a number
 * after it. Says it once to `log`. Files that are not one report keep their id (it names them
 * only in an error). Returns the warning, if any.
 */
export function makeDistinct(files: PlannedFile[], log: Log, idFrom: IdFrom): string | undefined {
  const singles = files.filter((f) => f.single);
  const byId = new Map<string, PlannedFile[]>();
  for (const f of singles) byId.set(f.id, [...(byId.get(f.id) ?? []), f]);
  const shared = [...byId.values()].filter((g) => g.length > 1);
  if (shared.length === 0) return undefined;
  const taken = new Set(byId.keys());
  const examples: string[] = [];
  let renamed = 0;
  for (const group of shared) {
    const old = group[0].id;
    let ids: string[] | undefined;
    for (let depth = 1; ids === undefined; depth++) {
      const named = group.map((f) => withParents(f.path, depth));
      if (named.some((n) => n === undefined)) break;
      const unique = new Set(named).size === named.length && named.every((n) => !taken.has(n!));
      if (unique) ids = named as string[];
    }
    if (ids === undefined) {
      ids = [];
      for (let k = 1; ids.length < group.length; k++) if (!taken.has(`${old}-${k}`)) ids.push(`${old}-${k}`);
    }
    group.forEach((f, i) => {
      f.idWarning = `the id ${old} is shared by ${group.length} reports (${group.map((g) => g.path).join(', ')}): named ${ids![i]} instead`;
      f.id = ids![i];
      taken.add(ids![i]);
    });
    renamed += group.length;
    if (examples.length < 3) examples.push(`${old}: ${ids.join(', ')}`);
  }
  const warning =
    `${renamed} reports shared ${shared.length === 1 ? 'an id' : `${shared.length} ids`} with another report (${examples.join('; ')}${shared.length > examples.length ? '; ...' : ''}): ` +
    `each was named with its parent folder's name to make it distinct${idFrom === 'name' ? '; --id-from path names every report by its path' : ''}`;
  log(`warning: ${warning}`);
  return warning;
}
