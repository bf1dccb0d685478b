#!/usr/bin/env node
// The table of scripts/tune-tasks.mjs's results: per configuration, task and size, the mean
// accuracy and the mean paired difference to the anchor (points), and the worst task.
//   node scripts/tune-summary.mjs RESULTS.jsonl [--metric accuracy|macro_f1]
import { readFileSync } from 'node:fs';
const argv = process.argv.slice(2);
const metric = argv.includes('--metric') ? argv[argv.indexOf('--metric') + 1] : 'accuracy';
const anchorKey = metric === 'accuracy' ? 'anchor' : 'anchor_f1';
const rows = readFileSync(argv[0], 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const cells = [...new Set(rows.map((r) => `${r.task}-${r.size}`))];
const configs = [...new Set(rows.map((r) => r.config))];
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const lines = [`${'config'.padEnd(26)} ${cells.map((c) => c.padStart(11)).join(' ')}   mean   worst  s/split`];
for (const c of configs) {
  const per = cells.map((cell) => {
    const rs = rows.filter((r) => r.config === c && `${r.task}-${r.size}` === cell);
    return rs.length ? mean(rs.map((r) => (r[metric] - r[anchorKey]) * 100)) : NaN;
  });
  const ok = per.filter((x) => !Number.isNaN(x));
  const secs = mean(rows.filter((r) => r.config === c).map((r) => r.seconds));
  lines.push(`${c.padEnd(26)} ${per.map((x) => (Number.isNaN(x) ? '-' : x.toFixed(1)).padStart(11)).join(' ')}  ${mean(ok).toFixed(2).padStart(5)}  ${Math.min(...ok).toFixed(1).padStart(6)}  ${secs.toFixed(1).padStart(6)}`);
}
lines.push(`(mean paired difference to the anchor in points of ${metric}, by task-size; anchor ${metric}: ${cells.map((cell) => { const rs = rows.filter((r) => `${r.task}-${r.size}` === cell && r.config === configs[0]); return `${cell} ${rs.length ? mean(rs.map((r) => r[anchorKey])).toFixed(3) : '-'}`; }).join(', ')})`);
console.log(lines.join('\n'));
