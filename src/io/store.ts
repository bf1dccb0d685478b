/**
 * The model directory: where a model's artifacts (artifacts.ts) go on disk. An atomic save,
 * and a load that reads the files the manifest lists and hands them to artifacts.ts's checks.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { open, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CancelledError, ModelError } from '../base/errors.js';
import { knownDigest, listedFiles, readManifest } from './artifacts.js';
import { MANIFEST, MODEL_FILES, type ModelArtifacts } from './format.js';

/** True if `dir` holds a bugcat manifest (a model written by bugcat, whole or damaged). */
export function isModelDir(dir: string): boolean {
  return existsSync(join(dir, MANIFEST));
}

/**
 * Refuses a target that is a file, or a folder holding files that are not a bugcat model
 * (unless `force`). A save checks it; so can a caller before training, so that nobody waits
 * for a model that cannot be written.
 */
export function checkModelDir(dir: string, force: boolean): void {
  const out = resolve(dir);
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory())
    throw new ModelError(`${dir} is a file, not a folder`, { code: 'SAVE_TO_FILE', advice: 'choose another path', path: dir });
  const foreign = readdirSync(out).filter((f) => !MODEL_FILES.includes(f));
  if (!isModelDir(out) && foreign.length > 0 && !force) {
    throw new ModelError(
      `${dir} already holds files that are not a bugcat model (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', ...' : ''})`,
      {
        code: 'SAVE_TO_FOREIGN_FOLDER',
        path: dir,
        advice: 'choose another folder, or save with force to write the model files beside them (other files are left alone)',
      },
    );
  }
}

/**
 * Writes the artifacts to a temporary sibling of `dir`, then moves them into place: a failed or
 * interrupted save never leaves a half-written model at `dir`. Only bugcat's own file names
 * are ever replaced in `dir`; a folder that holds other files and no bugcat model is refused
 * unless `force`. `signal` is checked after the (asynchronous) writes, before anything at `dir`
 * changes: once aborted, the save throws a CancelledError and `dir` is untouched.
 */
export async function saveArtifacts(
  artifacts: ModelArtifacts,
  dir: string,
  opts: { force?: boolean; signal?: AbortSignal } = {},
): Promise<void> {
  const out = resolve(dir);
  checkModelDir(dir, opts.force ?? false);
  if (!existsSync(out)) mkdirSync(dirname(out), { recursive: true });
  const tmp = mkdtempSync(join(dirname(out), `.${basename(out)}.partial-`));
  try {
    chmodSync(tmp, 0o777 & ~process.umask()); // mkdtemp's 0700 would outlive the rename
    for (const [name, data] of Object.entries(artifacts)) await writeFile(join(tmp, name), data);
    if (opts.signal?.aborted) throw new CancelledError(`cancelled: nothing was written to ${dir}`);
    // Commit: from here on no await, so no signal handler runs until the model is in place.
    if (!existsSync(out)) {
      renameSync(tmp, out);
      return;
    }
    // Retire the old manifest first: at every instant `dir` is the old model, no model, or the new one.
    if (existsSync(join(out, MANIFEST))) unlinkSync(join(out, MANIFEST));
    for (const name of Object.keys(artifacts)) if (name !== MANIFEST) renameSync(join(tmp, name), join(out, name));
    renameSync(join(tmp, MANIFEST), join(out, MANIFEST));
    rmdirSync(tmp);
  } finally {
    if (existsSync(tmp)) rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The artifacts in a model folder: its manifest (format and version checked) and every file it
 * lists. The files are read at once, each in chunks in libuv's threads, and each chunk is hashed
 * here while the next one is read: the checksums the load checks are computed as the bytes
 * arrive (artifacts.ts's knownDigest), not in a second pass after the reading.
 */
export async function readArtifacts(dir: string): Promise<ModelArtifacts> {
  if (!existsSync(dir))
    throw new ModelError(`model ${dir} does not exist`, {
      code: 'MODEL_NOT_FOUND',
      advice: 'train one and save it there, or give the folder of a saved model',
      path: dir,
    });
  if (!statSync(dir).isDirectory())
    throw new ModelError(`model ${dir} is a file`, { code: 'MODEL_IS_FILE', advice: 'a model is the folder that a save wrote', path: dir });
  const read = async (name: string): Promise<Uint8Array> => {
    try {
      return await readHashed(join(dir, name));
    } catch {
      throw name === MANIFEST
        ? new ModelError(`${dir} is not a bugcat model (no ${MANIFEST})`, {
            code: 'NOT_A_MODEL',
            advice: 'give the folder of a model that bugcat saved',
            path: dir,
          })
        : new ModelError(`model ${dir} is incomplete: ${name} is missing`, {
            code: 'MODEL_INCOMPLETE',
            advice: 'retrain it or restore the folder from a copy',
          });
    }
  };
  const manifestBytes = await read(MANIFEST);
  const artifacts: Record<string, Uint8Array> = { [MANIFEST]: manifestBytes };
  const names = listedFiles(readManifest(artifacts, dir));
  // A manifest names only plain file names: never a path that leaves the folder.
  for (const name of names)
    if (name !== basename(name) || name === MANIFEST)
      throw new ModelError(`model ${dir} is damaged: its manifest lists "${name}"`, { code: 'MODEL_DAMAGED', advice: 'retrain it' });
  const files = await Promise.allSettled(names.map(read));
  names.forEach((name, k) => {
    const got = files[k];
    if (got.status === 'rejected') throw got.reason;
    artifacts[name] = got.value;
  });
  return artifacts;
}

/** Bytes a read of a file asks for at most: the next is read while this one is hashed. */
const CHUNK = 1 << 20;

/** A file's bytes, read in chunks and hashed as they come (its digest recorded with knownDigest). */
async function readHashed(path: string): Promise<Uint8Array> {
  const file = await open(path, 'r');
  try {
    const size = (await file.stat()).size;
    const bytes = Buffer.allocUnsafeSlow(size);
    const hash = createHash('sha256');
    let at = 0;
    let next = size > 0 ? file.read(bytes, 0, Math.min(CHUNK, size), 0) : undefined;
    while (next) {
      const { bytesRead } = await next;
      if (bytesRead === 0) throw new Error(`${path} is shorter than it was`);
      const from = at;
      at += bytesRead;
      next = at < size ? file.read(bytes, at, Math.min(CHUNK, size - at), at) : undefined;
      hash.update(bytes.subarray(from, at));
    }
    knownDigest(bytes, hash.digest('hex'));
    return bytes;
  } finally {
    await file.close();
  }
}
