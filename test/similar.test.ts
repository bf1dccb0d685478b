/**
 * Similar past reports: `train --keep-index` keeps the training reports' ids, labels and cut
 * TF-IDF vectors; `bugcat similar`, Model.similar and POST /v1/similar find the nearest. The
 * corpus is hand-written (test/fixtures/similar.csv): three categories of three reports, each
 * with words of its own, and queries that reword one report, so that the nearest is known.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load, readReports, train, type Model } from '../src/index.js';
import { bugcat, FIXTURES, tmp } from './helpers.js';
import { call, startServer, trainModel, type Server } from './serve-helpers.js';

const CORPUS = join(FIXTURES, 'similar.csv');
const TRAIN = ['--epochs', '6', '--hidden', '8', '--batch-size', '4', '--calibration-folds', '0', '--quiet'];

/** Rewordings of one training report each: the report they reword must come first. */
const QUERIES: [query: string, nearest: string, label: string][] = [
  ['TigerVNC viewer rejects the VNC password\nThe password set with change vnc password is rejected by the viewer.', 's1', 'vnc'],
  ['qcow2 refcount table corrupted\nAfter qemu-img snapshot -d the image has leaked clusters.', 's7', 'files'],
  ['DNS lookups time out with -netdev user\nThe built-in DHCP server gives an address, hostnames do not resolve.', 's6', 'network'],
  ['noVNC websocket connection drops when idle\nAfter sixty seconds the websocket port closes.', 's3', 'vnc'],
];

let dir: string;
let plain: string;

beforeAll(async () => {
  dir = join(tmp('bugcat-similar-'), 'model');
  const r = await bugcat(['train', '--data', CORPUS, '--out', dir, ...TRAIN, '--keep-index']);
  expect(r.status, r.stderr).toBe(0);
  plain = join(tmp('bugcat-similar-'), 'plain');
  const p = await bugcat(['train', '--data', CORPUS, '--out', plain, ...TRAIN]);
  expect(p.status, p.stderr).toBe(0);
}, 120_000);

describe('bugcat similar (the built CLI)', () => {
  it('finds the report each query rewords first, with its label, most similar first', async () => {
    for (const [query, nearest, label] of QUERIES) {
      const r = await bugcat(['similar', '--model', dir, '--format', 'json', '--top', '3', query]);
      expect(r.status, r.stderr).toBe(0);
      const [answer] = JSON.parse(r.stdout);
      expect(answer.similar.length).toBe(3);
      expect(answer.similar[0]).toMatchObject({ id: nearest, labels: [label] });
      const sims = answer.similar.map((s: { similarity: number }) => s.similarity);
      expect([...sims].sort((a, b) => b - a)).toEqual(sims);
      expect(sims[0]).toBeGreaterThan(sims[1]);
      expect(sims[0]).toBeLessThanOrEqual(1);
    }
  });

  it('a training report is most similar to itself (near 1: its indexed vector is cut to its largest weights), unless --exclude-same-id', async () => {
    const all = await bugcat(['similar', '--model', dir, '--data', CORPUS, '--format', 'jsonl', '--top', '2']);
    expect(all.status, all.stderr).toBe(0);
    const lines = all.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual(['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9']);
    for (const l of lines) {
      expect(l.similar[0].id).toBe(l.id);
      expect(l.similar[0].similarity).toBeGreaterThan(0.9);
      expect(l.similar[0].similarity).toBeGreaterThan(l.similar[1].similarity);
    }
    const ex = await bugcat(['similar', '--model', dir, '--data', CORPUS, '--format', 'jsonl', '--top', '2', '--exclude-same-id']);
    const others = ex.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    for (const l of others) for (const s of l.similar) expect(s.id).not.toBe(l.id);
  });

  it('--top and --min-similarity hold in every format (text, csv, json, jsonl), the same reports in each', async () => {
    const [query] = QUERIES[0];
    const base = ['similar', '--model', dir, '--top', '4', '--min-similarity', '0.05', query];
    const json = JSON.parse((await bugcat([...base, '--format', 'json'])).stdout)[0].similar;
    const full = JSON.parse((await bugcat(['similar', '--model', dir, '--top', '9', '--format', 'json', query])).stdout)[0].similar;
    // The full ranking, cut by --top and --min-similarity, is what json gives.
    const expected = full.filter((s: { similarity: number }) => s.similarity >= 0.05).slice(0, 4);
    expect(json).toEqual(expected);
    expect(json.length).toBeGreaterThan(0);
    const jsonl = JSON.parse((await bugcat([...base, '--format', 'jsonl'])).stdout).similar;
    expect(jsonl).toEqual(expected);
    const csv = (await bugcat([...base, '--format', 'csv'])).stdout.trim().split('\n');
    expect(csv[0]).toBe('id,rank,similar_id,labels,similarity,error');
    expect(csv.slice(1)).toEqual(
      expected.map(
        (s: { id: string; labels: string[]; similarity: number }, k: number) =>
          `1,${k + 1},${s.id},${s.labels.join(';')},${s.similarity.toFixed(4)},`,
      ),
    );
    const text = (await bugcat([...base, '--format', 'text'])).stdout.trim().split('\n');
    expect(text).toEqual(
      expected.map(
        (s: { id: string; labels: string[]; similarity: number }) => `${s.similarity.toFixed(4)}\t${s.id}\t${s.labels.join(',')}`,
      ),
    );
    // A cut-off above every similarity leaves none, said in each format.
    const none = await bugcat([
      'similar',
      '--model',
      dir,
      '--min-similarity',
      '1',
      '--format',
      'json',
      'an unrelated report about nothing',
    ]);
    expect(JSON.parse(none.stdout)).toEqual([{ id: '1', similar: [] }]);
  });

  it('a model without an index: exit 1 and what to do', async () => {
    const r = await bugcat(['similar', '--model', plain, 'VNC password rejected']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/keeps no index of its training reports/);
    expect(r.stderr).toMatch(/--keep-index/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(plain, 'similar.bin'))).toBe(false);
  });

  it('a report that cannot be read keeps its row and the others are compared (exit 3)', async () => {
    const folder = tmp('bugcat-similar-in-');
    writeFileSync(join(folder, 'good.txt'), QUERIES[1][0]);
    writeFileSync(join(folder, 'bad.bin'), Buffer.from([0, 1, 2, 3, 0, 0, 0, 5, 6, 0, 0, 0, 0, 7, 0, 0]));
    const r = await bugcat(['similar', '--model', dir, '--format', 'jsonl', folder]);
    expect(r.status).toBe(3);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.find((x) => x.id === 'bad.bin')?.error).toBeTruthy();
    expect(rows.find((x) => x.id === 'good.txt')?.similar[0].id).toBe('s7');
  });

  it('usage errors exit 2', async () => {
    expect((await bugcat(['similar', '--model', dir, '--top', '0', 'x'])).status).toBe(2);
    expect((await bugcat(['similar', '--model', dir, '--min-similarity', '2', 'x'])).status).toBe(2);
    expect((await bugcat(['train', '--data', CORPUS, '--out', join(tmp(), 'm'), '--keep-index', '-1'])).status).toBe(2);
  });
});

describe('Model.similar (the library)', () => {
  let trained: Model;
  beforeAll(async () => {
    trained = await train(readReports(CORPUS, { labelColumn: 'label' }), {
      hyperparameters: { epochs: 6, hidden: 8, batchSize: 4, calibrationFolds: 0 },
      keepIndex: { terms: 16 },
      threads: 1,
    });
  }, 60_000);

  it('answers as it did before a save and a load; the index file is read lazily and checked', async () => {
    expect(trained.hasIndex).toBe(true);
    const out = join(tmp('bugcat-similar-lib-'), 'm');
    await trained.save(out);
    expect(statSync(join(out, 'similar.bin')).size).toBeGreaterThan(0);
    const loaded = await load(out);
    for (const [query, nearest] of QUERIES) {
      const a = trained.similar(query, { top: 9 });
      expect(loaded.similar(query, { top: 9 })).toEqual(a);
      expect(a[0].id).toBe(nearest);
    }
    // A damaged index fails the checksum at load, as any model file does.
    const bytes = readFileSync(join(out, 'similar.bin'));
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(join(out, 'similar.bin'), bytes);
    await expect(load(out)).rejects.toMatchObject({ code: 'MODEL_DAMAGED' });
  });

  it('keeps at most `terms` weights a report: fewer terms, a smaller file, the same nearest reports here', async () => {
    const all = await train(readReports(CORPUS, { labelColumn: 'label' }), {
      hyperparameters: { epochs: 6, hidden: 8, batchSize: 4, calibrationFolds: 0 },
      keepIndex: { terms: 0 },
      threads: 1,
    });
    const small = trained.toArtifacts()['similar.bin'].length;
    const big = all.toArtifacts()['similar.bin'].length;
    expect(small).toBeLessThan(big);
    for (const [query, nearest] of QUERIES) expect(all.similar(query)[0].id).toBe(nearest);
  });

  it('checks its options, and refuses without an index', async () => {
    expect(() => trained.similar('x', { top: 0 })).toThrow(/top is 0/);
    expect(() => trained.similar('x', { minSimilarity: 1.5 })).toThrow(/minSimilarity/);
    expect(() => trained.similar('x', { tpo: 3 } as never)).toThrow(/tpo/);
    expect(trained.similar('   ')).toEqual([]);
    expect(trained.similar(QUERIES[0][0], { exclude: ['s1'] }).map((s) => s.id)).not.toContain('s1');
    const noIndex = await load(plain);
    expect(noIndex.hasIndex).toBe(false);
    expect(() => noIndex.similar('x')).toThrow(expect.objectContaining({ code: 'NO_INDEX' }));
  });
});

describe('POST /v1/similar (the real server)', () => {
  let server: Server;
  let bare: Server;
  beforeAll(async () => {
    server = await startServer(['--model', dir]);
    bare = await startServer(['--model', await trainModel()]);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await bare?.stop();
  });

  it('answers the nearest training reports, as the CLI does', async () => {
    const [query, nearest] = QUERIES[2];
    const a = await call(server, 'POST', '/v1/similar', { body: { id: 42, text: query, top: 3 } });
    expect(a.status, a.text).toBe(200);
    expect(a.json.id).toBe(42);
    expect(a.json.similar).toHaveLength(3);
    expect(a.json.similar[0].id).toBe(nearest);
    const cli = JSON.parse((await bugcat(['similar', '--model', dir, '--format', 'json', '--top', '3', query])).stdout)[0].similar;
    expect(a.json.similar.map((s: { id: string }) => s.id)).toEqual(cli.map((s: { id: string }) => s.id));
    const [title, ...rest] = query.split('\n');
    const tb = await call(server, 'POST', '/v1/similar', { body: { title, body: rest.join('\n'), min_similarity: 0.99 } });
    expect(tb.status).toBe(200);
    expect(tb.json.similar).toEqual([]);
    const ex = await call(server, 'POST', '/v1/similar', { body: { text: query, exclude: [nearest] } });
    expect(ex.json.similar.map((s: { id: string }) => s.id)).not.toContain(nearest);
    expect((await call(server, 'GET', '/v1/model')).json.similar).toBe(true);
  });

  it('bad requests get 4xx and the server stays up', async () => {
    expect((await call(server, 'POST', '/v1/similar', { body: { text: 'x', top: 0 } })).status).toBe(400);
    expect((await call(server, 'POST', '/v1/similar', { body: { text: 'x', min_similarity: 2 } })).status).toBe(400);
    expect((await call(server, 'POST', '/v1/similar', { body: { text: 'x', tpo: 1 } })).status).toBe(400);
    expect((await call(server, 'POST', '/v1/similar', { body: { top: 2 } })).status).toBe(400);
    expect((await call(server, 'POST', '/v1/similar', { body: { text: 'x', exclude: 's1' } })).status).toBe(400);
    expect((await call(server, 'GET', '/healthz')).status).toBe(200);
  });

  it('a model without an index: 409 saying how to get one', async () => {
    const a = await call(bare, 'POST', '/v1/similar', { body: { text: 'VNC password rejected' } });
    expect(a.status).toBe(409);
    expect(a.json.error.message).toMatch(/keeps no index.*--keep-index/);
    expect((await call(bare, 'GET', '/v1/model')).json.similar).toBe(false);
  });
});
