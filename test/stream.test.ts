/**
 * Any size, every core (issue 17): predict streams its input in bounded batches, in order,
 * writing before the input ends; --jobs spreads the work over threads with the same answers
 * as one thread, in predict, train and cv.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { predictStream, readReports, streamReports, train, type ReportRecord } from '../src/index.js';
import { bugcat, CLI, FAST, REPORTS, ROOT, tmp } from './helpers.js';

const rows = parse(readFileSync(REPORTS), { columns: true }) as Record<string, string>[];
let model: string;
let big: string;
/**
 * 2,560 reports: five batches of 512, so that predict hands the last two to a worker thread (the
 * first three are answered in the main thread). Every tenth copy ends with an escape code, in the
 * worker's batches too, so that what a report's text held reaches its row from either thread.
 */
const COPIES = 80;
const all = Array.from({ length: COPIES }, (_, k) =>
  rows.map((r) => ({ id: `${r.id}-${k}`, text: `${r.text}\ncopy ${k}${k % 10 === 9 ? '\u001b[0m' : ''}` })),
).flat();

beforeAll(async () => {
  model = join(tmp(), 'model');
  expect((await bugcat(['train', '--data', REPORTS, '--out', model, ...FAST])).status).toBe(0);
  big = join(tmp(), 'big.csv');
  writeFileSync(big, stringify(all, { header: true, columns: ['id', 'text'] }));
}, 120_000);

describe('predict streams, on every core, with the same answers', () => {
  it.each(['csv', 'json', 'jsonl', 'text'])('--jobs 2 writes exactly what --jobs 1 writes (%s)', async (format) => {
    const one = await bugcat(['predict', '--model', model, '--data', big, '--format', format, '--jobs', '1', '--top', '2']);
    const two = await bugcat(['predict', '--model', model, '--data', big, '--format', format, '--jobs', '2', '--top', '2']);
    expect(one.status, one.stderr).toBe(0);
    expect(two.status, two.stderr).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    if (format === 'csv') {
      const out = parse(one.stdout, { columns: true }) as Record<string, string>[];
      expect(out).toHaveLength(rows.length * COPIES);
      expect(out.map((r) => r.id).slice(0, 3)).toEqual([`${rows[0].id}-0`, `${rows[1].id}-0`, `${rows[2].id}-0`]);
    }
    if (format === 'json') {
      const out = JSON.parse(one.stdout) as { id: string; control_characters?: number }[];
      expect(out).toHaveLength(rows.length * COPIES);
      // Marked on every dirty copy, the last ones (predicted in the worker with --jobs 2) included.
      const dirty = all.filter((_, i) => Math.floor(i / rows.length) % 10 === 9).map((r) => r.id);
      expect(out.filter((r) => r.control_characters === 1).map((r) => r.id)).toEqual(dirty);
      expect(dirty.at(-1)).toBe(`${rows.at(-1)!.id}-${COPIES - 1}`);
    }
  });

  it('writes its first predictions before the input ends (a stream on stdin, still open)', async () => {
    const child = spawn(process.execPath, [CLI, 'predict', '--model', model, '--data', '-', '--format', 'jsonl', '--jobs', '1'], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // The header and well over one batch of reports; the stream stays open.
    child.stdin.write(stringify(all.slice(0, 700), { header: true, columns: ['id', 'text'] }));
    const first = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString())));
    expect(JSON.parse(first.split('\n')[0]).id).toBe(`${rows[0].id}-0`);
    expect(child.exitCode).toBeNull(); // still running: the input has not ended
    child.stdin.end(stringify(all.slice(700)));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
  });

  it('--progress reports on stderr, never on stdout', async () => {
    const r = await bugcat(['predict', '--model', model, '--data', big, '--format', 'csv', '--progress']);
    expect(r.stderr).toMatch(new RegExp(`bugcat: ${(rows.length * COPIES).toLocaleString('en')} reports, [\\d,]+/s`));
    expect(r.stdout).not.toMatch(/reports, /);
    const quiet = await bugcat(['predict', '--model', model, '--data', big, '--format', 'csv']);
    expect(quiet.stderr).not.toMatch(/\/s/);
  });

  it('the library streams too: streamReports and predictStream give what predict gives, in order, in bounded batches', async () => {
    const lib = await train(readReports(REPORTS, { labelColumn: 'label' }), { hyperparameters: { epochs: 10, hidden: 16, batchSize: 4 } });
    const batches: number[] = [];
    const ids: string[] = [];
    const progress = { bytesRead: 0 };
    for await (const batch of predictStream(lib, streamReports([big], { progress }), { batchSize: 100, jobs: 1 })) {
      batches.push(batch.length);
      ids.push(...batch.map((p) => p.id));
    }
    // The progress counts every byte of the file, once.
    expect(progress).toEqual({ bytesRead: readFileSync(big).length, bytesTotal: readFileSync(big).length });
    expect(Math.max(...batches)).toBe(100);
    expect(ids).toHaveLength(rows.length * COPIES);
    expect(ids[rows.length]).toBe(`${rows[0].id}-1`);
  });

  it('streamReports(...).batches() gives the same reports in arrays, and predictStream the same answers over them', async () => {
    const lib = await train(readReports(REPORTS, { labelColumn: 'label' }), { hyperparameters: { epochs: 5, hidden: 16, batchSize: 4 } });
    const one: string[] = [];
    for await (const r of streamReports([big, REPORTS])) one.push(JSON.stringify(r));
    const sizes: number[] = [];
    const many: string[] = [];
    for await (const batch of streamReports([big, REPORTS]).batches()) {
      sizes.push(batch.length);
      many.push(...batch.map((r) => JSON.stringify(r)));
    }
    expect(many).toEqual(one);
    expect(Math.min(...sizes)).toBeGreaterThan(0);
    expect(sizes.length).toBeLessThan(one.length / 10); // in arrays, not one at a time
    const answers = async (records: AsyncIterable<ReportRecord | readonly ReportRecord[]>) => {
      const out: string[] = [];
      for await (const batch of predictStream(lib, records, { batchSize: 100, jobs: 1 })) out.push(...batch.map((p) => JSON.stringify(p)));
      return out;
    };
    expect(await answers(streamReports([big]).batches())).toEqual(await answers(streamReports([big])));
  });

  it('a reader that breaks out early ends its program normally (the files are closed, nothing waits forever)', async () => {
    const jsonl = join(tmp(), 'big.jsonl');
    writeFileSync(jsonl, all.map((r) => JSON.stringify(r)).join('\n') + '\n');
    // Without the fix, the CSV feed waited for a drain that never came: node exited with code 13 (an unsettled await), printing nothing.
    const script = `import { streamReports } from ${JSON.stringify(join(ROOT, 'dist', 'index.js'))};
for (const path of ${JSON.stringify([big, jsonl])}) {
  let n = 0;
  for await (const r of streamReports(path)) if (++n === 2) break;
  console.log(path.slice(-4), n);
}
console.log('done');`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(out).toBe('.csv 2\nsonl 2\ndone\n');
    expect(code).toBe(0);
  });
});

describe('threads started before the model is loaded (PredictionPool.prestart)', () => {
  it('predict on a large input (over 8 MB) starts them early, with the same answers as one thread', async () => {
    // 4,200 reports of about 2.2 KB: 9 MB, over the size from which predict starts its threads before loading the model.
    const pad = rows
      .map((r) => r.text)
      .join(' ')
      .slice(0, 2000);
    const large = Array.from({ length: 4200 }, (_, k) => ({ id: `r${k}`, text: `${rows[k % rows.length].text}\n${k} ${pad}` }));
    const file = join(tmp(), 'large.csv');
    writeFileSync(file, stringify(large, { header: true, columns: ['id', 'text'] }));
    expect(readFileSync(file).length).toBeGreaterThan(8 << 20);
    const one = await bugcat(['predict', '--model', model, '--data', file, '--format', 'jsonl', '--jobs', '1']);
    const two = await bugcat(['predict', '--model', model, '--data', file, '--format', 'jsonl', '--jobs', '2']);
    expect(one.status, one.stderr).toBe(0);
    expect(two.status, two.stderr).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    expect(two.stdout.trim().split('\n')).toHaveLength(4200);
  }, 120_000);

  it('a pool takes the prestarted threads and gives their batches the same answers; unused ones never hold a program open', async () => {
    // In a program of its own, on the built package: the worker threads run its compiled modules.
    const textsFile = join(tmp(), 'texts.json');
    writeFileSync(textsFile, JSON.stringify(all.slice(0, 1200).map((r) => r.text)));
    const script = `import { readFileSync } from 'node:fs';
import { load, predictStream, prestartStream, PredictionPool } from ${JSON.stringify(join(ROOT, 'dist', 'index.js'))};
const texts = JSON.parse(readFileSync(${JSON.stringify(textsFile)}, 'utf8'));
const model = await load(${JSON.stringify(model)});
const answers = async (jobs, kernels) => {
  const out = [];
  const records = (async function* () { for (const [i, text] of texts.entries()) yield { id: String(i), text }; })();
  for await (const batch of predictStream(model, records, { jobs, batchSize: 100, kernels })) out.push(...batch.map((p) => JSON.stringify(p)));
  return out;
};
const alone = await answers(1);
prestartStream(2, { kernels: 'js' });
prestartStream(2);
console.log('before', PredictionPool.spares());
const two = await answers(2);
console.log('same', two.length, JSON.stringify(two) === JSON.stringify(alone));
console.log('after', PredictionPool.spares());
await answers(2, 'js');
console.log('after js', PredictionPool.spares());
prestartStream(2);
console.log('left', PredictionPool.spares());`;
    // A file, not -e: worker threads inherit the program's flags, and --input-type is refused for a file.
    const file = join(tmp(), 'prestart.mjs');
    writeFileSync(file, script);
    const child = spawn(process.execPath, [file], { cwd: ROOT });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    // Each pool took the prestarted thread of its runtime choices (the default kernels', then the plain loops'); with one left unused, the program ended by itself.
    expect(out, err).toBe('before 2\nsame 1200 true\nafter 1\nafter js 0\nleft 1\n');
    expect(code).toBe(0);
  }, 60_000);
});

describe('train and cv on every core, with the same results', () => {
  it('train --jobs 2 writes the same model as --jobs 1', async () => {
    const data = join(tmp(), 'train.csv');
    // 120 reports: enough for the calibration models, which train beside the final one.
    const all = Array.from({ length: 4 }, (_, k) =>
      rows.map((r) => ({ id: `${r.id}-${k}`, text: `${r.text}\nrun ${k}`, label: r.label })),
    ).flat();
    writeFileSync(data, stringify(all, { header: true, columns: ['id', 'text', 'label'] }));
    const a = join(tmp(), 'a');
    const b = join(tmp(), 'b');
    expect((await bugcat(['train', '--data', data, '--out', a, '--jobs', '1', ...FAST])).status).toBe(0);
    expect((await bugcat(['train', '--data', data, '--out', b, '--jobs', '2', ...FAST])).status).toBe(0);
    for (const f of ['weights.bin', 'vocabulary.json', 'model.json', 'fingerprints.bin', 'lookup.bin'])
      expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f))), f).toBe(true);
    const manifest = (d: string) => JSON.parse(readFileSync(join(d, 'bugcat.json'), 'utf8'));
    expect(manifest(b).calibration).toEqual(manifest(a).calibration);
    expect(manifest(a).training.calibrationReports).toBe(120);
  });

  it('cv --jobs 2 prints the same figures as --jobs 1', async () => {
    const one = await bugcat(['cv', '--data', REPORTS, '--folds', '3', '--jobs', '1', ...FAST]);
    const two = await bugcat(['cv', '--data', REPORTS, '--folds', '3', '--jobs', '2', ...FAST]);
    expect(one.status, one.stderr).toBe(0);
    expect(two.stdout).toBe(one.stdout);
  });
});
