#!/usr/bin/env node
// npm run bench:multilabel (also the last part of npm run bench) [-- --skip-cv] [--part split|p80|cv] [--json FILE]
// A tracker's own labels, several an issue, on ../shared/data/qemu-gitlab-issues.json, beside the
// one-vs-rest LinearSVC anchors of ../shared/bench/anchors_multilabel.py run in the same invocation:
//  1. the time split: train on the issues created before 2023-07-01, test on the rest; status
//     labels left out as the anchors leave them out (workflow::*, Closed::*, Stable::*, Launchpad)
//     and the labels on 10 or more training issues learned (the anchors' --min-count 10); our
//     predictions scored by anchors_multilabel.py --score beside the anchors: micro-F1, macro-F1, P@1;
//  2. the same at --min-precision 0.8: the precision reached on the test issues, and the share of
//     their labels found;
//  3. a five-fold `cv --time-column created_at` over the whole export (forward-chaining).
// Prints the processor and the load average; figures are printed and written as JSON, never asserted.
// The export is public material: it is read from ../shared and the split written to a temporary
// folder that is removed at the end, never into the project.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'dist', 'cli', 'main.js');
const argv = process.argv.slice(2);
const skipCv = argv.includes('--skip-cv');
// --part split|p80|cv: one part alone (the three can then run side by side); default: all three, in turn.
const part = argv.includes('--part') ? argv[argv.indexOf('--part') + 1] : undefined;
if (part !== undefined && !['split', 'p80', 'cv'].includes(part)) throw new Error(`--part ${part}: expected split, p80 or cv`);
const runs = (p) => part === undefined || part === p;
const jsonOut = argv.includes('--json') ? argv[argv.indexOf('--json') + 1] : join(root, '.bench', 'bench-multilabel.json');
// ../shared beside the repository (in a git worktree: beside the main checkout), or BUGCAT_SHARED.
const shared = (() => {
  if (process.env.BUGCAT_SHARED) return process.env.BUGCAT_SHARED;
  const beside = new URL('../../shared', import.meta.url).pathname;
  if (existsSync(beside)) return beside;
  const common = spawnSync('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], { cwd: root }).stdout?.toString().trim();
  return common ? join(dirname(dirname(common)), 'shared') : beside;
})();
const data = join(shared, 'data', 'qemu-gitlab-issues.json');
const anchorsPy = join(shared, 'bench', 'anchors_multilabel.py');
const BEFORE = '2023-07-01';
// The anchors' label rule, as globs (anchors_multilabel.py: STATUS = ^(workflow::|Closed::|Stable::|Launchpad$); --min-count 10).
const EXCLUDE = 'workflow::*,Closed::*,Stable::*,Launchpad';
const MIN_COUNT = '10';
// Hyperparameters chosen on the training period only: trained on its issues created before
// 2022-09-01 and scored on the rest of it (2022-09-01 to 2023-07-01), never on the test issues
// (README, "A tracker's own labels": the table of what was tried).
const TUNED = (process.env.BUGCAT_ML_FLAGS ?? '--calibration-folds 5').split(' ').filter(Boolean);
const say = (s) => process.stderr.write(`${s}\n`);

function run(cmd, args, { stdout } = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', stdout ? 'pipe' : 'inherit', 'pipe'], maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return { seconds: (performance.now() - t0) / 1000, stdout: r.stdout?.toString() ?? '', stderr: r.stderr.toString() };
}
const bugcat = (args, opts) => run(process.execPath, [cli, ...args], opts);

/** anchors_multilabel.py's score lines, parsed: name -> {micro, macro, P, R, p1}. */
function parseScores(text) {
  const out = {};
  for (const line of text.split('\n')) {
    const m = /^(.*?)\s+micro-F1 ([\d.]+)\s+macro-F1 ([\d.]+)\s+P ([\d.]+)\s+R ([\d.]+)\s+P@1 ([\d.]+)/.exec(line);
    if (m) out[m[1].trim()] = { micro: +m[2], macro: +m[3], precision: +m[4], recall: +m[5], p1: +m[6] };
  }
  return out;
}

const processor = (() => {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const name = /^model name\s*:\s*(.*)$/m.exec(info)?.[1] ?? 'unknown';
    const count = (info.match(/^processor\s*:/gm) ?? []).length;
    return `${name} (${count} logical processors)`;
  } catch {
    return 'unknown (no /proc/cpuinfo)';
  }
})();
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

const result = { processor, loadAverageAtStart: loadavg(), before: BEFORE, exclude: EXCLUDE, minLabelCount: +MIN_COUNT, flags: TUNED };
say(`processor: ${processor}; load average ${load()}`);
const dir = mkdtempSync(join(tmpdir(), 'bugcat-bench-ml-'));
try {
  const issues = JSON.parse(readFileSync(data, 'utf8'));
  const train = issues.filter((i) => i.created_at < BEFORE);
  const test = issues.filter((i) => i.created_at >= BEFORE);
  writeFileSync(join(dir, 'train.json'), JSON.stringify(train));
  writeFileSync(join(dir, 'test.json'), JSON.stringify(test));
  const common = ['--exclude-label', EXCLUDE, '--min-label-count', MIN_COUNT, '--quiet', ...TUNED];

  const lines = [`processor: ${processor}; load average at the start ${result.loadAverageAtStart.map((x) => x.toFixed(1)).join(' ')}`];
  const pts = (a, b) => `${a - b >= 0 ? '+' : ''}${((a - b) * 100).toFixed(1)} points`;
  const anchorArgs = [anchorsPy, '--data', data, '--before', BEFORE, '--min-count', MIN_COUNT];

  // 1. The time split, at each label's best out-of-fold F1, scored beside the anchors in the same run.
  if (runs('split')) {
    const model = join(dir, 'model');
    const trained = bugcat(['train', '--data', join(dir, 'train.json'), '--out', model, ...common]);
    const preds = join(dir, 'predictions.jsonl');
    writeFileSync(
      preds,
      bugcat(['predict', '--model', model, '--data', join(dir, 'test.json'), '--format', 'jsonl'], { stdout: true }).stdout,
    );
    const split = run('/usr/bin/python3', [...anchorArgs, '--score', preds, '--name', 'bugcat'], { stdout: true });
    const scores = parseScores(split.stdout);
    const ours = scores.bugcat;
    const anchors = Object.entries(scores).filter(([name]) => name !== 'bugcat');
    const best = (key) => Math.max(...anchors.map(([, s]) => s[key]));
    result.timeSplit = {
      train: train.length,
      test: test.length,
      trainSeconds: trained.seconds,
      anchors: Object.fromEntries(anchors),
      bugcat: ours,
    };
    lines.push(
      `time split (train before ${BEFORE}: ${train.length} issues; test: ${test.length}), labels as the anchors: ${EXCLUDE} left out, >= ${MIN_COUNT} training issues; flags ${TUNED.join(' ') || '(defaults)'}`,
      ...split.stdout
        .split('\n')
        .filter((l) => /micro-F1|^train |^\(anchors/.test(l))
        .map((l) => `  ${l}`),
      `  bugcat vs the best anchor: micro-F1 ${ours.micro.toFixed(3)} / ${best('micro').toFixed(3)} = x${(ours.micro / best('micro')).toFixed(2)} (${pts(ours.micro, best('micro'))}), ` +
        `macro-F1 ${ours.macro.toFixed(3)} / ${best('macro').toFixed(3)} = x${(ours.macro / best('macro')).toFixed(2)} (${pts(ours.macro, best('macro'))}), ` +
        `P@1 ${ours.p1.toFixed(3)} / ${best('p1').toFixed(3)} = x${(ours.p1 / best('p1')).toFixed(2)} (${pts(ours.p1, best('p1'))})`,
      `  targets: micro-F1 >= ${(best('micro') + 0.03).toFixed(3)} ${ours.micro >= best('micro') + 0.03 ? 'met' : 'NOT met'}, macro-F1 >= ${(best('macro') + 0.03).toFixed(3)} ${ours.macro >= best('macro') + 0.03 ? 'met' : 'NOT met'}, P@1 >= ${best('p1').toFixed(3)} ${ours.p1 >= best('p1') ? 'met' : 'NOT met'}`,
    );
  }

  // 2. At --min-precision 0.8: the precision reached on the test issues and the share of their labels found.
  if (runs('p80')) {
    const strict = join(dir, 'model-p80');
    bugcat(['train', '--data', join(dir, 'train.json'), '--out', strict, ...common, '--min-precision', '0.8']);
    const strictPreds = join(dir, 'predictions-p80.jsonl');
    writeFileSync(
      strictPreds,
      bugcat(['predict', '--model', strict, '--data', join(dir, 'test.json'), '--format', 'jsonl'], { stdout: true }).stdout,
    );
    const atP80 = parseScores(
      run('/usr/bin/python3', [...anchorArgs, '--no-anchors', '--score', strictPreds, '--name', 'p80'], { stdout: true }).stdout,
    ).p80;
    const manifest = JSON.parse(readFileSync(join(strict, 'bugcat.json'), 'utf8'));
    result.minPrecision80 = { ...atP80, unreachable: manifest.multiLabel.unreachable.length, labels: manifest.labels.length };
    lines.push(
      `--min-precision 0.8 on the test issues: precision ${atP80.precision.toFixed(3)} (target >= 0.75: ${atP80.precision >= 0.75 ? 'met' : 'NOT met'}), share of their labels found (recall) ${atP80.recall.toFixed(3)}, micro-F1 ${atP80.micro.toFixed(3)}; ${result.minPrecision80.unreachable} of ${result.minPrecision80.labels} labels cannot reach 0.8 out of fold and are never suggested`,
    );
  }

  // 3. Five forward-chaining folds over the whole export.
  if (!skipCv && runs('cv')) {
    const cvJson = join(dir, 'cv.json');
    const cv = bugcat(['cv', '--data', data, '--time-column', 'created_at', '--folds', '5', '--json', cvJson, ...common]);
    const r = JSON.parse(readFileSync(cvJson, 'utf8'));
    const folds = r.folds.map((f) => ({
      fold: f.fold,
      train: f.train,
      test: f.test,
      from: f.from,
      to: f.to,
      micro_f1: f.micro.f1,
      macro_f1: f.macro_f1,
      p_at_1: f.p_at_1,
    }));
    result.cv = { seconds: cv.seconds, mean: r.mean, std: r.std, folds };
    lines.push(
      `cv --time-column created_at --folds 5 (whole export, ${issues.length} issues, forward-chaining): ` +
        ['micro_f1', 'macro_f1', 'p_at_1']
          .map((k) => `${k.replace('_f1', '-F1').replace('p_at_1', 'P@1')} ${r.mean[k].toFixed(3)} ± ${r.std[k].toFixed(3)}`)
          .join(', '),
      ...folds.map(
        (f) =>
          `  fold ${f.fold}: train ${f.train}, test ${f.test} (${f.from.slice(0, 10)} to ${f.to.slice(0, 10)}): micro-F1 ${f.micro_f1.toFixed(3)}, macro-F1 ${f.macro_f1.toFixed(3)}, P@1 ${f.p_at_1.toFixed(3)}`,
      ),
    );
  }
  result.loadAverageAtEnd = loadavg();
  lines.push(`load average at the end ${load()}`);
  process.stdout.write(lines.join('\n') + '\n');
  mkdirSync(dirname(jsonOut), { recursive: true });
  writeFileSync(jsonOut, JSON.stringify(result, null, 2) + '\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
