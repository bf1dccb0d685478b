/**
 * Promote and roll back (`serve --models DIR`): a candidate scored beside the active model and
 * refused when worse (unless --force), the old model kept as previous and the one before moved
 * aside (never deleted), rollback, the links swapped atomically; and the service picking the
 * change up on SIGHUP while requests keep coming, none failing.
 *
 * The test set is the fixtures' reports on which models A and B (two seeds) give the same
 * answer, labelled with it (so both score 1 and neither is worse), and the worse candidate is
 * trained on the fixtures with their labels rotated (so it answers otherwise).
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bugcat, FAST, REPORTS, tmp } from './helpers.js';
import { call, checksumOf, copyModel, startServer, traffic, trainModel, until, type Server } from './serve-helpers.js';

let modelA: string;
let modelB: string;
let worse: string;
let testSet: string;
let testSize: number;

/** What a models folder's links point at: the model folders' checksums. */
const serving = (dir: string) => ({
  active: existsSync(join(dir, 'active')) ? checksumOf(join(dir, 'active')) : undefined,
  previous: existsSync(join(dir, 'previous')) ? checksumOf(join(dir, 'previous')) : undefined,
});

beforeAll(async () => {
  [modelA, modelB] = await Promise.all([trainModel(1), trainModel(2)]);
  const rows = parse(readFileSync(REPORTS), { columns: true }) as Record<string, string>[];
  const labelled = rows.filter((r) => r.label && r.label !== 'manual-review');
  const labels = [...new Set(labelled.map((r) => r.label))].sort();
  const work = tmp('bugcat-promote-');
  const rotated = join(work, 'rotated.csv');
  writeFileSync(
    rotated,
    stringify(
      labelled.map((r) => ({ id: r.id, text: r.text, label: labels[(labels.indexOf(r.label) + 1) % labels.length] })),
      { header: true },
    ),
  );
  worse = join(work, 'worse');
  const w = await bugcat(['train', '--data', rotated, '--out', worse, ...FAST]);
  expect(w.status, w.stderr).toBe(0);
  // The test set: the fixtures' texts on which A and B agree, labelled with their answer.
  const answersOf = async (model: string) =>
    (await bugcat(['predict', '--model', model, '--data', REPORTS, '--format', 'jsonl'])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).label as string);
  const [a, b] = [await answersOf(modelA), await answersOf(modelB)];
  const agreed = rows.flatMap((r, i) => (a[i] === b[i] ? [{ id: r.id, text: r.text, label: a[i] }] : []));
  testSize = agreed.length;
  expect(testSize).toBeGreaterThan(20);
  testSet = join(work, 'test.csv');
  writeFileSync(testSet, stringify(agreed, { header: true }));
}, 120_000);

describe('bugcat promote and rollback', () => {
  it('promotes into an empty folder, refuses a worse candidate (exit 1, nothing changed), keeps previous, archives the one before, rolls back', async () => {
    const dir = join(tmp('bugcat-models-'), 'models');
    const first = await bugcat(['promote', modelA, '--models', dir, '--data', testSet]);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/active +none/);
    expect(serving(dir)).toEqual({ active: checksumOf(modelA), previous: undefined });
    expect(lstatSync(join(dir, 'active')).isSymbolicLink()).toBe(true);

    // Worse: refused, with both figures, the folder as it was.
    const links = readlinkSync(join(dir, 'active'));
    const refused = await bugcat(['promote', worse, '--models', dir, '--data', testSet, '--json', join(dir, '..', 'c.json')]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/is worse than the active model by accuracy .*not promoted.*--force/);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    const c = JSON.parse(readFileSync(join(dir, '..', 'c.json'), 'utf8'));
    expect(c).toMatchObject({ promoted: false, noWorse: false, metric: 'accuracy', n: testSize });
    expect(c.active.accuracy).toBe(1);
    expect(c.candidate.accuracy).toBeLessThan(1);
    expect(c.activeOnlyRight).toBeGreaterThan(0);
    expect(readlinkSync(join(dir, 'active'))).toBe(links);
    expect(existsSync(join(dir, 'previous'))).toBe(false);

    // No worse: promoted; A stays as previous.
    const second = await bugcat(['promote', modelB, '--models', dir, '--data', testSet]);
    expect(second.status, second.stderr).toBe(0);
    expect(serving(dir)).toEqual({ active: checksumOf(modelB), previous: checksumOf(modelA) });

    // Forced: the worse one goes in, B is previous, A is moved to archive/ whole.
    const forced = await bugcat(['promote', worse, '--models', dir, '--data', testSet, '--force']);
    expect(forced.status, forced.stderr).toBe(0);
    expect(forced.stderr).toMatch(/forced/);
    expect(serving(dir)).toEqual({ active: checksumOf(worse), previous: checksumOf(modelB) });
    const archived = readdirSync(join(dir, 'archive'));
    expect(archived).toHaveLength(1);
    expect(checksumOf(join(dir, 'archive', archived[0]))).toBe(checksumOf(modelA));
    // The candidates' own folders are left as they were.
    for (const m of [modelA, modelB, worse]) expect(existsSync(join(m, 'bugcat.json'))).toBe(true);

    // Rollback, and a second one undoes the first.
    const back = await bugcat(['rollback', '--models', dir]);
    expect(back.status, back.stderr).toBe(0);
    expect(serving(dir)).toEqual({ active: checksumOf(modelB), previous: checksumOf(worse) });
    expect((await bugcat(['rollback', '--models', dir])).status).toBe(0);
    expect(serving(dir)).toEqual({ active: checksumOf(worse), previous: checksumOf(modelB) });
    // The models served load and predict (the copies are whole).
    const p = await bugcat(['predict', '--model', join(dir, 'active'), 'vnc display freezes']);
    expect(p.status, p.stderr).toBe(0);
  }, 120_000);

  it('a model folder a person put at DIR/active is moved into DIR/models, never deleted', async () => {
    const dir = join(tmp('bugcat-models-'), 'models');
    mkdirSync(dir);
    const mine = copyModel(modelA);
    // The person's copy at DIR/active, with a note of their own beside the model's files.
    const active = join(dir, 'active');
    mkdirSync(active);
    for (const f of readdirSync(mine)) writeFileSync(join(active, f), readFileSync(join(mine, f)));
    writeFileSync(join(active, 'NOTES.txt'), 'mine\n');
    const r = await bugcat(['promote', modelB, '--models', dir, '--data', testSet]);
    expect(r.status, r.stderr).toBe(0);
    expect(serving(dir)).toEqual({ active: checksumOf(modelB), previous: checksumOf(modelA) });
    expect(readFileSync(join(realpathSync(join(dir, 'previous')), 'NOTES.txt'), 'utf8')).toBe('mine\n');
  }, 60_000);

  it('refusals: no previous to roll back to, a folder that does not exist, a held lock, no --data', async () => {
    const dir = join(tmp('bugcat-models-'), 'models');
    expect((await bugcat(['promote', modelA, '--models', dir, '--data', testSet])).status).toBe(0);
    const none = await bugcat(['rollback', '--models', dir]);
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/no previous model to roll back to/);
    const missing = await bugcat(['rollback', '--models', join(dir, 'nothing')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/does not exist/);
    expect(existsSync(join(dir, 'nothing'))).toBe(false);
    writeFileSync(join(dir, '.lock'), '1\n');
    const locked = await bugcat(['promote', modelB, '--models', dir, '--data', testSet]);
    expect(locked.status).toBe(1);
    expect(locked.stderr).toMatch(/locked by another promote or rollback/);
    expect(serving(dir).active).toBe(checksumOf(modelA));
    expect((await bugcat(['promote', modelB, '--models', dir])).status).toBe(2);
    expect((await bugcat(['promote', modelB, '--data', testSet])).status).toBe(2);
    expect((await bugcat(['serve', '--models', dir, '--model', modelA])).status).toBe(2);
  }, 60_000);
});

describe('serve --models: promote and rollback picked up on SIGHUP, no request failing', () => {
  let dir: string;
  let server: Server;
  beforeAll(async () => {
    dir = join(tmp('bugcat-models-'), 'models');
    const r = await bugcat(['promote', modelA, '--models', dir, '--data', testSet]);
    expect(r.status, r.stderr).toBe(0);
    server = await startServer(['--models', dir, '--workers', '2']);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('serves DIR/active; requests sent all through a promote, a SIGHUP, a rollback and a SIGHUP all succeed', async () => {
    expect((await call(server, 'GET', '/v1/model')).json.checksum).toBe(checksumOf(modelA));
    const load = traffic(server);
    await load.more(20);
    const promoted = await bugcat(['promote', modelB, '--models', dir, '--data', testSet]);
    expect(promoted.status, promoted.stderr).toBe(0);
    await load.more(10);
    server.child.kill('SIGHUP');
    await until(async () => (await call(server, 'GET', '/healthz')).json.model === checksumOf(modelB));
    await load.more(20);
    expect((await bugcat(['rollback', '--models', dir])).status).toBe(0);
    server.child.kill('SIGHUP');
    await until(async () => (await call(server, 'GET', '/healthz')).json.model === checksumOf(modelA));
    await load.more(20);
    const answers = await load.stop();
    expect(answers.length).toBeGreaterThanOrEqual(70);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    const models = answers.map((a) => a.model);
    // A, then B, then A again: each answered by one whole model.
    expect(new Set(models)).toEqual(new Set([checksumOf(modelA), checksumOf(modelB)]));
    const firstB = models.indexOf(checksumOf(modelB));
    expect(firstB).toBeGreaterThan(0);
    expect(models.lastIndexOf(checksumOf(modelA))).toBeGreaterThan(models.lastIndexOf(checksumOf(modelB)));
    expect(server.stderr()).not.toMatch(/new model refused/);
  }, 120_000);
});
