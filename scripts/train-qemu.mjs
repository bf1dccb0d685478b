#!/usr/bin/env node
// Trains the shipped model, models/qemu, on folds 1-4 of ../shared/data with the CLI's
// defaults, scores it on fold 0 and writes the model card models/qemu.md, with the report's
// fold-0 charts beside it as SVG files (models/qemu-*.svg).
//   npm run train:qemu            (needs ../shared/data)
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, statSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSplit } from './qemu-split.mjs';

const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'dist', 'cli', 'main.js');
const out = join(root, 'models', 'qemu');
const split = writeSplit();
try {
  const run = (args) => execFileSync(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  run(['train', '--data', split.train, '--out', out]);
  const evalJson = join(split.dir, 'eval.json');
  const charts = join(split.dir, 'charts');
  const report = run(['evaluate', '--model', out, '--data', split.test, '--json', evalJson, '--svg', charts]);
  // The charts the card shows, from the same evaluation (those of bugcat evaluate --html).
  for (const name of ['confusion', 'reliability', 'coverage'])
    copyFileSync(join(charts, `${name}.svg`), join(root, 'models', `qemu-${name}.svg`));
  const e = JSON.parse(readFileSync(evalJson, 'utf8'));
  const manifest = JSON.parse(readFileSync(join(out, 'bugcat.json'), 'utf8'));
  const size = readdirSync(out).reduce((s, f) => s + statSync(join(out, f)).size, 0);
  const hp = manifest.hyperparameters;
  const ngrams = (n) => (n === 1 ? 'words' : `word 1-${n}-grams`);
  writeFileSync(
    join(root, 'models', 'qemu.md'),
    `# Model card: models/qemu

Sorts QEMU bug reports (GitLab issues, Launchpad bugs, mailing-list threads) into the ${manifest.labels.length}
categories of the emulator bug study: ${manifest.labels.join(', ')}.

- **Trained on** folds 1-4 of the shared QEMU corpus (${manifest.training.n} reports; \`manual-review\` rows left out),
  labelled by deepseek-r1:14b. The labels are an LLM's, and noisy: a second LLM (gemma3:12b) agrees with them on
  fewer than half of the reports.
- **Command**: \`npm run train:qemu\` (scripts/train-qemu.mjs), which runs \`bugcat train\` with the CLI's defaults
  (seed ${hp.seed}) and \`bugcat evaluate\` on fold 0.
- **Network**: TF-IDF (${hp.maxFeatures} terms at most, the ${hp.select === 'chi2' ? 'most class-dependent' : 'most frequent'}; ${ngrams(hp.wordNgrams)} of the report,
  ${ngrams(hp.titleNgrams)} of its title${hp.charChars > 0 ? `, character 3-5-grams of its first ${hp.charChars} characters` : ''}) -> ${hp.hidden} hidden units (ReLU) -> ${manifest.labels.length} categories,
  input weights stored as ${hp.weightDtype};
  confidence calibrated on the out-of-fold predictions of ${hp.calibrationFolds} networks for all ${manifest.training.calibrationReports} reports (temperature ${manifest.calibration.temperature.toFixed(3)}, then top-label Platt scaling: slope ${manifest.calibration.slope.toFixed(3)}, intercept ${manifest.calibration.intercept.toFixed(3)}).
- **Size on disk**: ${(size / 1e6).toFixed(2)} MB.

## Figures on fold 0 (${e.n} reports, never used for training or tuning)

| accuracy | macro-F1 | weighted-F1 | calibration error | accuracy at 50 / 70 / 90 % coverage |
|---|---|---|---|---|
| ${e.accuracy.toFixed(3)} | ${e.macro_f1.toFixed(3)} | ${e.weighted_f1.toFixed(3)} | ${e.ece.toFixed(3)} | ${e.coverage.map((c) => c.accuracy.toFixed(3)).join(' / ')} |

![Confusion matrix on fold 0: rows are the right categories, columns the answers; colour is the share of the row, numbers are reports](qemu-confusion.svg)

![Reliability diagram on fold 0: accuracy against confidence in ten bins, with the calibration error](qemu-reliability.svg)
![Accuracy against coverage on fold 0, with the --min-confidence that reaches each target accuracy](qemu-coverage.svg)

\`\`\`
${report.trimEnd()}
\`\`\`

## Label counts in training
${Object.entries(manifest.training.labelCounts)
  .map(([l, n]) => `${l} ${n}`)
  .join(', ')}.
`,
  );
  process.stderr.write(
    `models/qemu written; model card models/qemu.md (accuracy ${e.accuracy.toFixed(3)}, macro-F1 ${e.macro_f1.toFixed(3)})\n`,
  );
} finally {
  rmSync(split.dir, { recursive: true, force: true });
}
