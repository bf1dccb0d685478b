#!/usr/bin/env node
// The table of scripts/tune-tasks.mjs's results: per configuration, task and size, the mean
// paired difference to the anchor (points) with its standard error, the mean over the cells and
// the worst cell. With --base NAME, a second table: each configuration's paired difference to
// that configuration on the splits both ran (mean ± standard error, points), which is what
// decides between two configurations (their difference to the anchor shares the anchor's noise).
// The standard error is the splits' sd / sqrt(splits - 1): a lower bound, since the subsamples
// of a held-out fold share reports.
//   node scripts/tune-summary.mjs RESULTS.jsonl [--metric accuracy|macro_f1] [--base NAME]
import { readFileSync } from 'node:fs';
const argv = process.argv.slice(2);
const opt = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const metric = opt('--metric', 'accuracy');
const base = opt('--base', undefined);
const anchorKey = metric === 'accuracy' ? 'anchor' : 'anchor_f1';
const rows = readFileSync(argv[0], 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l));
const order = ['cat17-300', 'mode-300', 'gemma-300', 'cat17-1000', 'mode-1000', 'gemma-1000', 'cat17-full', 'mode-full', 'gemma-full'];
const cells = [...new Set(rows.map((r) => `${r.task}-${r.size}`))].sort((a, b) => order.indexOf(a) - order.indexOf(b));
const configs = [...new Set(rows.map((r) => r.config))];
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const se = (xs) => (xs.length < 2 ? NaN : Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)) / (xs.length - 1)));
const cellText = (xs) =>
  xs.length ? `${mean(xs) >= 0 ? '+' : ''}${mean(xs).toFixed(1)}±${Number.isNaN(se(xs)) ? '-' : se(xs).toFixed(1)}` : '-';
const W = 12;
function table(title, diffs) {
  const lines = [title, `${'config'.padEnd(30)} ${cells.map((c) => c.padStart(W)).join(' ')}   mean   worst  s/split`];
  for (const c of configs) {
    const per = cells.map((cell) => diffs(c, cell));
    const ok = per.filter((xs) => xs.length).map(mean);
    if (!ok.length) continue;
    const secs = mean(rows.filter((r) => r.config === c).map((r) => r.seconds));
    lines.push(
      `${c.padEnd(30)} ${per.map((xs) => cellText(xs).padStart(W)).join(' ')}  ${mean(ok).toFixed(2).padStart(5)}  ${Math.min(...ok)
        .toFixed(1)
        .padStart(6)}  ${secs.toFixed(1).padStart(6)}`,
    );
  }
  return lines.join('\n');
}
const of = (c, cell) => rows.filter((r) => r.config === c && `${r.task}-${r.size}` === cell);
const out = [
  table(`paired difference to the anchor, points of ${metric} (mean ± standard error over splits)`, (c, cell) =>
    of(c, cell).map((r) => (r[metric] - r[anchorKey]) * 100),
  ),
];
out.push(
  `(splits: ${cells.map((cell) => `${cell} ${configs.length ? Math.max(...configs.map((c) => of(c, cell).length)) : 0}`).join(', ')}; anchor ${metric}: ${cells
    .map((cell) => {
      const rs = rows.filter((r) => `${r.task}-${r.size}` === cell);
      const seen = new Map(rs.map((r) => [r.split, r[anchorKey]]));
      return `${cell} ${seen.size ? mean([...seen.values()]).toFixed(3) : '-'}`;
    })
    .join(', ')})`,
);
if (base) {
  out.push(
    '',
    table(`paired difference to ${base}, points of ${metric}, on the splits both ran`, (c, cell) => {
      const b = new Map(of(base, cell).map((r) => [r.split, r[metric]]));
      return of(c, cell)
        .filter((r) => b.has(r.split))
        .map((r) => (r[metric] - b.get(r.split)) * 100);
    }),
  );
}
console.log(out.join('\n'));
