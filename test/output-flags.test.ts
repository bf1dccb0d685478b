/**
 * Every output flag holds in every format (issue 26): --top, --min-confidence and --out-dir, alone
 * and together, in text, CSV, JSON and JSON Lines, through the built CLI with the shipped model.
 * Each run is checked against the model's full ranking of the same reports: the answered label
 * (the review label below --min-confidence), the best label and its probability (kept with
 * --min-confidence), exactly --top ranked labels, and with --out-dir the same output as without,
 * plus one file per report in its answered label's folder.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { bugcat, ROOT, tmp } from './helpers.js';

const MODEL = join(ROOT, 'models', 'qemu');
const DATA = join(ROOT, 'test', 'fixtures', 'reports.csv');
const FORMATS = ['text', 'csv', 'json', 'jsonl'] as const;
type Format = (typeof FORMATS)[number];
const TOP = 3;
const MIN = 0.6;
const REVIEW = 'manual-review';

interface Ranked {
  label: string;
  p: number;
}
/** One row as shown: the answered label, its confidence, the best label (when shown apart) and the ranked labels shown. */
interface Row {
  id: string;
  label: string;
  confidence: number;
  best?: Ranked;
  ranked: Ranked[];
}

/** The rows of one run's stdout, read in `format`. */
function rowsOf(stdout: string, format: Format): Row[] {
  switch (format) {
    case 'text':
      return stdout
        .trimEnd()
        .split('\n')
        .map((line) => {
          const [label, confidence, id, ...rest] = line.split('\t');
          let best: Ranked | undefined;
          if (rest[0] === 'best') {
            best = { label: rest[1], p: Number(rest[2]) };
            rest.splice(0, 3);
          }
          const more = Array.from({ length: rest.length / 2 }, (_, k) => ({ label: rest[2 * k], p: Number(rest[2 * k + 1]) }));
          return { id, label, confidence: Number(confidence), best, ranked: [best ?? { label, p: Number(confidence) }, ...more] };
        });
    case 'csv':
      return (parse(stdout, { columns: true }) as Record<string, string>[]).map((r) => {
        const best = 'best' in r ? { label: r.best, p: Number(r.best_confidence) } : undefined;
        const more: Ranked[] = [];
        for (let k = 2; `label_${k}` in r; k++)
          if (r[`label_${k}`] !== '') more.push({ label: r[`label_${k}`], p: Number(r[`confidence_${k}`]) });
        return {
          id: r.id,
          label: r.label,
          confidence: Number(r.confidence),
          best,
          ranked: [best ?? { label: r.label, p: Number(r.confidence) }, ...more],
        };
      });
    case 'json':
    case 'jsonl': {
      const all = (
        format === 'json'
          ? JSON.parse(stdout)
          : stdout
              .trimEnd()
              .split('\n')
              .map((l) => JSON.parse(l))
      ) as {
        id: string;
        label: string;
        confidence: number;
        best?: string;
        best_confidence?: number;
        top: { label: string; probability: number }[];
      }[];
      return all.map((r) => ({
        id: r.id,
        label: r.label,
        confidence: r.confidence,
        best: r.best !== undefined ? { label: r.best, p: r.best_confidence! } : undefined,
        ranked: r.top.map((t) => ({ label: t.label, p: t.probability })),
      }));
    }
  }
}

const COMBOS: { top?: number; min?: number; outDir?: boolean }[] = [
  {},
  { top: TOP },
  { min: MIN },
  { outDir: true },
  { top: TOP, min: MIN },
  { top: TOP, outDir: true },
  { min: MIN, outDir: true },
  { top: TOP, min: MIN, outDir: true },
];
const nameOf = (c: (typeof COMBOS)[number]) =>
  [c.top && `--top ${c.top}`, c.min && `--min-confidence ${c.min}`, c.outDir && '--out-dir'].filter(Boolean).join(' ') || 'no flag';

/** The model's full ranking of every report, from a run that asks for every label. */
let truth: Map<string, Ranked[]>;
let labelCount: number;
beforeAll(async () => {
  labelCount = (JSON.parse(readFileSync(join(MODEL, 'bugcat.json'), 'utf8')) as { labels: string[] }).labels.length;
  const r = await bugcat(['predict', '--model', MODEL, '--data', DATA, '--format', 'jsonl', '--top', String(labelCount), '--jobs', '1']);
  expect(r.status, r.stderr).toBe(0);
  truth = new Map(rowsOf(r.stdout, 'jsonl').map((row) => [row.id, row.ranked]));
  // The threshold splits the fixtures: some answers fall below it, some stay.
  const firsts = [...truth.values()].map((t) => t[0].p);
  expect(firsts.some((p) => p < MIN) && firsts.some((p) => p >= MIN)).toBe(true);
});

const near = (a: number, b: number) => Math.abs(a - b) < 6e-5;

describe.each(FORMATS)('predict --format %s', (format) => {
  it('holds --top, --min-confidence and --out-dir, alone and together', async () => {
    const runs = new Map<string, string>();
    for (const c of COMBOS) {
      const dir = c.outDir ? join(tmp(), 'out') : undefined;
      const args = ['predict', '--model', MODEL, '--data', DATA, '--format', format, '--jobs', '1'];
      if (c.top) args.push('--top', String(c.top));
      if (c.min) args.push('--min-confidence', String(c.min));
      if (dir) args.push('--out-dir', dir);
      const r = await bugcat(args);
      const name = nameOf(c);
      expect(r.status, `${name}: ${r.stderr}`).toBe(0);
      const rows = rowsOf(r.stdout, format);
      expect(rows.map((x) => x.id).sort(), name).toEqual([...truth.keys()].sort());
      const top = c.top ?? 1;
      for (const row of rows) {
        const want = truth.get(row.id)!;
        const what = `${name}, report ${row.id}`;
        // The answered label: the best, or the review label below the threshold.
        expect(row.label, what).toBe(c.min && want[0].p < c.min ? REVIEW : want[0].label);
        expect(near(row.confidence, want[0].p), what).toBe(true);
        // The best label and its probability stay with --min-confidence, in every format.
        if (c.min) {
          expect(row.best?.label, what).toBe(want[0].label);
          expect(near(row.best!.p, want[0].p), what).toBe(true);
        } else expect(row.best, what).toBeUndefined();
        // Exactly --top ranked labels, the model's best first.
        expect(
          row.ranked.map((x) => x.label),
          what,
        ).toEqual(want.slice(0, top).map((x) => x.label));
        row.ranked.forEach((x, k) => expect(near(x.p, want[k].p), what).toBe(true));
      }
      if (dir) {
        // --out-dir changes nothing on stdout, and writes every report under its answered label, all labels ranked.
        expect(r.stdout, name).toBe(runs.get(nameOf({ ...c, outDir: false })));
        for (const row of rows) {
          const file = join(dir, row.label, row.id);
          expect(existsSync(file), `${name}: ${file}`).toBe(true);
          const head = readFileSync(file, 'utf8').split('\n\n')[0].split('\n');
          expect(head, name).toHaveLength(labelCount);
          const [label, score] = head[0].split(': ');
          expect(label, name).toBe(truth.get(row.id)![0].label);
          expect(Math.abs(Number(score) - truth.get(row.id)![0].p), name).toBeLessThan(6e-4);
        }
      } else runs.set(nameOf(c), r.stdout);
    }
  }, 240_000);
});
