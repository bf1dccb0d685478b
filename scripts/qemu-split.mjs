// The shared QEMU corpus split as the study fixes it: folds 1-4 to train, fold 0 to test.
// The corpus is public material that stays in ../shared: the split CSVs are written to a
// temporary folder outside the project, never into it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

/** ../shared/data beside the repository; in a git worktree, beside its main checkout. */
export const SHARED_DATA = (() => {
  const beside = new URL('../../shared/data', import.meta.url).pathname;
  if (existsSync(beside)) return beside;
  const root = new URL('..', import.meta.url).pathname;
  const common = spawnSync('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], { cwd: root }).stdout?.toString().trim();
  return common ? join(dirname(dirname(common)), 'shared', 'data') : beside;
})();

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
