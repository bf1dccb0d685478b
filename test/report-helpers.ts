/**
 * What the report tests share: a small model trained on the fixture reports, and the same
 * reports with every third one relabelled, so that the model makes confident errors and the
 * report has errors, an uneven reliability diagram and thresholds to show.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { bugcat, FAST, REPORTS, tmp } from './helpers.js';

export interface ReportFixture {
  dir: string;
  model: string;
  /** The fixture reports, every third labelled one moved to the next label. */
  data: string;
}

export async function reportFixture(): Promise<ReportFixture> {
  const dir = tmp('bugcat-report-');
  const model = join(dir, 'model');
  const r = await bugcat(['train', '--data', REPORTS, '--out', model, ...FAST]);
  if (r.status !== 0) throw new Error(`training the fixture model failed: ${r.stderr}`);
  const rows = parse(readFileSync(REPORTS), { columns: true }) as Record<string, string>[];
  const labels = ['boot', 'graphic', 'network'];
  let k = 0;
  for (const row of rows) {
    if (!labels.includes(row.label)) continue;
    if (k++ % 3 === 0) row.label = labels[(labels.indexOf(row.label) + 1) % labels.length];
  }
  const data = join(dir, 'relabelled.csv');
  writeFileSync(data, stringify(rows, { header: true }));
  return { dir, model, data };
}
