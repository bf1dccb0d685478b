/**
 * Warnings reach every output (issue 26, item 3): labels the model never saw, labels that
 * differ only in case and training overlap, in evaluate's and cv's JSON and HTML and in the
 * library's results (through the built package, as a program imports it), and predict's count
 * and marks of the reports the model was trained on.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { bugcat, FAST, REPORTS, ROOT, tmp } from './helpers.js';

// The library as a program imports it: the built package.
const lib = (await import(join(ROOT, 'dist', 'index.js'))) as typeof import('../src/index.js');

let model: string;
let csv: string;
beforeAll(async () => {
  model = join(tmp(), 'model');
  const r = await bugcat(['train', '--data', REPORTS, '--out', model, ...FAST]);
  expect(r.status, r.stderr).toBe(0);
  // Held-out reports labelled as another study run writes them: NETWORK for network, a label the model never saw (usb).
  csv = join(tmp(), 'cased.csv');
  writeFileSync(
    csv,
    'id,text,label\n' +
      'h1,"tap networking loses udp packets after a host suspend",NETWORK\n' +
      'h2,"virtio-net link stays down after migration to the new host",NETWORK\n' +
      'h3,"The guest freezes while booting an arm64 kernel from an initrd",boot\n' +
      'h4,"usb passthrough of a webcam stops after a few frames",usb\n',
  );
}, 120_000);

describe('evaluate: the warnings are in the result, the JSON and the page', () => {
  it('the library returns trained_on and warnings, and scores a label differing only in case as the model’s', async () => {
    const m = await lib.load(model);
    const onTraining = lib.evaluate(m, lib.readReports(REPORTS, { labelColumn: 'label' }));
    expect(onTraining.trained_on).toBe(30);
    expect(onTraining.warnings.map((w) => w.kind)).toEqual(['trained_on']);
    expect(onTraining.warnings[0].message).toMatch(/trained on 30 of these 30 reports \(100\.0 %\): the figures overstate/);

    const held = lib.evaluate(m, lib.readReports(csv, { labelColumn: 'label' }));
    expect(held.trained_on).toBe(0);
    expect(held.warnings.map((w) => [w.kind, w.count])).toEqual([
      ['case_labels', 2],
      ['unseen_labels', 1],
    ]);
    expect(held.warnings[0].message).toMatch(/read NETWORK \(2\) as network/);
    expect(held.warnings[1].message).toMatch(/^1 report has a label the model never saw \(usb\): counted as errors/);
    // No empty NETWORK row beside network.
    expect(held.confusion.labels).not.toContain('NETWORK');
    const one = lib.evaluate(m, { ids: ['x'], texts: ['tap networking loses udp packets'], labels: ['NETWORK'] });
    expect(one.warnings[0].message).toMatch(
      /^1 report carries a label that differs from one of the model's only in case: read NETWORK \(1\) as network$/,
    );
    expect(held.per_class.network.support).toBe(2);
  });

  it('evaluate --json and --html carry the warnings; stderr says them too', async () => {
    const json = join(tmp(), 'e.json');
    const html = join(tmp(), 'e.html');
    const r = await bugcat(['evaluate', '--model', model, '--data', csv, '--json', json, '--html', html]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /warning: 2 reports carry a label that differs from one of the model's only in case: read NETWORK \(2\) as network/,
    );
    expect(r.stderr).toMatch(/warning: 1 report has a label the model never saw \(usb\)/);
    const e = JSON.parse(readFileSync(json, 'utf8'));
    expect(e.trained_on).toBe(0);
    expect(e.warnings.map((w: { kind: string }) => w.kind)).toEqual(['case_labels', 'unseen_labels']);
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/<ul class="warnings" id="warnings"/);
    expect(page).toMatch(/<strong>Warning:<\/strong> 1 report has a label the model never saw \(usb\): counted as errors/);
    expect(page).toMatch(/read NETWORK \(2\) as network/);

    const over = await bugcat(['evaluate', '--model', model, '--data', REPORTS, '--html', html, '--json', json]);
    expect(over.status).toBe(0);
    expect(readFileSync(html, 'utf8')).toMatch(
      /Warning:<\/strong> the model was trained on 30 of these 30 reports \(100\.0 %\): the figures overstate/,
    );
    expect(JSON.parse(readFileSync(json, 'utf8')).warnings[0]).toMatchObject({ kind: 'trained_on', count: 30 });
  });

  it('a page without anything to warn about has no warnings list', async () => {
    const held = join(tmp(), 'held.csv');
    writeFileSync(held, 'id,text,label\nh1,"tap networking loses udp packets after a host suspend",network\n');
    const html = join(tmp(), 'quiet.html');
    expect((await bugcat(['evaluate', '--model', model, '--data', held, '--html', html])).status).toBe(0);
    expect(readFileSync(html, 'utf8')).not.toMatch(/class="warnings"/);
  });
});

describe('cv: labels that differ only in case', () => {
  it('says so in the result, the JSON and the page', async () => {
    const rows = parse(readFileSync(REPORTS), { columns: true }) as Record<string, string>[];
    const data = join(tmp(), 'twins.csv');
    // Two of the network reports labelled NETWORK: two categories to training, which cv must say.
    writeFileSync(
      data,
      'id,text,label\n' +
        rows
          .map((r, i) => `${r.id},"${r.text.replace(/"/g, '""')}",${r.label === 'network' && i % 5 === 0 ? 'NETWORK' : r.label}`)
          .join('\n') +
        '\n',
    );
    const reports = lib.readReports(data, { labelColumn: 'label' });
    const twins = reports.labels!.filter((l) => l === 'NETWORK').length;
    expect(twins).toBeGreaterThan(1);
    const json = join(tmp(), 'cv.json');
    const html = join(tmp(), 'cv.html');
    const r = await bugcat(['cv', '--data', data, '--folds', '2', '--json', json, '--html', html, ...FAST]);
    expect(r.status, r.stderr).toBe(0);
    const cv = JSON.parse(readFileSync(json, 'utf8'));
    expect(cv.warnings).toHaveLength(1);
    expect(cv.warnings[0].kind).toBe('case_labels');
    expect(cv.warnings[0].message).toMatch(
      new RegExp(`NETWORK \\(${twins}\\) and network \\(\\d+\\)|network \\(\\d+\\) and NETWORK \\(${twins}\\)`),
    );
    expect(readFileSync(html, 'utf8')).toMatch(/Warning:<\/strong> labels that differ only in case are separate categories/);
  });
});

describe('predict: reports the model was trained on', () => {
  it('counts them on stderr and marks them "in_training" in JSON Lines', async () => {
    const r = await bugcat(['predict', '--model', model, '--data', REPORTS, '--format', 'jsonl']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    // 32 reports, 30 with a usable label: those 30 were trained on, the 2 others not.
    expect(lines).toHaveLength(32);
    expect(lines.filter((x) => x.in_training === true)).toHaveLength(30);
    expect(lines.filter((x) => !('in_training' in x))).toHaveLength(2);
    expect(r.stderr).toMatch(/warning: the model was trained on 30 of these 32 reports: .*marked "in_training": true/);
  });

  it('leaves records of new reports as they were: no field, no warning', async () => {
    const r = await bugcat(['predict', '--model', model, '--format', 'json', 'usb passthrough of a webcam stops after a few frames']);
    expect(r.status).toBe(0);
    expect(Object.keys(JSON.parse(r.stdout)[0])).toEqual(['id', 'label', 'confidence', 'coverage', 'top']);
    expect(r.stderr).not.toMatch(/trained on/);
  });

  it('CSV keeps its columns unless --mark-training asks for in_training', async () => {
    const plain = await bugcat(['predict', '--model', model, '--data', REPORTS, '--format', 'csv']);
    expect(plain.stdout.split('\n')[0]).toBe('id,label,confidence,coverage,error');
    expect(plain.stderr).toMatch(/trained on 30 of these 32 reports.*--mark-training adds an in_training column/);
    const marked = await bugcat(['predict', '--model', model, '--data', REPORTS, '--format', 'csv', '--mark-training']);
    const rows = parse(marked.stdout, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0])).toEqual(['id', 'label', 'confidence', 'coverage', 'error', 'in_training']);
    expect(rows.filter((x) => x.in_training === 'true')).toHaveLength(30);
    expect(rows.filter((x) => x.in_training === '')).toHaveLength(2);
  });

  it('the library marks them on the streamed predictions (inTraining)', async () => {
    const m = await lib.load(model);
    const seen: boolean[] = [];
    for await (const batch of lib.predictStream(m, lib.streamReports(REPORTS), { jobs: 1 }))
      for (const p of batch) seen.push(p.inTraining === true);
    expect(seen).toHaveLength(32);
    expect(seen.filter(Boolean)).toHaveLength(30);
  });
});
