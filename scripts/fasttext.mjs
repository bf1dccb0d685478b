// fastText, the speed anchor of bench.mjs and bench-scale.mjs: its binary, a report as it reads one,
// and the one training both benches time (the anchors' settings: 25 epochs, lr 0.5, word bigrams).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The fasttext binary's name, or null when it is not installed (apt-get install -y fasttext). */
export const fastTextBinary = () => (spawnSync('fasttext', [], { stdio: 'ignore' }).error ? null : 'fasttext');

/** A report as fastText reads it: lower-cased, on one line. */
export const fastTextLine = (text) => text.toLowerCase().replace(/\s+/g, ' ');

/**
 * Writes the labelled rows (manual-review left out) as `dir`/ft-train.txt, and returns the
 * arguments of `fasttext supervised` that train `dir`/ft.bin on them.
 */
export function fastTextTraining(dir, rows) {
  const train = rows.filter((r) => r.label && r.label !== 'manual-review');
  writeFileSync(join(dir, 'ft-train.txt'), train.map((r) => `__label__${r.label} ${fastTextLine(r.text)}\n`).join(''));
  const settings = ['-thread', '2', '-verbose', '0', '-epoch', '25', '-lr', '0.5', '-wordNgrams', '2'];
  return ['supervised', '-input', join(dir, 'ft-train.txt'), '-output', join(dir, 'ft'), ...settings];
}
