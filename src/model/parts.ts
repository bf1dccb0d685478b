import type { Hyperparameters } from '../base/hyperparameters.js';
import { silentLog, type Log } from '../base/log.js';
import type { Targets } from '../base/targets.js';
import type { Runtime } from '../nn/backend.js';
import type { Network } from '../nn/network.js';
import { rowsSource, type SparseRows } from '../nn/sparse.js';
import { trainNetwork } from '../nn/trainer.js';
import type { Counted } from '../text/counter.js';
import { Vectorizer, type CountedSource } from '../text/vectorizer.js';
import { initialRows as initialRows_, type InitialRows } from '../text/vectors.js';

/** A vocabulary and the networks over it, fitted together on some of the counted reports. */
export interface Parts {
  vectorizer: Vectorizer;
  networks: Network[];
}

/** What fitParts fits on: the counted reports, which of them (`rows`), all their targets, the hyperparameters; where progress goes and when to stop. */
export interface PartsJob {
  counted: Counted;
  /** The reports to fit on, as indices into `counted` and `targets`. */
  rows: readonly number[];
  /** The targets of all the counted reports: fitParts takes the rows' own. */
  targets: Targets;
  hp: Hyperparameters;
  log?: Log;
  signal?: AbortSignal;
}

/**
 * Vocabulary and network(s) fitted on reports `rows` of the counted reports: the vocabulary
 * first (its terms and weights from these rows only, by their labels), then hp.members networks
 * on the vectors it gives, each report weighted by its label weight (Targets.sampleWeights).
 */
export async function fitParts(rt: Runtime, job: PartsJob): Promise<Parts> {
  const set = trainingSet(job);
  const networks: Network[] = [];
  for (let m = 0; m < job.hp.members; m++) networks.push(await fitMember(rt, set, m, job));
  return { vectorizer: set.vectorizer, networks };
}

/** What the networks of fitParts train on: the vocabulary fitted on the rows, their vectors, targets and weights. */
export interface TrainingSet {
  vectorizer: Vectorizer;
  x: CountedSource;
  targets: Targets;
  sampleWeight: Float32Array;
  initialRows?: InitialRows;
  started: number;
}

/**
 * fitParts' vocabulary and vectors: the same whichever thread fits them (every choice is the
 * data's and the seed's). With `shared`, the vectors kept are in shared memory, for postedSet.
 */
export function trainingSet({ counted, rows, targets: all, hp, log = silentLog }: PartsJob, shared = false): TrainingSet {
  const started = performance.now();
  const targets = all.subset(rows);
  const vectorizer = Vectorizer.fitCounted(counted, rows, hp, targets.y);
  // The vectors are made a batch at a time from the counted reports, never all kept: training on
  // 85,000 reports would otherwise hold 8 bytes a non-zero of each (about 800 MB) besides the counts.
  const x = vectorizer.countedSource(counted, rows, { shared });
  return setOf({ counted, rows, targets, hp, log }, vectorizer, x, started);
}

/** The rest of a training set, once its vocabulary and vectors are made (here or in another thread). */
function setOf(
  { counted, rows, targets, hp, log = silentLog }: Omit<PartsJob, 'signal'>,
  vectorizer: Vectorizer,
  x: CountedSource,
  started: number,
): TrainingSet {
  log(
    `features: ${vectorizer.size} terms from ${rows.length} reports, ${(x.nnz / Math.max(1, rows.length)).toFixed(0)} per report (${seconds(started)} s)`,
  );
  const sampleWeight = targets.sampleWeights(hp.classWeightPower);
  // Pretrained term vectors (counted.pretrained) start the rows of the terms they cover.
  const initialRows =
    counted.pretrained && hp.hidden === counted.pretrained.dim ? initialRows_(counted.pretrained, vectorizer.terms) : undefined;
  return { vectorizer, x, targets, sampleWeight, initialRows, started };
}

/**
 * A training set as one thread posts it to another that holds the same counted reports: the
 * vocabulary as counted term ids and weights (Vectorizer.ofCounted), and the vectors where they
 * are kept (shared memory), if they are; what it took to make them, in seconds.
 */
export interface PostedSet {
  top: Int32Array;
  idf: Float32Array;
  nnz: number;
  block?: SparseRows;
  seconds: number;
}

/** What receivedSet needs of a set trainingSet(job, true) made of `counted`. */
export function postedSet(set: TrainingSet, counted: Counted): PostedSet {
  const top = set.vectorizer.choiceOf(counted);
  const { x } = set;
  if (!top) throw new Error('a training set whose vocabulary was not chosen from these counted reports');
  return { top, idf: set.vectorizer.idf, nnz: x.nnz, block: x.block, seconds: (performance.now() - set.started) / 1000 };
}

/**
 * The training set another thread made of all the counted reports (job.rows), rebuilt from what
 * it posted: the same vocabulary, vectors, targets and weights as trainingSet(job) would make
 * here. Vectors not kept there are made here when asked, as trainingSet's are.
 */
export function receivedSet(posted: PostedSet, job: Omit<PartsJob, 'signal'>): TrainingSet {
  const { counted, rows, targets: all, hp } = job;
  const started = performance.now() - 1000 * posted.seconds;
  const vectorizer = Vectorizer.ofCounted(counted, posted.top, posted.idf, hp);
  const x = posted.block ? { ...rowsSource(posted.block), nnz: posted.nnz } : vectorizer.countedSource(counted, rows);
  return setOf({ ...job, targets: all.subset(rows) }, vectorizer, x, started);
}

/**
 * Network m of fitParts (m from 0 to hp.members - 1) on its training set: its own seed, so that
 * the members can train in any order, in any thread, and come out the same.
 */
export async function fitMember(
  rt: Runtime,
  set: TrainingSet,
  m: number,
  { hp, log = silentLog, signal }: Pick<PartsJob, 'hp' | 'log' | 'signal'>,
): Promise<Network> {
  const { vectorizer, x, targets, sampleWeight, initialRows, started } = set;
  const onEpoch = (r: { epoch: number; epochs: number; loss: number }) =>
    log(
      `${hp.members > 1 ? `network ${m + 1}/${hp.members}  ` : ''}epoch ${r.epoch}/${r.epochs}  loss ${r.loss.toFixed(4)}  ${seconds(started)} s`,
    );
  return trainNetwork(
    rt,
    { x, targets, sampleWeight },
    { vocabSize: vectorizer.size, hidden: hp.hidden, classes: targets.labels.length },
    { ...hp, seed: memberSeed(hp.seed, m) },
    { onEpoch, signal, initialRows },
  );
}

const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);

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

/** The seed of ensemble member m: the model's own seed for the first, so one member is the plain network. */
const memberSeed = (seed: number, m: number) => (m === 0 ? seed : (seed + 7919 * m) % 2 ** 31);
