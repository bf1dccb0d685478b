// The shared QEMU corpus split as the study fixes it: folds 1-4 to train, fold 0 to test.
// The corpus is public material that stays in ../shared: the split CSVs are written to a
// temporary folder outside the project, never into it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

export const SHARED_DATA = new URL('../../shared/data', import.meta.url).pathname;

/** Writes train.csv (folds 1-4, with a `fold` column) and test.csv (fold 0), with the second annotator's label_gemma; returns their paths. */
export function writeSplit(dataDir = SHARED_DATA) {
  const rows = parse(readFileSync(join(dataDir, 'qemu-reports.csv')), { columns: true });
  const fold = new Map(parse(readFileSync(join(dataDir, 'split.csv')), { columns: true }).map((r) => [r.id, r.fold]));
  const dir = mkdtempSync(join(tmpdir(), 'bugcat-qemu-'));
  const columns = ['id', 'text', 'label', 'label_gemma', 'fold'];
  const write = (name, part) => {
    const file = join(dir, name);
    writeFileSync(
      file,
      stringify(
        part.map((r) => ({ ...r, fold: fold.get(r.id) })),
        { header: true, columns },
      ),
    );
    return file;
  };
  return {
    dir,
    train: write(
      'train.csv',
      rows.filter((r) => fold.get(r.id) !== '0'),
    ),
    test: write(
      'test.csv',
      rows.filter((r) => fold.get(r.id) === '0'),
    ),
  };
}
