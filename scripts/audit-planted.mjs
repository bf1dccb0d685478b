// Does bugcat audit find wrong labels? Plant some and see: flip the labels of a seeded share of
// the QEMU corpus's folds 1-4 (never fold 0) to another label drawn at random, audit the
// flipped set, and count the planted flips among audit's top-ranked reports (as many as were
// planted): precision and recall of the planted flips there.
//
//   node scripts/audit-planted.mjs [--share 0.05] [--seed 1] [--folds 5] [--json out.json] [--dump audit.json]
//
// --json writes the figures; --dump every audited report (its given and original labels,
// whether it was planted, its out-of-fold probabilities), to try other rankings on.
//
// The corpus stays in ../shared/data; the split is written to a temporary folder and removed.
// Beside the ranking audit uses, the same out-of-fold probabilities are ranked the other ways
// cleanlab offers (self-confidence; with or without the issues first), for comparison.
import { rmSync, writeFileSync } from 'node:fs';
import { audit, readReports } from 'bugcat';
import { writeSplit } from './qemu-split.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const share = Number(opt('--share', '0.05'));
const seed = Number(opt('--seed', '1'));
const folds = Number(opt('--folds', '5'));
const jsonOut = opt('--json');
const dumpOut = opt('--dump');

/** mulberry32: a small seeded PRNG, so that the planted flips are the same on every run. */
function prng(s) {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const split = writeSplit();
try {
  const reports = readReports(split.train, { labelColumn: 'label' });
  const n = reports.ids.length;
  const labels = [...new Set(reports.labels)].sort();
  const rand = prng(seed);
  // A seeded sample of round(share * n) reports, each flipped to a different label drawn uniformly.
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const planted = new Set(order.slice(0, Math.round(share * n)));
  const flipped = reports.labels.map((l, i) => {
    if (!planted.has(i)) return l;
    const others = labels.filter((o) => o !== l);
    return others[Math.floor(rand() * others.length)];
  });
  console.error(`audit-planted: ${n} reports of folds 1-4, ${planted.size} labels flipped (seed ${seed}); auditing with ${folds} folds`);
  const started = performance.now();
  const result = await audit({ ...reports, labels: flipped }, { folds, onProgress: (m) => console.error(`  ${m}`) });
  const seconds = (performance.now() - started) / 1000;

  const k = planted.size;
  const figures = (ranked) => {
    const hits = ranked.slice(0, k).filter((e) => planted.has(e.index)).length;
    return { precision: hits / k, recall: hits / planted.size };
  };
  const byScore = (key) => (a, b) => a[key] - b[key] || a.index - b.index;
  const issuesFirst = (cmp) => (a, b) => Number(b.issue) - Number(a.issue) || cmp(a, b);
  const selfConfidence = (e) => ({ ...e, self: e.probability });
  const entries = result.entries.map(selfConfidence);
  const rankings = {
    [`audit (${result.ranking}, issues first)`]: result.entries,
    'self-confidence alone': [...entries].sort(byScore('self')),
    'normalized margin, issues first': [...entries].sort(issuesFirst(byScore('margin'))),
    'normalized margin alone': [...entries].sort(byScore('margin')),
  };
  const issues = result.entries.filter((e) => e.issue);
  const plantedIssues = issues.filter((e) => planted.has(e.index)).length;
  const out = {
    n,
    planted: planted.size,
    share,
    seed,
    folds,
    seconds,
    top: k,
    issues: issues.length,
    plantedAmongIssues: plantedIssues,
    rankings: Object.fromEntries(Object.entries(rankings).map(([name, ranked]) => [name, figures(ranked)])),
    estimatedWrong: result.categories.reduce((s, c) => s + c.estimatedWrong, 0),
  };
  const pct = (x) => `${(100 * x).toFixed(1)} %`;
  console.log(
    `${n} reports (folds 1-4), ${planted.size} labels flipped (${pct(share)}, seed ${seed}), ${folds}-fold cross-fitted audit in ${seconds.toFixed(0)} s`,
  );
  console.log(`planted flips in audit's top ${k} (top ${pct(k / n)}):`);
  for (const [name, f] of Object.entries(out.rankings))
    console.log(`  ${name.padEnd(36)} precision ${pct(f.precision)}, recall ${pct(f.recall)}`);
  console.log(
    `issues flagged: ${issues.length} (${pct(issues.length / n)}), holding ${plantedIssues} of the ${planted.size} planted flips (recall ${pct(plantedIssues / planted.size)}); estimated wrong labels in all: ${out.estimatedWrong.toFixed(0)}`,
  );
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(out, null, 2) + '\n');
  if (dumpOut) {
    const dumped = result.entries.map((e) => ({
      id: e.id,
      label: e.label,
      original: reports.labels[e.index],
      planted: planted.has(e.index),
      issue: e.issue,
      probabilities: e.probabilities,
    }));
    writeFileSync(dumpOut, JSON.stringify({ labels, entries: dumped }) + '\n');
  }
} finally {
  rmSync(split.dir, { recursive: true, force: true });
}
