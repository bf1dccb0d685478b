#!/usr/bin/env node
// npm run bench runs this after bench-active.mjs (npm run bench -- --quick runs it with --quick).
// The cascade, simulated with the LLMs' stored answers (the study's runs are the LLM: no GPU): bugcat trained
// on 300 and on 1,000 random reports of folds 1-4 (--draws seeded draws each), predicts fold 0; the least sure
// share S of the reports (0 to 50 %) is answered by deepseek-r1:14b's stored label instead (`predict
// --defer-share S`). Scored, on the 17 categories, as agreement with the full LLM run (deepseek's `label` on
// every report) and on the reports where both LLMs agree (`label` = `label_gemma`); on the mode taxonomy
// (qemu-mode.csv, deepseek-r1:32b's labels), as agreement with the full LLM run. The target: agreement of
// 0.95 or more on the mode taxonomy deferring at most 30 %, from 300 labels. With --self-train, each model
// also learns from the rest of folds 1-4 without their labels (`train --self-train`, its defaults).
//   node scripts/bench-cascade.mjs [--quick] [--draws 3] [--sizes 300,1000] [--tasks cat17,mode] [--self-train] [--json FILE] [--data DIR]
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { deferredOf, train } from 'bugcat';
import { loadCorpus, shuffled, SHARED_DATA, taskRows } from './tasks.mjs';

const root = new URL('..', import.meta.url).pathname;
const argv = process.argv.slice(2);
const opt = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const quick = argv.includes('--quick');
const draws = Number(opt('--draws', quick ? 1 : 3));
const sizes = opt('--sizes', quick ? '300' : '300,1000')
  .split(',')
  .map(Number);
const tasks = opt('--tasks', 'cat17,mode').split(',');
const selfTrain = argv.includes('--self-train');
const jsonOut = opt('--json', join(root, '.bench', selfTrain ? 'bench-cascade-self-train.json' : 'bench-cascade.json'));
const dataDir = opt('--data', existsSync(SHARED_DATA) ? SHARED_DATA : '/work/shared/data');
const TARGET = 0.95;
const TARGET_SHARE = 0.3;
const SHARES = [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5];
const say = (s) => process.stderr.write(`${s}\n`);
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const fmt = (x, d = 3) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));

const corpus = loadCorpus({ dataDir, withFold0: true });
const gemma = new Map(corpus.reports.map((r) => [r.id, r.label_gemma]));
const same = (a, b) => a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();

say(
  `bench-cascade: ${cpus()[0]?.model ?? 'unknown processor'}, ${cpus().length} cores, load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
const result = { processor: cpus()[0]?.model, draws, tasks: {} };
const lines = [];
for (const task of tasks) {
  const rows = taskRows(corpus, task);
  const pool = rows.filter((r) => r.fold !== '0');
  const test = rows.filter((r) => r.fold === '0');
  // The reports where both LLMs agree (the 17 categories only: the mode taxonomy has one LLM's labels).
  const agreed = task === 'cat17' ? test.map((r) => same(r.label, gemma.get(r.id))) : undefined;
  result.tasks[task] = {};
  for (const n of sizes) {
    const curves = [];
    for (let d = 1; d <= draws; d++) {
      const sample = shuffled(pool, d).slice(0, n);
      const started = performance.now();
      const taken = new Set(sample.map((r) => r.id));
      const model = await train(
        { texts: sample.map((r) => r.text), labels: sample.map((r) => r.label) },
        selfTrain ? { selfTrain: { reports: pool.filter((r) => !taken.has(r.id)).map((r) => r.text) } } : {},
      );
      const preds = model.predict(test.map((r) => r.text));
      say(`${task}, ${n} labels, draw ${d}: trained and predicted in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      curves.push(
        SHARES.map((share) => {
          const deferred = deferredOf(
            preds.map((p) => p.confidence),
            { share },
          );
          // A deferred report gets the LLM's stored label: right against the full LLM run by definition.
          const answer = preds.map((p, i) => (deferred[i] ? test[i].label : p.label));
          const right = answer.map((a, i) => same(a, test[i].label));
          const both = agreed ? right.filter((_, i) => agreed[i]) : [];
          // How right the model is on the reports it keeps and on those it defers, and how sure it was.
          const part = (want) => {
            const ix = preds.map((_, i) => i).filter((i) => deferred[i] === want);
            const ok = ix.filter((i) => same(preds[i].label, test[i].label)).length;
            return ix.length ? { accuracy: ok / ix.length, confidence: mean(ix.map((i) => preds[i].confidence)) } : undefined;
          };
          return {
            share,
            kept: part(false),
            deferredPart: part(true),
            deferred: deferred.filter(Boolean).length,
            agreement: mean(right.map(Number)),
            bothAgree: agreed ? mean(both.map(Number)) : undefined,
          };
        }),
      );
    }
    const meanOf = (k, side, key) => mean(curves.map((c) => c[k][side]?.[key]).filter((x) => x !== undefined));
    const curve = SHARES.map((share, k) => ({
      share,
      keptAccuracy: meanOf(k, 'kept', 'accuracy'),
      keptConfidence: meanOf(k, 'kept', 'confidence'),
      deferredAccuracy: meanOf(k, 'deferredPart', 'accuracy'),
      deferredConfidence: meanOf(k, 'deferredPart', 'confidence'),
      deferred: mean(curves.map((c) => c[k].deferred)),
      agreement: mean(curves.map((c) => c[k].agreement)),
      bothAgree: agreed ? mean(curves.map((c) => c[k].bothAgree)) : undefined,
    }));
    result.tasks[task][n] = curve;
    lines.push(
      `cascade, ${task}, trained on ${n}${selfTrain ? ' and self-trained on the rest of folds 1-4' : ''} (fold 0: ${test.length} reports${agreed ? `, both LLMs agree on ${agreed.filter(Boolean).length}` : ''}; mean of ${draws} draws): share deferred -> agreement with the full LLM run${agreed ? ' / accuracy where both LLMs agree' : ''}`,
    );
    lines.push(
      `  ${curve.map((c) => `${Math.round(c.share * 100)}% ${fmt(c.agreement)}${agreed ? `/${fmt(c.bothAgree)}` : ''}`).join(' | ')}`,
    );
    const enough = curve.find((c) => c.agreement >= 0.95);
    lines.push(
      `  agreement 0.95 reached ${enough ? `deferring ${Math.round(enough.share * 100)} %` : `beyond 50 % (${fmt(curve.at(-1).agreement)} at 50 %)`}`,
    );
    // Why: agreement at share S is S + (1 - S) x the accuracy on the kept reports, so 0.95 at 30 % needs
    // the kept 70 % right on (0.95 - 0.3) / 0.7 = 0.929. A calibrated model is right on its deferred
    // reports about as often as it was sure of them, never below 1 / (categories) on average, so it needs
    // an accuracy of at least 0.95 - S + S x (that) on all reports.
    const at = curve.find((c) => c.share === TARGET_SHARE);
    const k = new Set(pool.map((r) => r.label.toLowerCase())).size;
    lines.push(
      `  at ${TARGET_SHARE * 100} % deferred: the kept reports right on ${fmt(at.keptAccuracy)} (mean confidence ${fmt(at.keptConfidence)}), the deferred on ${fmt(at.deferredAccuracy)} (${fmt(at.deferredConfidence)}); 0.95 needs the kept right on ${fmt((TARGET - TARGET_SHARE) / (1 - TARGET_SHARE))}, so a model right on ${fmt(TARGET - TARGET_SHARE + TARGET_SHARE * at.deferredAccuracy)} of all reports at this deferred accuracy (${fmt(TARGET - TARGET_SHARE + TARGET_SHARE / k)} at 1/${k}, chance among ${k} categories); this one: ${fmt(curve[0].agreement)}`,
    );
  }
}
process.stdout.write(lines.join('\n') + '\n');
mkdirSync(dirname(jsonOut), { recursive: true });
writeFileSync(jsonOut, JSON.stringify(result, null, 2) + '\n');
say(
  `bench-cascade: figures written to ${jsonOut}; load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
