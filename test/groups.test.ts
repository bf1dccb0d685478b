/**
 * Grouped folds: reports that are copies of one another (text/duplicates.ts), or that the
 * caller groups, stay in one fold of cross-validation, audit, the calibration and autotune
 * (model/folds.ts stratifiedGroupFolds), and the results say how many groups there were.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/base/rng.js';
import { Targets } from '../src/base/targets.js';
import { assignFolds } from '../src/eval/crossvalidate.js';
import { stratifiedFolds, stratifiedGroupFolds, targetFolds } from '../src/model/folds.js';
import { bodyKey, duplicateGroups, groupsOf, titleKey } from '../src/text/duplicates.js';
import { audit, crossValidate, readReports } from '../src/index.js';
import { bugcat, FAST, REPORTS, tmp } from './helpers.js';

const LONG_BODY = Array.from({ length: 25 }, (_, i) => `word${i}`).join(' ');

describe('duplicateGroups', () => {
  it('groups reports whose titles differ only in case, white space, punctuation and tracker tags', () => {
    expect(titleKey('[OSS-Fuzz] Issue 4711 usb-hub: assertion failed in port reset\nbody')).toBe(
      titleKey('usb-hub: assertion failed in port reset'),
    );
    expect(titleKey('Floating-point-exception in  fdc_seek_track')).toBe(titleKey('floating point exception in fdc_seek_track.'));
    expect(titleKey('[Feature request] Add X')).toBe(titleKey('Bug #12: add x'));
    expect(titleKey('qemu crashes')).not.toBe(titleKey('qemu crashed'));
    expect(titleKey('[tag]\nrest')).toBe('');
  });

  it('groups reports sharing a body of 20 words or more, not a short one such as an unfilled template', () => {
    expect(bodyKey(`a\n${LONG_BODY}`)).toBe(bodyKey(`b\n${LONG_BODY.toUpperCase()}!`));
    expect(bodyKey('a\nDescription of problem: Steps to reproduce: 1. 2. 3. Additional information')).toBe('');
    expect(bodyKey('title only')).toBe('');
  });

  it('numbers groups by first report, joins copies of copies, and counts the shared ones', () => {
    const texts = [
      'Display freezes after "monitor stop"', // the GitLab stub
      'unrelated report\nsomething else entirely',
      'display freezes after monitor stop\nAfter resuming, the window stays black.', // the Launchpad report
      `another title\n${LONG_BODY}`,
      `[Bug 7] Display freezes after "monitor stop"\n${LONG_BODY}`, // joins the two groups above
      'Template\nDescription of problem: Steps to reproduce: 1. 2. 3.',
      'Other template\nDescription of problem: Steps to reproduce: 1. 2. 3.',
    ];
    const g = duplicateGroups(texts);
    expect(Array.from(g.group)).toEqual([0, 1, 0, 0, 0, 2, 3]);
    expect([g.shared, g.reports]).toEqual([1, 4]);
    expect(groupsOf(['x', 'y', 'x', 3, 3, 'z'])).toEqual({ group: Int32Array.from([0, 1, 0, 2, 2, 3]), shared: 2, reports: 4 });
  });
});

/** Random labelled reports in groups: labels from 4 classes, group sizes 1 to 4. */
const grouped = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 4 })), { minLength: 1, maxLength: 80 })
  .map((gs) => {
    const y: number[] = [];
    const group: number[] = [];
    gs.forEach(([c, size], g) => {
      for (let j = 0; j < size; j++) {
        y.push(j === 0 || g % 3 ? c : (c + j) % 4); // some groups mix classes
        group.push(g);
      }
    });
    // Groups' reports interleaved, not in runs.
    const order = new Rng(y.length).shuffle(y.map((_, i) => i));
    return { y: Int32Array.from(order, (i) => y[i]), group: Int32Array.from(order, (i) => group[i]) };
  });

describe('stratifiedGroupFolds', () => {
  it('keeps every group in one fold', () => {
    fc.assert(
      fc.property(grouped, fc.integer({ min: 2, max: 5 }), fc.integer(), ({ y, group }, k, seed) => {
        const fold = stratifiedGroupFolds(y, 4, group, k, new Rng(seed));
        const of = new Map<number, number>();
        group.forEach((g, i) => {
          expect(fold[i]).toBeGreaterThanOrEqual(0);
          expect(fold[i]).toBeLessThan(k);
          if (of.has(g)) expect(fold[i]).toBe(of.get(g));
          of.set(g, fold[i]);
        });
      }),
    );
  });

  it('is stratifiedFolds exactly, draw for draw, where no reports share a group', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 200 }),
        fc.integer({ min: 2, max: 6 }),
        fc.integer(),
        (ys, k, seed) => {
          const y = Int32Array.from(ys);
          const singletons = Int32Array.from(ys, (_, i) => i);
          expect(stratifiedGroupFolds(y, 6, singletons, k, new Rng(seed))).toEqual(stratifiedFolds(y, 6, k, new Rng(seed)));
        },
      ),
    );
  });

  it('spreads each class evenly over the folds as far as the groups allow, the same way for the same seed', () => {
    // 600 reports in 3 classes (60 %, 30 %, 10 %), a third of them in pairs of one class.
    const rng = new Rng(11);
    const y = Int32Array.from({ length: 600 }, (_, i) => (i % 10 < 6 ? 0 : i % 10 < 9 ? 1 : 2));
    const group = Int32Array.from({ length: 600 }, (_, i) => i);
    const byClass = [0, 1, 2].map((c) => rng.shuffle([...y.keys()].filter((i) => y[i] === c)));
    for (const rows of byClass) for (let j = 0; j + 1 < rows.length / 3; j += 2) group[rows[j + 1]] = group[rows[j]];
    const fold = stratifiedGroupFolds(y, 3, group, 4, new Rng(4));
    for (const c of [0, 1, 2]) {
      const per = [0, 1, 2, 3].map((f) => y.filter((yc, i) => yc === c && fold[i] === f).length);
      expect(Math.max(...per) - Math.min(...per)).toBeLessThanOrEqual(2);
    }
    expect(stratifiedGroupFolds(y, 3, group, 4, new Rng(4))).toEqual(fold);
    expect(stratifiedGroupFolds(y, 3, group, 4, new Rng(5))).not.toEqual(fold);
  });

  it('deals the calibration folds of grouped Targets by group, and keeps the groups in subsets and messages', () => {
    const y = Int32Array.from({ length: 40 }, (_, i) => i % 2);
    const groups = Int32Array.from({ length: 40 }, (_, i) => Math.floor(i / 4));
    const t = new Targets({ kind: 'single-label', labels: ['a', 'b'], y, summary: { method: 'single', annotators: ['label'] }, groups });
    const fold = targetFolds(t, 3, new Rng(1));
    groups.forEach((g, i) => expect(fold[i]).toBe(fold[g * 4]));
    expect(Array.from(t.subset([5, 0, 39]).groups!)).toEqual([1, 0, 9]);
    expect(Targets.from(structuredClone(t.data())).groups).toEqual(groups);
    expect(new Targets({ ...t.data(), groups: undefined }).data()).not.toHaveProperty('groups');
  });
});

describe('assignFolds', () => {
  it('keeps groups in one fold, and refuses more folds than the groups can fill', () => {
    const labels = ['a', 'b', 'a', 'b', 'a', 'b'];
    const { fold } = assignFolds(labels, 2, 1, undefined, Int32Array.from([0, 0, 1, 1, 0, 1]));
    expect(new Set([fold[0], fold[1], fold[4]]).size).toBe(1);
    expect(new Set([fold[2], fold[3], fold[5]]).size).toBe(1);
    expect(() => assignFolds(labels, 3, 1, undefined, Int32Array.from([0, 0, 1, 1, 0, 1]))).toThrow(/fewer than 3 folds/);
  });
});

/** The fixture reports with a copy of each of the first `copies`: the GitLab stub of each, its title alone. */
function withCopies(copies: number): string {
  const rows = parse(readFileSync(REPORTS), { columns: true }) as Record<string, string>[];
  const labelled = rows.filter((r) => r.label && r.label !== 'manual-review');
  const stubs = labelled.slice(0, copies).map((r, i) => ({ ...r, id: `stub${i}`, text: `${r.text.split('\n')[0].toUpperCase()}.` }));
  const esc = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const csv = join(tmp(), 'copies.csv');
  writeFileSync(csv, 'id,text,label\n' + [...labelled, ...stubs].map((r) => `${r.id},${esc(r.text)},${r.label}`).join('\n') + '\n');
  return csv;
}

const HP = { epochs: 10, hidden: 16, batchSize: 4 };

describe('crossValidate and audit with copies', () => {
  it('keep each report and its copy in one fold, and say how many groups they kept', async () => {
    const reports = readReports(withCopies(6), { labelColumn: 'label' });
    const cv = await crossValidate(reports, { folds: 3, hyperparameters: HP });
    expect(cv.groups).toEqual({ shared: 6, reports: 12, source: 'duplicates' });
    const fold = new Map(cv.predictions.map((p) => [p.id, p.fold]));
    for (let i = 0; i < 6; i++) expect(fold.get(`stub${i}`)).toBe(fold.get(reports.ids[i]));
    const byId = await crossValidate(reports, { folds: 3, hyperparameters: HP, groups: reports.ids });
    expect(byId.groups).toEqual({ shared: 0, reports: 0, source: 'given' });
    const a = await audit(reports, { folds: 3, hyperparameters: HP });
    expect(a.groups).toEqual({ shared: 6, reports: 12, source: 'duplicates' });
    await expect(crossValidate(reports, { folds: 3, hyperparameters: HP, groups: ['x'] })).rejects.toThrow(/1 groups for 36 reports/);
  });
});

describe('bugcat cv and audit --group-column', () => {
  const csv = withCopies(4);
  const dir = tmp();
  const groupsIn = (file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8')).groups;

  it('cv logs the groups it found and writes them to the JSON', async () => {
    const r = await bugcat([
      'cv',
      '--data',
      csv,
      '--folds',
      '3',
      '--json',
      join(dir, 'found.json'),
      ...FAST.filter((f) => f !== '--quiet'),
    ]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/4 groups of 8 reports that share a title or text: the folds keep each in one fold/);
    expect(groupsIn('found.json')).toEqual({ shared: 4, reports: 8, source: 'duplicates' });
  });

  it("cv and audit take the user's groups from a column", async () => {
    const cv = await bugcat(['cv', '--data', csv, '--folds', '3', '--group-column', 'label', '--json', join(dir, 'given.json'), ...FAST]);
    expect(cv.status).toBe(0);
    expect(groupsIn('given.json')).toEqual({ shared: 3, reports: 34, source: 'given' });
    const audited = await bugcat([
      'audit',
      '--data',
      csv,
      '--folds',
      '3',
      '--group-column',
      'id',
      '--json',
      join(dir, 'audit.json'),
      ...FAST,
    ]);
    expect(audited.status).toBe(0);
    expect(groupsIn('audit.json')).toEqual({ shared: 0, reports: 0, source: 'given' });
  });

  it('names the flag when the column is missing', async () => {
    const r = await bugcat(['cv', '--data', csv, '--group-column', 'nope', ...FAST]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no "nope" column.*--group-column/);
  });
});
