/**
 * Reports as they come (issue 14): the study's folder layouts as shipped, folders, files, CSV,
 * GitHub and GitLab exports, streams; one bad report never sinks a batch; the same report gets
 * the same answer; no confident answer on nothing; reports unlike the training data are
 * visible; evaluate says when it scores reports the model was trained on. End to end through the
 * built CLI, and the library gives the same answers.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { load, predictStream, readAllReports, readReports, streamReports, train, type Model } from '../src/index.js';
import { bugcat, FAST, FIXTURES, REPORTS, tmp } from './helpers.js';

const ZERO_SHOT = join(FIXTURES, 'zero-shot');
const STUDY = join(FIXTURES, 'study');
const GITHUB = join(FIXTURES, 'issues', 'github.json');
const GITLAB = join(FIXTURES, 'issues', 'gitlab.jsonl');

let model: string;
beforeAll(async () => {
  model = join(tmp(), 'model');
  const r = await bugcat(['train', '--data', REPORTS, '--out', model, ...FAST]);
  expect(r.status, r.stderr).toBe(0);
}, 120_000);

describe("the study's layouts as they ship", () => {
  it("keeps the zero-shot classifier's label: score lines out of the report text and out of training", async () => {
    const reports = readReports(ZERO_SHOT, { labelColumn: 'label' });
    for (const text of reports.texts) {
      expect(text).not.toMatch(/^\w+: 0\.\d+$/m);
      expect(text).not.toMatch(/^-{4,}$/m);
    }
    expect(reports.texts[0].trimStart()).toMatch(/^Guest hangs at boot with -kernel/);
    const out = join(tmp(), 'm');
    const r = await bugcat(['train', '--data', ZERO_SHOT, '--out', out, ...FAST.filter((a) => a !== '--quiet')]);
    expect(r.status, r.stderr).toBe(0);
    // "xyzzyscore" is in every file's score lines and nowhere in a report.
    const terms = JSON.parse(readFileSync(join(out, 'vocabulary.json'), 'utf8')).terms as string[];
    expect(terms.filter((t) => t.includes('xyzzy'))).toEqual([]);
    expect(terms).toContain('firmware');
    expect(r.stderr).toMatch(/11 reports start with the classifier's "label: score" lines: left out of the report text/);
  });

  it('skips categories.csv, and leaves out and counts the non-answer folders', async () => {
    const r = await bugcat(['train', '--data', ZERO_SHOT, '--out', join(tmp(), 'm'), ...FAST.filter((a) => a !== '--quiet')]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/skipped categories\.csv in .*zero-shot: the study's counts, not reports/);
    expect(r.stderr).toMatch(/left out 2 reports without a usable label: all 1, none 1/);
    expect(r.stderr).toMatch(/training on 9 reports in 3 categories/);
    const labels = readReports(ZERO_SHOT, { labelColumn: 'label' }).labels;
    expect([...new Set(labels)].sort()).toEqual(['boot', 'graphic', 'network']);
  });

  it('--exclude-label adds to the non-answers; --no-exclude-label keeps them all', async () => {
    const more = await bugcat([
      'train',
      '--data',
      ZERO_SHOT,
      '--out',
      join(tmp(), 'm'),
      '--exclude-label',
      'graphic',
      ...FAST.filter((a) => a !== '--quiet'),
    ]);
    expect(more.stderr).toMatch(/left out 5 reports without a usable label: all 1, graphic 3, none 1/);
    const kept = join(tmp(), 'm2');
    const none = await bugcat(['train', '--data', ZERO_SHOT, '--out', kept, '--no-exclude-label', ...FAST]);
    expect(none.status).toBe(0);
    expect(JSON.parse(readFileSync(join(kept, 'bugcat.json'), 'utf8')).labels).toEqual(['all', 'boot', 'graphic', 'network', 'none']);
  });

  it('a folder one level too high (the runs) is an error that names a run to give', async () => {
    const runs = tmp();
    cpSync(STUDY, join(runs, 'deepseek-r1:14b'), { recursive: true });
    cpSync(ZERO_SHOT, join(runs, 'zero-shot-multi'), { recursive: true });
    const r = await bugcat(['train', '--data', runs, '--out', join(tmp(), 'm'), ...FAST]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /holds study runs or groups of folders \(deepseek-r1:14b, zero-shot-multi\), not category folders of reports: give one run, for example .*deepseek-r1:14b$/m,
    );
    expect(r.stdout).toBe('');
  });

  it('a folder one level too low (one category) is an error that names the folder above', async () => {
    const r = await bugcat(['evaluate', '--model', model, '--data', join(ZERO_SHOT, 'boot')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /holds 3 files but no category folders: it looks like one category's folder .*give the folder above it \(.*zero-shot\)/,
    );
  });

  it('nested folders and loose files beside the categories are skipped with a warning that says why', async () => {
    const dir = tmp();
    cpSync(ZERO_SHOT, dir, { recursive: true });
    mkdirSync(join(dir, 'boot', 'old'));
    writeFileSync(join(dir, 'boot', 'old', '999'), 'an old copy of a boot report');
    writeFileSync(join(dir, '777'), 'a report put beside the category folders by mistake');
    const r = await bugcat(['train', '--data', dir, '--out', join(tmp(), 'm'), ...FAST.filter((a) => a !== '--quiet')]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/warning: skipped 1 nested folder \(boot\/old\): a category folder holds report files only/);
    expect(r.stderr).toMatch(
      /warning: skipped 1 file beside the category folders in .* \(777\): a report must sit in its category's folder/,
    );
    expect(r.stderr).toMatch(/training on 9 reports/);
  });

  it('the reasoning traces are refused as reports', async () => {
    const dir = tmp();
    cpSync(STUDY, dir, { recursive: true });
    const r = await bugcat(['train', '--data', join(dir, 'reasoning'), '--out', join(tmp(), 'm'), ...FAST]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/reasoning traces.*not the reports: give the run's output\/ folder/);
  });
});

describe('predict takes what users have', () => {
  it('a folder: every file under it, recursively, named by base name (--id-from path: relative to it)', async () => {
    const r = await bugcat(['predict', '--model', model, join(ZERO_SHOT, 'boot'), join(ZERO_SHOT, 'network')]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(lines.map((l) => l[2])).toEqual(['201', '202', '203', '101', '102', '103']);
    expect(lines.map((l) => l[0])).toEqual(['boot', 'boot', 'boot', 'network', 'network', 'network']);
    const whole = await bugcat(['predict', '--model', model, ZERO_SHOT, '--format', 'csv']);
    expect(whole.status, whole.stderr).toBe(0);
    const ids = (parse(whole.stdout, { columns: true }) as { id: string }[]).map((x) => x.id);
    expect(ids).toEqual(['902', '201', '202', '203', '301', '302', '303', '101', '102', '103', '901']);
    const byPath = await bugcat(['predict', '--model', model, ZERO_SHOT, '--format', 'csv', '--id-from', 'path']);
    expect(byPath.status, byPath.stderr).toBe(0);
    expect((parse(byPath.stdout, { columns: true }) as { id: string }[]).map((x) => x.id)).toEqual([
      'all/902',
      'boot/201',
      'boot/202',
      'boot/203',
      'graphic/301',
      'graphic/302',
      'graphic/303',
      'network/101',
      'network/102',
      'network/103',
      'none/901',
    ]);
    expect(whole.stderr).toMatch(/skipped categories\.csv: the study's counts, not reports/);
  });

  it('GitHub issues as JSON (title + body, id from number) and GitLab issues as JSON Lines (title + description, id from iid)', async () => {
    const gh = await bugcat(['predict', '--model', model, GITHUB, '--format', 'jsonl']);
    expect(gh.status, gh.stderr).toBe(0);
    const rows = gh.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((x) => [x.id, x.label])).toEqual([
      ['4101', 'boot'],
      ['4102', 'network'],
      ['4103', 'graphic'],
    ]);
    const gl = await bugcat(['predict', '--model', model, GITLAB, '--format', 'csv']);
    const out = parse(gl.stdout, { columns: true }) as Record<string, string>[];
    expect(out.map((x) => x.id)).toEqual(['12', '13', 'line 3', '15']);
    expect(out.map((x) => x.label)).toEqual(['boot', 'network', '', 'graphic']);
    expect(out[2].error).toBe('line 3 is not valid JSON');
    expect(gl.status).toBe(3); // some reports failed, the rest were predicted
    const lib = readAllReports([GITHUB]);
    expect(lib.texts[0]).toBe('Guest hangs at boot with -kernel\nThe bootloader never starts; the firmware prints nothing after SeaBIOS.');
  });

  it('--data - reads a CSV or JSON Lines stream from stdin; --input-format overrides the file name', async () => {
    const jsonl = await bugcat(['predict', '--model', model, '--data', '-'], { input: readFileSync(GITLAB) });
    expect(jsonl.stdout.trim().split('\n')).toHaveLength(4);
    const csv = await bugcat(['predict', '--model', model, '--data', '-', '--format', 'csv'], { input: readFileSync(REPORTS) });
    expect(csv.status).toBe(0);
    expect((parse(csv.stdout, { columns: true }) as unknown[]).length).toBe(32);
    const copy = join(tmp(), 'issues.txt');
    writeFileSync(copy, readFileSync(GITHUB));
    const forced = await bugcat(['predict', '--model', model, copy, '--input-format', 'json', '--format', 'jsonl']);
    expect(forced.stdout.trim().split('\n')).toHaveLength(3);
  });

  it('an argument that looks like a path but does not exist is an error, not a report; text arguments still work', async () => {
    for (const arg of ['data/examples/missing.txt', 'reports/', 'report.txt']) {
      const r = await bugcat(['predict', '--model', model, arg]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/no such file or folder; check the path/);
      expect(r.stdout).toBe('');
    }
    const text = await bugcat(['predict', '--model', model, 'the guest hangs at boot with -kernel']);
    expect(text.stdout).toMatch(/^boot\t/);
  });
});

describe('one bad report never sinks a batch', () => {
  it('NUL bytes and escapes are removed with a warning naming the report; a binary file fails alone, in its row, exit 3', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'a-clean'), 'virtio-net drops packets under load with tap networking');
    writeFileSync(join(dir, 'b-nul'), 'guest hangs at boot\u0000 with -kernel\u001b[0m, the bootloader never starts');
    writeFileSync(join(dir, 'c-binary'), Buffer.from(Array.from({ length: 512 }, (_, i) => i % 32)));
    const r = await bugcat(['predict', '--model', model, dir, '--format', 'json']);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/warning: removed control characters \(NUL bytes, escape codes\) from 1 report: b-nul \(2\)/);
    expect(r.stderr).toMatch(/warning: c-binary: .*looks like binary data, not text/);
    expect(r.stderr).toMatch(/1 of 3 reports could not be read; the others were predicted \(exit code 3\)/);
    const rows = JSON.parse(r.stdout);
    expect(rows.map((x: { id: string }) => x.id)).toEqual(['a-clean', 'b-nul', 'c-binary']);
    expect(rows[0].label).toBe('network');
    expect(rows[1].label).toBe('boot');
    expect(rows[2]).toEqual({ id: 'c-binary', error: expect.stringMatching(/looks like binary data/) });
    // The JSON says which report was cleaned, and how much: the warning reaches stdout's readers too.
    expect(rows[1].control_characters).toBe(2);
    expect('control_characters' in rows[0]).toBe(false);
    // And the library's streamed predictions.
    const streamed = [];
    for await (const batch of predictStream(await load(model), streamReports(dir), { jobs: 1 })) streamed.push(...batch);
    expect(streamed.map((p) => [p.id, p.controlCharacters])).toEqual([
      ['a-clean', undefined],
      ['b-nul', 2],
      ['c-binary', undefined],
    ]);
    const clean = await bugcat([
      'predict',
      '--model',
      model,
      'guest hangs at boot with -kernel, the bootloader never starts',
      '--format',
      'json',
    ]);
    expect(JSON.parse(clean.stdout)[0].confidence).toBe(rows[1].confidence);
  });

  it('reports given as arguments or piped on stdin get the same warning as files', async () => {
    const dirty = 'guest hangs at boot\u0000 with -kernel\u001b[0m, the bootloader never starts';
    // An argument cannot hold a NUL byte; an escape code it can.
    const escaped = 'guest hangs at boot with -kernel\u001b[0m\u001b[1m, the bootloader never starts';
    const args = await bugcat(['predict', '--model', model, 'virtio-net drops packets under load', escaped]);
    expect(args.status, args.stderr).toBe(0);
    expect(args.stderr).toMatch(/warning: removed control characters \(NUL bytes, escape codes\) from 1 report: 2 \(2\)/);
    expect(args.stdout.split('\n')[1]).toMatch(/^boot\t/);
    const piped = await bugcat(['predict', '--model', model, '--format', 'json'], { input: dirty });
    expect(piped.status, piped.stderr).toBe(0);
    expect(piped.stderr).toMatch(/from 1 report: stdin \(2\)/);
    expect(JSON.parse(piped.stdout)[0]).toMatchObject({ id: 'stdin', label: 'boot', control_characters: 2 });
    // A clean argument says nothing.
    const clean = await bugcat(['predict', '--model', model, 'virtio-net drops packets under load']);
    expect(clean.stderr).not.toMatch(/control characters/);
  });
});

describe('the same report gets the same answer', () => {
  let lib: Model;
  beforeAll(async () => {
    lib = await train(readReports(REPORTS, { labelColumn: 'label' }), { hyperparameters: { epochs: 10, hidden: 16, batchSize: 4 } });
  });

  it('a report and its CRLF, CR and NFD twins get identical probabilities (property test)', () => {
    const line = fc
      .array(fc.oneof(fc.lorem({ maxCount: 6 }), fc.constantFrom('boot', 'virtio-net', 'display', 'café', 'naïve', 'tap0')), {
        minLength: 1,
        maxLength: 6,
      })
      .map((w) => w.join(' '));
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 5 }), (lines) => {
        const lf = lines.join('\n');
        const twins = [lines.join('\r\n'), lines.join('\r'), lf.normalize('NFD')];
        const [base, ...others] = lib.predict([lf, ...twins], { top: 3 });
        for (const o of others) expect(o).toEqual(base);
      }),
      { seed: 14, numRuns: 150 },
    );
  });

  it('the CLI agrees: a CRLF, decomposed-Unicode file and its LF, composed twin get the same line', async () => {
    const dir = tmp();
    // Long enough that CR characters would push words past the first 1,000 characters (charChars).
    const lines = [
      'Guest hangs at boot with -kernel on the café wifi',
      ...Array.from({ length: 60 }, (_, i) => (i % 2 ? 'the bootloader never starts' : 'network packets dropped on tap')),
    ];
    const text = lines.join('\n') + '\n';
    writeFileSync(join(dir, 'crlf'), text.replace(/\n/g, '\r\n').normalize('NFD'));
    writeFileSync(join(dir, 'lf'), text);
    const r = await bugcat(['predict', '--model', model, join(dir, 'crlf'), join(dir, 'lf'), '--top', '3']);
    const [a, b] = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('\t').filter((_, i) => i !== 2));
    expect(a).toEqual(b);
  });
});

describe('no confident answer on nothing; reports unlike the training data are visible', () => {
  it('an empty or white-space-only report gets the review label, confidence 0, and a warning', async () => {
    const r = await bugcat(['predict', '--model', model, '--format', 'json', ' \n\t ', 'guest hangs at boot']);
    const rows = JSON.parse(r.stdout);
    expect(rows[0]).toMatchObject({ label: 'manual-review', confidence: 0, coverage: 0, top: [] });
    expect(rows[1].label).toBe('boot');
    expect(r.stderr).toMatch(/warning: 1 report is empty \(1\): answered with the review label, confidence 0/);
  });

  it('each prediction carries its vocabulary coverage, and a batch unlike the training data gets one warning', async () => {
    const like = await bugcat(['predict', '--model', model, '--format', 'json', '--data', REPORTS]);
    expect(like.stderr).not.toMatch(/look unlike the training data/);
    const coverage = (JSON.parse(like.stdout).map((x: { coverage: number }) => x.coverage) as number[]).filter((c) => c > 0).sort();
    const median = coverage[Math.floor(coverage.length / 2)];
    const unlike = [
      'Der Drucker im zweiten Stock druckt nur leere Seiten aus.',
      'Il gatto dorme sul divano tutto il pomeriggio.',
      'Quarterly revenue grew by seven percent year on year.',
    ];
    const r = await bugcat(['predict', '--model', model, '--format', 'json', ...unlike]);
    expect(r.stderr).toMatch(
      /warning: 3 of 3 reports \(100 %\) look unlike the training data: the model's vocabulary covers less of them \(coverage < 0\.\d\d\)/,
    );
    expect(r.stderr.match(/look unlike/g)).toHaveLength(1);
    for (const x of JSON.parse(r.stdout)) expect(x.coverage).toBeLessThan(median / 2);
  });
});

describe('evaluate and cv cannot be fooled by overlap', () => {
  it('evaluate says how many evaluation reports the model was trained on, with a warning', async () => {
    const r = await bugcat(['evaluate', '--model', model, '--data', REPORTS]);
    expect(r.stdout).toMatch(/reports the model was trained on: 30 of 30/);
    expect(r.stderr).toMatch(/warning: the model was trained on 30 of these 30 reports \(100\.0 %\)/);
    const held = join(tmp(), 'held.csv');
    writeFileSync(
      held,
      'id,text,label\nh1,"The guest freezes while booting an arm64 kernel from an initrd",boot\nh2,"tap networking loses udp packets after a host suspend",network\n',
    );
    const h = await bugcat(['evaluate', '--model', model, '--data', held, '--json', join(tmp(), 'e.json')]);
    expect(h.stdout).toMatch(/reports the model was trained on: 0 of 2/);
    expect(h.stderr).not.toMatch(/trained on/);
    // The same report with other line ends and spacing at its ends is the same report.
    const twin = join(tmp(), 'twin.csv');
    const first = (parse(readFileSync(REPORTS), { columns: true }) as Record<string, string>[])[0];
    writeFileSync(twin, `id,text,label\nx,"  ${first.text.replace(/"/g, '""').replace(/\n/g, '\r\n')}\n",${first.label}\n`);
    expect((await bugcat(['evaluate', '--model', model, '--data', twin])).stdout).toMatch(/trained on: 1 of 1/);
  });
});

describe('options as people type them', () => {
  it('boolean hyperparameters are plain flags with negations', async () => {
    const on = join(tmp(), 'on');
    const off = join(tmp(), 'off');
    expect((await bugcat(['train', '--data', REPORTS, '--out', on, '--stopwords', '--stem', ...FAST])).status).toBe(0);
    expect((await bugcat(['train', '--data', REPORTS, '--out', off, '--no-stopwords', '--stem', 'false', ...FAST])).status).toBe(0);
    const hp = (dir: string) => JSON.parse(readFileSync(join(dir, 'bugcat.json'), 'utf8')).hyperparameters;
    expect([hp(on).stopwords, hp(on).stem]).toEqual([true, true]);
    expect([hp(off).stopwords, hp(off).stem]).toEqual([false, false]);
  });

  it('--top k shows k labels in text format too', async () => {
    const r = await bugcat(['predict', '--model', model, '--top', '3', 'guest hangs at boot with -kernel']);
    const cells = r.stdout.trim().split('\t');
    expect(cells).toHaveLength(6);
    expect(cells[0]).toBe('boot');
    expect(new Set([cells[0], cells[2], cells[4]])).toEqual(new Set(['boot', 'graphic', 'network']));
  });
});

describe("predict --out-dir writes the study's layout", () => {
  it('reports that share an id (box64/100, fex/100) are made distinct before anything is printed or written, with one warning, in JSON too', async () => {
    const src = tmp();
    mkdirSync(join(src, 'box64'));
    mkdirSync(join(src, 'fex'));
    writeFileSync(join(src, 'box64', '100'), 'guest hangs at boot with -kernel');
    writeFileSync(join(src, 'fex', '100'), 'virtio-net drops packets under load');
    const dir = join(tmp(), 'out');
    const r = await bugcat(['predict', '--model', model, join(src, 'box64'), join(src, 'fex'), '--out-dir', dir, '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as { id: string; label: string; id_warning?: string }[];
    expect(rows.map((x) => x.id)).toEqual(['box64-100', 'fex-100']);
    for (const x of rows) expect(x.id_warning).toMatch(/the id 100 is shared by 2 reports/);
    expect(r.stderr.match(/shared an id/g)).toHaveLength(1);
    for (const x of rows) expect(readFileSync(join(dir, x.label, x.id), 'utf8')).toMatch(/\n\n/);
  });

  it('DIR/<label>/<id> with the ranked label: score lines, a blank line and the report; categories.csv; read back without the scores', async () => {
    const dir = join(tmp(), 'out');
    const r = await bugcat(['predict', '--model', model, '--data', REPORTS, '--out-dir', dir, '--format', 'csv']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/wrote 32 reports to .*out in the study's layout/);
    const csv = parse(r.stdout, { columns: true }) as Record<string, string>[];
    const input = parse(readFileSync(REPORTS), { columns: true }) as Record<string, string>[];
    const first = readFileSync(join(dir, csv[0].label, csv[0].id), 'utf8');
    const [head, ...rest] = first.split('\n\n');
    expect(
      head
        .split('\n')
        .map((l) => l.split(': ')[0])
        .sort(),
    ).toEqual(['boot', 'graphic', 'network']);
    expect(head.split('\n')[0]).toBe(`${csv[0].label}: ${Number(csv[0].confidence).toFixed(3)}`);
    expect(rest.join('\n\n')).toBe(input[0].text);
    const counts = readFileSync(join(dir, 'categories.csv'), 'utf8').trim().split('\n');
    expect(counts[0]).toBe('category, count');
    expect(counts.slice(1).reduce((n, l) => n + Number(l.split(', ')[1]), 0)).toBe(32);
    // Read back as a study folder: the report texts, without the score lines.
    const back = readReports(dir, { labelColumn: 'label', excludeLabels: [] });
    const byId = new Map(back.ids.map((id, i) => [id, back.texts[i]]));
    for (const row of input.filter((x) => x.text.trim() !== '')) expect(byId.get(row.id)?.trimStart()).toBe(row.text.trimStart());
  });

  it('refuses a non-empty folder it did not write unless --force, and never replaces or deletes a file there', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const r = await bugcat(['predict', '--model', model, '--data', REPORTS, '--out-dir', dir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/is not empty and was not written by bugcat/);
    expect(r.stdout).toBe('');
    const forced = await bugcat(['predict', '--model', model, '--data', REPORTS, '--out-dir', dir, '--force']);
    expect(forced.status, forced.stderr).toBe(0);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
    // Its own earlier output it may write again.
    const again = await bugcat(['predict', '--model', model, '--data', REPORTS, '--out-dir', dir]);
    expect(again.status, again.stderr).toBe(0);
  });
});
