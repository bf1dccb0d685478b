import type { Hyperparameters } from '../base/hyperparameters.js';
import type { Log } from '../base/log.js';
import type { Runtime } from '../nn/backend.js';
import type { Network } from '../nn/network.js';
import { trainNetwork } from '../nn/trainer.js';
import type { Counted } from '../text/counter.js';
import { Vectorizer } from '../text/vectorizer.js';
import { initialRows as initialRows_ } from '../text/vectors.js';

/** A vocabulary and the networks over it, fitted together on some of the counted reports. */
export interface Parts {
  vectorizer: Vectorizer;
  networks: Network[];
}

/**
 * Vocabulary and network(s) fitted on reports `rows` of the counted reports (classes `yAll`, and
 * soft targets `softAll`, reports x classes, where several annotators' labels were combined):
 * the vocabulary first (its terms and weights from these rows only, by the classes `yAll`),
 * then hp.members networks on the vectors it gives.
 *
 * Class weights, (n / (classes x n_c)) ^ classWeightPower, count each class's reports; with
 * soft targets, n_c is the class's soft count (the sum of its probabilities) and a report's
 * weight is its targets' mean class weight: a report the annotators split between two
 * classes counts half in each, as the networks are asked to fit it. One-hot targets give the
 * hard counts and weights exactly.
 */
export async function fitParts(
  rt: Runtime,
  counted: Counted,
  rows: readonly number[],
  yAll: Int32Array,
  classes: number,
  hp: Hyperparameters,
  log: Log,
  softAll?: Float32Array,
  signal?: AbortSignal,
): Promise<Parts> {
  const started = performance.now();
  const y = Int32Array.from(rows, (i) => yAll[i]);
  const soft = softAll && rowsOf(softAll, rows, classes);
  const vectorizer = Vectorizer.fitCounted(counted, rows, hp, y);
  // The vectors are made a batch at a time from the counted reports, never all kept: training on
  // 85,000 reports would otherwise hold 8 bytes a non-zero of each (about 800 MB) besides the counts.
  const x = vectorizer.countedSource(counted, rows);
  const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
  const nnz = x.nnz;
  log(
    `features: ${vectorizer.size} terms from ${rows.length} reports, ${(nnz / Math.max(1, rows.length)).toFixed(0)} per report (${seconds()} s)`,
  );
  const counts = new Float64Array(classes);
  if (soft) soft.forEach((p, j) => (counts[j % classes] += p));
  else for (const c of y) counts[c]++;
  const weightOf = Float64Array.from(counts, (n) => (n > 0 ? (y.length / (classes * n)) ** hp.classWeightPower : 0));
  const sampleWeight = soft
    ? Float32Array.from(y, (_, i) => weightOf.reduce((s, w, c) => s + w * soft[i * classes + c], 0))
    : Float32Array.from(y, (c) => weightOf[c]);
  // Pretrained term vectors (counted.pretrained) start the rows of the terms they cover.
  const initialRows =
    counted.pretrained && hp.hidden === counted.pretrained.dim ? initialRows_(counted.pretrained, vectorizer.terms) : undefined;
  const networks: Network[] = [];
  for (let m = 0; m < hp.members; m++) {
    const onEpoch = (r: { epoch: number; epochs: number; loss: number }) =>
      log(
        `${hp.members > 1 ? `network ${m + 1}/${hp.members}  ` : ''}epoch ${r.epoch}/${r.epochs}  loss ${r.loss.toFixed(4)}  ${seconds()} s`,
      );
    networks.push(
      await trainNetwork(
        rt,
        { x, y, sampleWeight, soft },
        { vocabSize: vectorizer.size, hidden: hp.hidden, classes },
        { ...hp, seed: memberSeed(hp.seed, m) },
        { onEpoch, signal, initialRows },
      ),
    );
  }
  return { vectorizer, networks };
}

/**
 * The first network's logits (rows x classes) of counted reports `rows`, their vectors made a few
 * thousand at a time: the same logits as of all the vectors at once, without holding them all.
 */
export function countedLogits(parts: Parts, counted: Counted, rows: readonly number[]): Float32Array {
  const net = parts.networks[0];
  const classes = net.shape.classes;
  const out = new Float32Array(rows.length * classes);
  for (let start = 0; start < rows.length; start += SCORE_CHUNK) {
    const chunk = rows.slice(start, start + SCORE_CHUNK);
    out.set(net.logits(parts.vectorizer.transformCounted(counted, chunk)), start * classes);
  }
  return out;
}

/** Reports whose vectors countedLogits makes at once. */
const SCORE_CHUNK = 4096;

/** The rows `rows` of a reports x classes matrix. */
function rowsOf(m: Float32Array, rows: readonly number[], classes: number): Float32Array {
  const out = new Float32Array(rows.length * classes);
  rows.forEach((i, k) => out.set(m.subarray(i * classes, (i + 1) * classes), k * classes));
  return out;
}

/** The seed of ensemble member m: the model's own seed for the first, so one member is the plain network. */
const memberSeed = (seed: number, m: number) => (m === 0 ? seed : (seed + 7919 * m) % 2 ** 31);
