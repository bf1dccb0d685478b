/**
 * A folder of served models (`serve --models DIR`), promoted and rolled back atomically:
 *
 *   DIR/active    -> models/<name>    the model served (a symbolic link)
 *   DIR/previous  -> models/<name>    the one it replaced: what rollback brings back
 *   DIR/models/<name>/                each promoted model, a copy of its files (<name>: when, and its checksum)
 *   DIR/archive/<name>/               models neither active nor previous any more, moved aside, never deleted
 *
 * `active` and `previous` change only by rename(2) of a new link over the old one, so that a
 * reader (a reloading service) finds the old model or the new one, never a mix or none. A model
 * is copied into models/ whole (a temporary folder renamed into place) before any link points at
 * it. A folder a person put at `active` or `previous` is moved into models/ first, its files kept.
 * One promote or rollback at a time: DIR/.lock.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { ModelError } from '../base/errors.js';
import { MANIFEST } from './format.js';
import { readArtifacts, saveArtifacts } from './store.js';

export const ACTIVE = 'active';
export const PREVIOUS = 'previous';
export const VERSIONS = 'models';
export const ARCHIVE = 'archive';
const LOCK = '.lock';

type Slot = typeof ACTIVE | typeof PREVIOUS;

/** What a models folder holds now: the model folders `active` and `previous` point at (undefined where there is none). */
export interface ModelsState {
  dir: string;
  active?: string;
  previous?: string;
}

/** The folder a slot points at (its link's target, resolved; the folder itself if a person put one there), or undefined. */
function target(dir: string, slot: Slot): string | undefined {
  const path = join(dir, slot);
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return undefined;
  }
  if (stat.isSymbolicLink()) return resolve(dir, readlinkSync(path));
  if (stat.isDirectory()) return path;
  throw new ModelError(`${path} is a file, not a model folder or a link to one`, {
    code: 'MODELS_DIR',
    advice: `move it away: ${dir} is a models folder (serve --models), where ${slot} is bugcat's`,
    path,
  });
}

/** The models folder's state. */
export function modelsState(dir: string): ModelsState {
  return { dir, active: target(dir, ACTIVE), previous: target(dir, PREVIOUS) };
}

/** Points `slot` at `folder` (inside dir) in one rename: a reader sees the old target or the new one. */
function point(dir: string, slot: Slot, folder: string): void {
  const tmp = join(dir, `.${slot}.new-${process.pid}`);
  rmSync(tmp, { force: true }); // a link a crashed run left (never a folder: rmSync without recursive refuses those)
  symlinkSync(relative(dir, folder), tmp);
  renameSync(tmp, join(dir, slot));
}

/** `<when>-<checksum>`: a model folder's name in models/ (the SHA-256 of its manifest, which holds its files'). */
function versionName(folder: string): string {
  const sha = createHash('sha256')
    .update(readFileSync(join(folder, MANIFEST)))
    .digest('hex');
  return `${new Date().toISOString().replace(/[:.]/g, '-')}-${sha.slice(0, 12)}`;
}

/** A slot that is a folder a person put there becomes a link to that folder, moved into models/ whole. */
function adopt(dir: string, slot: Slot): void {
  const path = join(dir, slot);
  if (!existsSync(path) || lstatSync(path).isSymbolicLink()) return;
  if (!existsSync(join(path, MANIFEST)))
    throw new ModelError(`${path} is a folder but not a bugcat model (no ${MANIFEST})`, {
      code: 'MODELS_DIR',
      advice: `move it away: in a models folder (serve --models), ${slot} is a model bugcat promoted`,
      path,
    });
  const name = versionName(path);
  mkdirSync(join(dir, VERSIONS), { recursive: true });
  renameSync(path, join(dir, VERSIONS, name));
  point(dir, slot, join(dir, VERSIONS, name));
}

/** Runs `work` holding the folder's lock (created exclusively), refusing if another run holds it. */
export async function withModelsLock<T>(dir: string, work: () => Promise<T> | T): Promise<T> {
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, LOCK);
  try {
    writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
  } catch {
    throw new ModelError(`${dir} is locked by another promote or rollback (${lock})`, {
      code: 'MODELS_LOCKED',
      advice: `wait for it to end; if none is running (a crash left the lock), remove ${lock}`,
      path: lock,
    });
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { force: true });
  }
}

/**
 * Copies the model in folder `candidate` (its manifest and the files it lists, checked) into
 * models/ whole, then makes it active and the active one previous; the one that was previous,
 * if neither is it now, moves to archive/. Returns the state after, and what was archived.
 * The caller holds the lock.
 */
export async function activate(dir: string, candidate: string): Promise<ModelsState & { archived?: string }> {
  adopt(dir, ACTIVE);
  adopt(dir, PREVIOUS);
  const before = modelsState(dir);
  const artifacts = await readArtifacts(candidate);
  const folder = join(dir, VERSIONS, versionName(candidate));
  await saveArtifacts(artifacts, folder);
  point(dir, ACTIVE, folder);
  let archived: string | undefined;
  if (before.active) point(dir, PREVIOUS, before.active);
  const old = before.previous;
  if (old && old !== before.active && old !== folder && resolve(old, '..') === resolve(dir, VERSIONS)) {
    mkdirSync(join(dir, ARCHIVE), { recursive: true });
    archived = join(dir, ARCHIVE, basename(old));
    renameSync(old, archived);
  }
  return { ...modelsState(dir), archived };
}

/** Makes the previous model active again, and the active one previous (a second rollback undoes the first). The caller holds the lock. */
export function swapBack(dir: string): ModelsState {
  const { active, previous } = modelsState(dir);
  if (!previous)
    throw new ModelError(`${dir} holds no previous model to roll back to`, {
      code: 'NO_PREVIOUS',
      advice: 'a previous model is kept by bugcat promote; promote one first',
      path: join(dir, PREVIOUS),
    });
  adopt(dir, ACTIVE);
  adopt(dir, PREVIOUS);
  const after = modelsState(dir);
  point(dir, ACTIVE, after.previous!);
  if (active) point(dir, PREVIOUS, after.active!);
  return modelsState(dir);
}

/** The model folders in models/ and archive/, for a listing. */
export function versions(dir: string): { kept: string[]; archived: string[] } {
  const list = (sub: string) => (existsSync(join(dir, sub)) ? readdirSync(join(dir, sub)).filter((f) => !f.startsWith('.')) : []);
  return { kept: list(VERSIONS), archived: list(ARCHIVE) };
}
