/**
 * Multi-label models: a tracker's own labels, several a report. The fixtures are written here by
 * hand, in GitLab's and GitHub's export shapes and as CSV: three topics (network, storage,
 * graphics) with their own words, GitLab's scoped `kind::` labels, a status label to leave out
 * (`workflow::`), and a label too rare to learn.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readReports } from '../src/index.js';
import { scoreLabelSets } from '../src/eval/multilabel.js';
import { timeFolds } from '../src/model/folds.js';
import { fitLabelPlatt, labelProbabilities, labelSetTargets, operatingPoints, suggest } from '../src/model/multilabel.js';
import { bugcat, tmp } from './helpers.js';
import { call, startServer, type Server } from './serve-helpers.js';

const TOPICS = {
  Networking: ['tap device drops packets', 'virtio-net link stays down', 'dhcp lease never arrives', 'user networking port forward fails'],
  Storage: [
    'qcow2 image corrupted after snapshot',
    'block job hangs on mirror',
    'disk io errors with aio native',
    'nvme drive not detected',
  ],
  Graphics: ['vnc display shows garbage', 'gtk window flickers on resize', 'framebuffer colours are wrong', 'spice cursor lags behind'],
} as const;
const KINDS = {
  'kind::Bug': 'it crashes with a segfault, here is the backtrace',
  'kind::Feature Request': 'please add an option for this, it would be nice to have',
} as const;

interface Issue {
  iid: number;
  title: string;
  description: string;
  labels: string[];
  created_at: string;
}

/** 48 issues: each of one topic (every eighth of two), of one kind, some triaged; two carry a rare label. */
function issues(): Issue[] {
  const topics = Object.keys(TOPICS) as (keyof typeof TOPICS)[];
  const kinds = Object.keys(KINDS) as (keyof typeof KINDS)[];
  return Array.from({ length: 48 }, (_, i) => {
    const topic = topics[i % 3];
    const second = i % 8 === 7 ? topics[(i + 1) % 3] : undefined;
    const kind = kinds[Math.floor(i / 3) % 2];
    const phrase = TOPICS[topic][Math.floor(i / 3) % 4];
    const labels = [
      topic,
      ...(second ? [second] : []),
      kind,
      ...(i % 4 === 0 ? ['workflow::Triaged'] : []),
      ...(i === 5 || i === 17 ? ['Rare'] : []),
    ];
    const day = String(1 + (i % 28)).padStart(2, '0');
    return {
      iid: 100 + i,
      title: `${phrase} (${i})`,
      description: `${phrase}. ${second ? TOPICS[second][i % 4] + '. ' : ''}${KINDS[kind]}.`,
      labels,
      created_at: `2023-${String(1 + Math.floor(i / 4)).padStart(2, '0')}-${day}T10:00:00Z`,
    };
  });
}

let dir: string;
let gitlabJson: string;
let model: string;
// Trainings here take seconds on an idle machine; the timeouts below allow for a busy one (the verdict does not depend on speed).
const SLOW = 300_000;
const FAST = ['--epochs', '20', '--hidden', '16', '--batch-size', '8', '--members', '1', '--quiet'];
/** FAST with two calibration folds in place of multi-label training's five (the main model keeps the default). */
const FAST2 = [...FAST, '--calibration-folds', '2'];

beforeAll(async () => {
  dir = tmp();
  gitlabJson = join(dir, 'gitlab.json');
  writeFileSync(gitlabJson, JSON.stringify(issues()));
  model = join(dir, 'model');
  const r = await bugcat([
    'train',
    '--data',
    gitlabJson,
    '--out',
    model,
    '--exclude-label',
    'workflow::*',
    '--min-label-count',
    '3',
    ...FAST,
  ]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
}, SLOW);

describe('reading label lists', () => {
  it('GitLab exports (strings), GitHub exports (objects with a name) and CSV (joined by a separator) give the same lists', () => {
    const gitlab = readReports(gitlabJson, { labelColumn: 'label' });
    expect(gitlab.labels).toBeUndefined();
    expect(gitlab.issueLabels![0]).toEqual(['Networking', 'kind::Bug', 'workflow::Triaged']);
    expect(gitlab.issueLabels![7]).toEqual(['Storage', 'Graphics', 'kind::Bug']);
    const github = join(dir, 'github.json');
    writeFileSync(
      github,
      JSON.stringify(
        issues().map((i) => ({
          number: i.iid,
          title: i.title,
          body: i.description,
          labels: i.labels.map((name) => ({ name, color: 'ededed' })),
        })),
      ),
    );
    expect(readReports(github, { labelColumn: 'label' }).issueLabels).toEqual(gitlab.issueLabels);
    const csv = join(dir, 'issues.csv');
    writeFileSync(csv, 'id,text,tags\n1,"dhcp fails","Networking| kind::Bug"\n2,"no labels here",""\n3,"vnc","Graphics|Graphics"\n');
    const read = readReports(csv, { labelColumn: 'tags', labelSeparator: '|' });
    expect(read.issueLabels).toEqual([['Networking', 'kind::Bug'], [], ['Graphics']]);
    expect(read.ids).toEqual(['1', '2', '3']);
  });

  it('reads a time field from an export and a column from a CSV', () => {
    const r = readReports(gitlabJson, { labelColumn: 'label', timeColumn: 'created_at' });
    expect(r.times![0]).toBe('2023-01-01T10:00:00Z');
    const csv = join(dir, 'timed.csv');
    writeFileSync(csv, 'id,text,tags,when\n1,a,x,2021\n2,b,y,2020\n');
    expect(readReports(csv, { labelColumn: 'tags', labelSeparator: ';', timeColumn: 'when' }).times).toEqual(['2021', '2020']);
  });
});

describe('label sets as targets', () => {
  it('leaves out labels matching the globs, keeps a report left with none as a negative for all, and sets rare labels apart', () => {
    const lists = [['a', 'workflow::x'], ['workflow::y'], ['a', 'b'], ['a', 'Closed::z'], ['b', 'c']];
    const { targets, needsMoreData, withoutLabels } = labelSetTargets(
      lists,
      { exclude: ['workflow::*', 'Closed::*'], minLabelCount: 2 },
      () => {},
    );
    expect(targets.kind).toBe('multi-label');
    expect(targets.labels).toEqual(['a', 'b']);
    expect(targets.size).toBe(5);
    expect(Array.from(targets.sets!)).toEqual([1, 0, 0, 0, 1, 1, 1, 0, 0, 1]);
    expect(needsMoreData).toEqual({ c: 1 });
    expect(withoutLabels).toBe(1);
    // Each report's rarest label (b: 2, a: 3), the report without a label as class 2.
    expect(Array.from(targets.y)).toEqual([0, 2, 1, 0, 1]);
  });
});

describe('operating points, calibration and scopes', () => {
  // Label 0's probabilities on 6 reports, highest first: hits at 0.9, 0.8 and 0.4; misses at 0.7, 0.3, 0.1.
  const p = Float32Array.from([0.9, 0.8, 0.7, 0.4, 0.3, 0.1]);
  const sets = Uint8Array.from([1, 1, 0, 1, 0, 0]);
  it('the default threshold maximises F1; --min-precision takes the lowest threshold reaching it, never below P', () => {
    // Cuts: 0.9 (P 1, R 1/3), 0.8 (P 1, R 2/3, F1 0.8), 0.7 (2/3, 2/3), 0.4 (3/4, 1, F1 0.857), 0.3 (3/5, 1), 0.1 (1/2, 1).
    const [best] = operatingPoints(p, sets, ['a']);
    expect(best.threshold).toBeCloseTo((0.4 + 0.3) / 2, 4);
    expect(best).toMatchObject({ precision: 0.75, recall: 1, support: 3 });
    // Precision 0.75 is reached at the 0.4 cut too, but that would suggest the label at probability 0.4:
    // the floor keeps the threshold at 0.75, where the cut at 0.8 (precision 1) is the lowest.
    const [strict] = operatingPoints(p, sets, ['a'], 0.75);
    expect(strict.threshold).toBeCloseTo(0.75, 4);
    expect(strict).toMatchObject({ precision: 1, recall: 0.6667 });
    // At 0.6 the 0.7 cut (precision 2/3) is the lowest at or above the floor; halfway to the next (0.55) is under it.
    const [mid] = operatingPoints(p, sets, ['a'], 0.6);
    expect(mid.threshold).toBeCloseTo(0.6, 4);
    expect(mid).toMatchObject({ precision: 0.6667, recall: 0.6667 });
    const [none] = operatingPoints(Float32Array.from([0.9, 0.1]), Uint8Array.from([0, 1]), ['a'], 0.9);
    expect(none.threshold).toBeNull();
    // Without --min-precision, a label the model cannot tell apart is not suggested to everyone for the F1
    // that gives (0.18 here, at 0.025): no cut's odds reach twice the base odds (precision 2 x 0.1 / 1.1 = 0.18).
    const flat = Float32Array.from([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05]);
    const last = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(operatingPoints(flat, last, ['a'])[0].threshold).toBeNull();
    // Twice the base odds, but right less than once in ten: a rare label's best F1 is still refused.
    const many = Float32Array.from({ length: 200 }, (_, i) => 1 - i / 200);
    const rare = new Uint8Array(200);
    rare[20] = 1; // precision 1/21 at its cut (base odds 1/199, twice: 0.01)
    expect(operatingPoints(many, rare, ['a'])[0].threshold).toBeNull();
    rare[5] = 1; // now 1/6 at the cut after the first positive: suggested
    expect(operatingPoints(many, rare, ['a'])[0].threshold).not.toBeNull();
    // Moved to the top, the same positive makes it suggested.
    expect(operatingPoints(flat, Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]), ['a'])[0].threshold).toBeCloseTo(0.85, 4);
    // A label whose only precise cut lies under the floor is never suggested either.
    const [under] = operatingPoints(Float32Array.from([0.5, 0.1]), Uint8Array.from([1, 0]), ['a'], 0.8);
    expect(under.threshold).toBeNull();
  });

  it('a Platt map fitted on separable logits stays finite', () => {
    const fit = fitLabelPlatt([-3, -2.9, -2.8, 4, 4.1], [0, 0, 0, 1, 1]);
    expect(Number.isFinite(fit.slope) && Number.isFinite(fit.intercept)).toBe(true);
    expect(Math.abs(fit.slope)).toBeLessThan(20);
  });

  it('labels of one scope share at most probability 1, and at most one of them is suggested', () => {
    const labels = ['kind::Bug', 'kind::Task', 'other'];
    const probs = labelProbabilities(
      Float32Array.from([3, 2, 1]),
      labels,
      labels.map(() => ({ slope: 1, intercept: 0 })),
    );
    expect(probs[0] + probs[1]).toBeLessThanOrEqual(1.000001);
    expect(probs[0]).toBeGreaterThan(probs[1]);
    // other 0.73; kind::Bug 0.95 and kind::Task 0.88 share their scope: 0.52 and 0.48.
    expect(suggest(probs, 0, labels, [0.1, 0.1, 0.1]).map((c) => labels[c])).toEqual(['other', 'kind::Bug']);
    expect(suggest(probs, 0, labels, [0.1, 0.1, 0.1], 2).map((c) => labels[c])).toEqual(['other', 'kind::Bug']);
    expect(suggest(probs, 0, labels, [null, 0.1, 0.99]).map((c) => labels[c])).toEqual(['kind::Task']);
  });
});

describe('scores of label sets, hand-computed', () => {
  it('micro- and macro-F1, P@1 and each label at its threshold', () => {
    const truth = [['a', 'b'], ['a'], [], ['b', 'ignored']];
    const preds = [
      { labels: ['a'], scores: { a: 0.9, b: 0.4 }, coverage: 1 },
      { labels: ['a', 'b'], scores: { a: 0.6, b: 0.7 }, coverage: 1 },
      { labels: ['b'], scores: { a: 0.1, b: 0.8 }, coverage: 1 },
      { labels: [], scores: { a: 0.3, b: 0.2 }, coverage: 1 },
    ];
    const e = scoreLabelSets(truth, preds, ['a', 'b'], { points: { a: { threshold: 0.5, precision: 1, recall: 1, f1: 1, support: 2 } } });
    // a: TP 2, FP 0, support 2. b: TP 0, FP 2, support 2. Micro: P 2/4, R 2/4.
    expect(e.per_label.a).toMatchObject({ precision: 1, recall: 1, f1: 1, support: 2, suggested: 2, threshold: 0.5 });
    expect(e.per_label.b).toMatchObject({ precision: 0, recall: 0, f1: 0, support: 2, suggested: 2, threshold: null });
    expect(e.micro).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5 });
    expect(e.macro_f1).toBe(0.5);
    // Reports carrying a label: 1 (top a: hit), 2 (top b: miss), 4 (top a: miss) -> 1/3.
    expect(e.labelled).toBe(3);
    expect(e.p_at_1).toBe(0.3333);
    expect(e.answered).toBe(0.75);
    const at = (t: number) => e.sweep.a.find((s) => Math.abs(s.threshold - t) < 1e-9)!;
    expect(at(0.5)).toEqual({ threshold: 0.5, precision: 1, recall: 1, share: 0.5 });
    expect(at(0.25)).toEqual({ threshold: 0.25, precision: 0.6667, recall: 1, share: 0.75 });
    expect(at(0.95).precision).toBeNull();
  });
});

describe('time-ordered folds', () => {
  it('train on the past, test on the next part, never the other way', () => {
    const times = ['2023-05', '2023-01', '2023-03', '2023-02', '2023-06', '2023-04', '2023-07', '2023-08'];
    const folds = timeFolds(times, 3);
    expect(folds).toHaveLength(3);
    for (const [f, { train, held }] of folds.entries()) {
      expect(held.length).toBeGreaterThan(0);
      const newestTrained = train
        .map((i) => times[i])
        .sort()
        .at(-1)!;
      const oldestTested = held.map((i) => times[i]).sort()[0];
      expect(oldestTested > newestTrained).toBe(true);
      if (f > 0) expect(train).toEqual([...folds[f - 1].train, ...folds[f - 1].held].sort((a, b) => a - b));
    }
    expect(folds[0].train.map((i) => times[i]).sort()).toEqual(['2023-01', '2023-02']);
    // Reports of one time stay in one part: never one of them trained on and another tested.
    const tiedTimes = ['1', '1', '1', '2', '2', '3'];
    for (const { train, held } of timeFolds(tiedTimes, 2))
      for (const i of held) expect(train.some((j) => tiedTimes[j] === tiedTimes[i])).toBe(false);
  });
});

describe('bugcat train on an issues export', () => {
  it('is multi-label by default: thresholds, out-of-fold figures and the labels set apart are in the model', () => {
    const manifest = JSON.parse(readFileSync(join(model, 'bugcat.json'), 'utf8'));
    expect(manifest.labels).toEqual(['Graphics', 'Networking', 'Storage', 'kind::Bug', 'kind::Feature Request']);
    const m = manifest.multiLabel;
    expect(m.exclude).toEqual(['workflow::*']);
    expect(m.needsMoreData).toEqual({ Rare: 2 });
    expect(m.rule).toBe('max-f1');
    expect(m.outOfFoldReports).toBe(48);
    // Multi-label training's default: five calibration folds.
    expect(manifest.hyperparameters.calibrationFolds).toBe(5);
    expect(m.calibration).toHaveLength(5);
    for (const l of manifest.labels) {
      expect(m.points[l].support).toBe(issues().filter((i) => i.labels.includes(l)).length);
      expect(m.points[l].threshold).toBeGreaterThan(0);
      expect(m.points[l].precision).toBeGreaterThan(0);
    }
    expect(JSON.parse(readFileSync(join(model, 'model.json'), 'utf8')).modelTopology.output).toBe('sigmoid');
  });

  it(
    '--min-precision 0.9: every suggested label reached it out of fold at a threshold of 0.9 or more, the others are listed and never suggested',
    async () => {
      const out = join(tmp(), 'm');
      const r = await bugcat([
        'train',
        '--data',
        gitlabJson,
        '--out',
        out,
        '--exclude-label',
        'workflow::*',
        '--min-label-count',
        '3',
        '--min-precision',
        '0.9',
        ...FAST2,
      ]);
      expect(r.status).toBe(0);
      const m = JSON.parse(readFileSync(join(out, 'bugcat.json'), 'utf8')).multiLabel;
      expect(m.rule).toBe('min-precision');
      expect(m.minPrecision).toBe(0.9);
      for (const [label, p] of Object.entries(m.points) as [string, { threshold: number | null; precision: number }][]) {
        if (p.threshold === null) expect(m.unreachable).toContain(label);
        else {
          expect(p.precision).toBeGreaterThanOrEqual(0.9);
          expect(p.threshold).toBeGreaterThanOrEqual(0.9);
        }
      }
      const pr = await bugcat(['predict', '--model', out, '--data', gitlabJson, '--format', 'jsonl']);
      for (const line of pr.stdout.trim().split('\n')) {
        const row = JSON.parse(line) as { labels: string[]; scores: Record<string, number> };
        for (const l of row.labels) {
          expect(m.unreachable).not.toContain(l);
          expect(row.scores[l]).toBeGreaterThanOrEqual(m.points[l].threshold);
        }
      }
    },
    SLOW,
  );

  it(
    'refuses --min-precision for a single-label training',
    async () => {
      const csv = join(dir, 'single.csv');
      writeFileSync(csv, 'text,label\na,x\nb,y\n');
      const r = await bugcat(['train', '--data', csv, '--out', join(tmp(), 'm'), '--min-precision', '0.8', '--quiet']);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/--min-precision is for multi-label training/);
    },
    SLOW,
  );

  it(
    'a CSV with --multi-label and --label-separator trains the same kind of model',
    async () => {
      const csv = join(dir, 'train.csv');
      const rows = issues().map((i) => `${i.iid},"${i.title}\n${i.description}","${i.labels.join(' / ')}"`);
      writeFileSync(csv, `id,text,tags\n${rows.join('\n')}\n`);
      const out = join(tmp(), 'm');
      const r = await bugcat([
        'train',
        '--data',
        csv,
        '--label-column',
        'tags',
        '--multi-label',
        '--label-separator',
        '/',
        '--exclude-label',
        'workflow::*',
        '--min-label-count',
        '3',
        '--out',
        out,
        ...FAST2,
      ]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(JSON.parse(readFileSync(join(out, 'bugcat.json'), 'utf8')).labels).toEqual([
        'Graphics',
        'Networking',
        'Storage',
        'kind::Bug',
        'kind::Feature Request',
      ]);
    },
    SLOW,
  );
});

describe('bugcat predict with a multi-label model', () => {
  const text = [
    'qcow2 image corrupted after snapshot, it crashes with a segfault',
    'vnc display shows garbage, please add an option for this',
  ];

  it(
    'jsonl: id, the suggested labels (above their thresholds, one of a scope), every label scored',
    async () => {
      const m = JSON.parse(readFileSync(join(model, 'bugcat.json'), 'utf8'));
      const r = await bugcat(['predict', '--model', model, '--format', 'jsonl', ...text]);
      expect(r.status).toBe(0);
      const lines = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines).toHaveLength(2);
      for (const p of lines) {
        expect(Object.keys(p)).toEqual(['id', 'labels', 'scores']);
        expect(Object.keys(p.scores).sort()).toEqual([...m.labels].sort());
        for (const l of p.labels) expect(p.scores[l]).toBeGreaterThanOrEqual(m.multiLabel.points[l].threshold - 1e-4);
        for (const l of m.labels)
          if (!p.labels.includes(l) && !l.startsWith('kind::')) expect(p.scores[l]).toBeLessThan(m.multiLabel.points[l].threshold);
        expect(p.labels.filter((l: string) => l.startsWith('kind::')).length).toBeLessThanOrEqual(1);
      }
      expect(lines[0].labels).toContain('Storage');
      expect(lines[1].labels).toContain('Graphics');
    },
    SLOW,
  );

  it(
    'csv, json and text carry the same answers; --top N lists the N best whatever the thresholds',
    async () => {
      const jsonl = (await bugcat(['predict', '--model', model, '--format', 'jsonl', ...text])).stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const json = JSON.parse((await bugcat(['predict', '--model', model, '--format', 'json', ...text])).stdout);
      expect(json).toEqual(jsonl);
      const csv = parse((await bugcat(['predict', '--model', model, '--format', 'csv', ...text])).stdout, { columns: true }) as Record<
        string,
        string
      >[];
      expect(Object.keys(csv[0]).slice(0, 2)).toEqual(['id', 'labels']);
      csv.forEach((row, i) => {
        expect(row.labels).toBe(jsonl[i].labels.join(';'));
        for (const [l, s] of Object.entries(jsonl[i].scores)) expect(Number(row[l])).toBeCloseTo(s as number, 4);
      });
      const txt = (await bugcat(['predict', '--model', model, ...text])).stdout.trim().split('\n');
      txt.forEach((line, i) =>
        expect(line).toBe(jsonl[i].labels.map((l: string) => `${l}\t${jsonl[i].scores[l].toFixed(4)}`).join('\t') || '-'),
      );
      for (const format of ['jsonl', 'csv', 'text']) {
        const r = await bugcat(['predict', '--model', model, '--format', format, '--top', '3', ...text]);
        expect(r.status).toBe(0);
        const sets =
          format === 'jsonl'
            ? r.stdout
                .trim()
                .split('\n')
                .map((l) => JSON.parse(l).labels)
            : format === 'csv'
              ? (parse(r.stdout, { columns: true }) as Record<string, string>[]).map((row) => row.labels.split(';'))
              : r.stdout
                  .trim()
                  .split('\n')
                  .map((l) => l.split('\t').filter((_, k) => k % 2 === 0));
        sets.forEach((labels: string[], i: number) => {
          expect(labels).toHaveLength(3);
          const best = Object.entries(jsonl[i].scores as Record<string, number>).filter(
            ([l]) => !l.startsWith('kind::') || l === labels.find((x) => x.startsWith('kind::')),
          );
          expect(labels[0]).toBe(best[0][0]);
        });
      }
    },
    SLOW,
  );

  it(
    'a report that cannot be read keeps its row, with its error, in JSON Lines and CSV',
    async () => {
      const bad = join(dir, 'unreadable.txt');
      writeFileSync(bad, Buffer.from([0, 1, 2, 0, 0, 0, 255, 254, 0, 0]));
      const r = await bugcat(['predict', '--model', model, '--format', 'jsonl', '--file', bad]);
      expect(r.status).toBe(3);
      const [line] = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(line.id).toBe('unreadable.txt');
      expect(line.error).toBeDefined();
      const csv = parse((await bugcat(['predict', '--model', model, '--format', 'csv', '--file', bad])).stdout, {
        columns: true,
      }) as Record<string, string>[];
      expect(csv).toHaveLength(1);
      expect(csv[0].error).not.toBe('');
    },
    SLOW,
  );

  it(
    'refuses the flags of one label a report, with a usage error',
    async () => {
      for (const flags of [
        ['--min-confidence', '0.5'],
        ['--review-label', 'x'],
        ['--out-dir', join(tmp(), 'o')],
      ]) {
        const r = await bugcat(['predict', '--model', model, ...flags, 'vnc']);
        expect(r.status).toBe(2);
        expect(r.stderr).toMatch(/multi-label/);
      }
    },
    SLOW,
  );

  it(
    'the library predicts the same structure, typed',
    async () => {
      const { load, isLabelSet } = await import('../src/index.js');
      const m = await load(model);
      expect(m.kind).toBe('multi-label');
      const [p] = m.predict([text[0]]);
      expect(isLabelSet(p)).toBe(true);
      if (!isLabelSet(p)) return;
      const line = JSON.parse((await bugcat(['predict', '--model', model, '--format', 'jsonl', text[0]])).stdout);
      expect(p.labels).toEqual(line.labels);
      expect(Object.keys(p.scores)).toEqual(Object.keys(line.scores));
    },
    SLOW,
  );
});

describe('bugcat explain --label with a multi-label model', () => {
  it(
    "explains any label against its absence: the terms' contributions add up to its logit",
    async () => {
      const r = await bugcat(['explain', '--model', model, '--label', 'Storage', 'qcow2 image corrupted after snapshot']);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^Storage [\d.]+ rather than not Storage [\d.]+/);
      expect(r.stdout).toMatch(/qcow2/);
      const { load } = await import('../src/index.js');
      const m = await load(model);
      const e = m.explain('vnc display shows garbage', { label: 'Graphics' });
      const sum = [...e.toward, ...e.against].reduce((a, t) => a + t.contribution, 0) + e.rest.contribution + e.bias;
      expect(sum).toBeCloseTo(e.logit, 4);
      expect(e.versus).toBe('not Graphics');
      const unknown = await bugcat(['explain', '--model', model, '--label', 'nope', 'vnc']);
      expect(unknown.status).toBe(2);
    },
    SLOW,
  );
});

describe('evaluate and cv of multi-label models', () => {
  it(
    'evaluate: micro/macro-F1, P@1 and the per-label table in text and JSON; the HTML has a PR chart per label',
    async () => {
      const out = tmp();
      const r = await bugcat([
        'evaluate',
        '--model',
        model,
        '--data',
        gitlabJson,
        '--json',
        join(out, 'e.json'),
        '--html',
        join(out, 'e.html'),
      ]);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/micro-F1 +\d\.\d{3}/);
      expect(r.stdout).toMatch(/needs more data \(not learned, never suggested\): Rare \(2\)/);
      const e = JSON.parse(readFileSync(join(out, 'e.json'), 'utf8'));
      expect(e.kind).toBe('multi-label');
      expect(Object.keys(e.per_label)).toHaveLength(5);
      expect(e.sweep.Storage).toHaveLength(19);
      expect(e.trained_on).toBe(48);
      const html = readFileSync(join(out, 'e.html'), 'utf8');
      expect(html.match(/<figure>/g)).toHaveLength(5);
      expect(html).toMatch(/Labels that need more data/);
    },
    SLOW,
  );

  it(
    "cv --unlabelled: the text, the JSON and the page say what shaped every fold's model",
    async () => {
      const out = tmp();
      const r = await bugcat([
        ...['cv', '--data', gitlabJson, '--folds', '2', '--exclude-label', 'workflow::*', '--min-label-count', '3'],
        ...['--unlabelled', gitlabJson, '--json', join(out, 'cv.json'), '--html', join(out, 'cv.html'), ...FAST2],
      ]);
      expect(r.status, r.stderr).toBe(0);
      const n = issues().length;
      expect(r.stdout).toContain(`each fold's model trained with --unlabelled (${n} reports without labels)`);
      const cv = JSON.parse(readFileSync(join(out, 'cv.json'), 'utf8'));
      expect(cv.unlabelled).toEqual({ reports: n });
      // Each fold's model's hyperparameters: the flags given (FAST2), then the rules'.
      for (const f of cv.folds) expect(f.hyperparameters).toMatchObject({ epochs: 20, hidden: 16, members: 1, calibrationFolds: 2 });
      expect(readFileSync(join(out, 'cv.html'), 'utf8')).toContain(
        `bugcat train --unlabelled (${n} reports without labels), once per fold`,
      );
    },
    SLOW,
  );

  it(
    'cv --time-column created_at: forward-chaining folds, each tested on reports newer than all it trained on',
    async () => {
      const out = tmp();
      const r = await bugcat([
        'cv',
        '--data',
        gitlabJson,
        '--time-column',
        'created_at',
        '--folds',
        '2',
        '--exclude-label',
        'workflow::*',
        '--min-label-count',
        '3',
        '--json',
        join(out, 'cv.json'),
        ...FAST2,
      ]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/forward-chaining/);
      const cv = JSON.parse(readFileSync(join(out, 'cv.json'), 'utf8'));
      expect(cv.order).toBe('time');
      expect(cv.folds.map((f: { train: number; test: number }) => [f.train, f.test])).toEqual([
        [16, 16],
        [32, 16],
      ]);
      const all = issues();
      const byId = new Map(all.map((i) => [String(i.iid), i.created_at]));
      const tested = cv.predictions.map((p: { id: string; fold: string }) => ({ fold: p.fold, time: byId.get(p.id)! }));
      const oldest = (f: string) =>
        tested
          .filter((t: { fold: string }) => t.fold === f)
          .map((t: { time: string }) => t.time)
          .sort()[0];
      expect(oldest('1') > all.map((i) => i.created_at).sort()[15]).toBe(true);
      expect(oldest('2') > all.map((i) => i.created_at).sort()[31]).toBe(true);
      const timed = join(dir, 'single-timed.csv');
      writeFileSync(timed, 'text,label,when\na,x,2021\nb,y,2022\n');
      const single = await bugcat(['cv', '--data', timed, '--time-column', 'when', '--quiet']);
      expect(single.status).toBe(2);
      expect(single.stderr).toMatch(/--time-column orders the folds of multi-label cross-validation/);
    },
    SLOW,
  );
});

describe('bugcat serve with a multi-label model', () => {
  let server: Server;
  beforeAll(async () => {
    server = await startServer(['--model', model, '--token', 't0k3n', '--workers', '0'], { BUGCAT_GITLAB_TOKEN: 'gl' });
  }, SLOW);
  afterAll(async () => {
    await server?.stop();
  });

  it(
    '/v1/predict and the GitLab webhook answer with the suggested labels and every probability',
    async () => {
      const p = await call(server, 'POST', '/v1/predict', { body: { text: 'vnc display shows garbage' }, token: 't0k3n' });
      expect(p.status).toBe(200);
      expect(p.json.labels).toContain('Graphics');
      expect(Object.keys(p.json.scores)).toHaveLength(5);
      const hook = await call(server, 'POST', '/v1/webhooks/gitlab', {
        body: {
          object_kind: 'issue',
          object_attributes: { iid: 3, title: 'qcow2 image corrupted after snapshot', description: 'disk io errors', action: 'open' },
        },
        headers: { 'x-gitlab-event': 'Issue Hook', 'x-gitlab-token': 'gl' },
      });
      expect(hook.status).toBe(200);
      expect(hook.json.labels).toContain('Storage');
      expect(hook.json.scores.Storage).toBeGreaterThan(0.5);
      const refused = await call(server, 'POST', '/v1/predict', { body: { text: 'vnc', min_confidence: 0.5 }, token: 't0k3n' });
      expect(refused.status).toBe(400);
    },
    SLOW,
  );
});
