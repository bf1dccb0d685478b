/**
 * Training's second thread. A training run trains several networks that do not depend on one
 * another: the final model's members and the calibration's fold models (crossfit.ts). With two
 * threads or more they are shared between this thread and a worker thread (calibration-worker.ts)
 * by their cost, so that both finish about together: with the defaults, one member and one fold
 * model each (before, the worker trained the two fold models, 8 epochs of half the reports each,
 * while this thread trained both members, 6 epochs of all of them each, and the worker sat idle
 * for a sixth of the run). The result is the same as training them one after the other, in any
 * thread (every random choice derives from the seed). With one thread, or where no worker can
 * start (the TypeScript sources run directly, as in tests), all are trained in this thread.
 * Self-training's calibration (self-training.ts) uses the same worker another way: it runs every
 * other fold's whole procedure there (selfTrainFold), each fold's guesses being its own targets.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CancelledError } from '../base/errors.js';
import type { Hyperparameters } from '../base/hyperparameters.js';
import { silentLog, type Log } from '../base/log.js';
import { Targets, type TargetsData } from '../base/targets.js';
import { loadTf, type Runtime } from '../nn/backend.js';
import type { Backend, KernelChoice } from '../nn/choices.js';
import type { SharedWeights } from '../nn/kernels.js';
import type { Network, NetworkWeights } from '../nn/network.js';
import type { Counted } from '../text/counter.js';
import type { Grouping } from '../text/duplicates.js';
import { PackedTerms, packTerms, type PackedTermsData } from '../text/termlist.js';
import type { TermVectors } from '../text/vectors.js';
import { calibrationPlan, fitCalibrationFold, type CalibrationPlan } from './crossfit.js';
import { fitMember, postedSet, trainingSet, type PostedSet, type TrainingSet } from './parts.js';
import type { SelfTrainingSettings } from './record.js';
import type { Annotator } from './targets.js';

/** One network of a training run: member m of the final model, or the calibration's fold f model. */
export type NetworkTask = { kind: 'member'; m: number } | { kind: 'fold'; f: number };

/** What the worker is given, as plain data: the counted reports, their targets, the hyperparameters, the run-time choices and its tasks. */
export interface TrainingJob {
  counted: Counted;
  targets: TargetsData;
  hp: Hyperparameters;
  backend: Backend;
  kernels: KernelChoice;
  tasks: NetworkTask[];
}

/** What tasks gave: each member (a network, or its weights as a worker posts them), each fold model's logits of its fold's reports. */
export interface TaskResults<N = Network> {
  members: { m: number; net: N }[];
  folds: { f: number; logits: Float32Array }[];
}

/**
 * A member's weights as the worker posts them: its input weights where they are (`shared`, the
 * kernels' shared memory, not copied; `embedding` is then empty), or copied out where the
 * kernels keep them in no shared memory.
 */
export type PostedWeights = NetworkWeights & { shared?: SharedWeights };

/**
 * One calibration fold of self-training (self-training.ts, selfTrainFold), as plain data: the
 * procedure runs on the other folds' labelled reports (`texts`, `labels` and what goes with them)
 * and the pool (`rest`), and the network it ends with scores the fold's own reports (`held`).
 */
export interface SelfTrainFoldJob {
  texts: string[];
  labels: string[];
  rest: readonly string[];
  held: string[];
  hp: Hyperparameters;
  settings: SelfTrainingSettings;
  labelName?: string;
  others?: Annotator[];
  ids?: string[];
  groups?: (string | number)[];
  pretrained?: TermVectors;
}

/** What a self-training fold gives: its logits of the fold's reports (held x labels), in the order of the labels its network learnt. */
export interface SelfTrainFoldResult {
  labels: string[];
  logits: Float32Array;
}

/**
 * What the worker posts: the reports' groups it was asked for, the final model's training set
 * (as soon as it has made it, for its first member), a line of progress, its results, or a
 * self-training fold's result (by the number it was asked under).
 */
export type WorkerMessage =
  | { grouped: Grouping }
  | { set: PostedSet }
  | { log: string }
  | { done: TaskResults<PostedWeights> }
  | { fold: SelfTrainFoldResult & { id: number } };

/** A job as posted to the worker: the counted reports' terms packed in one string (termlist.ts). */
export type PostedJob = Omit<TrainingJob, keyof WorkerSetup | 'counted'> & { counted: Omit<Counted, 'terms'> & { terms: PackedTermsData } };

/** What the worker is given: texts to group (before its job), its job, or self-training folds (run one after another, in the order given). */
export type WorkerRequest = { group: readonly string[] } | PostedJob | { selfTrainFold: SelfTrainFoldJob; id: number };

/** A posted job as the worker trains it: its term list over the packed terms, each term's string made when first asked for. */
export const receivedJob = (job: PostedJob): Omit<TrainingJob, keyof WorkerSetup> => ({
  ...job,
  counted: { ...job.counted, terms: new PackedTerms(job.counted.terms) },
});

const WORKER = fileURLToPath(new URL('./calibration-worker.js', import.meta.url));

/** True if a worker thread can train beside this one: `threads` >= 2 and the worker's module is built. */
export const workerAvailable = (threads: number): boolean => threads >= 2 && existsSync(WORKER);

/**
 * The tasks split between this thread and a worker by their cost (epochs x reports): the
 * costliest first, each to the thread with less to do so far (this one on a tie).
 */
export function shareTasks(tasks: readonly NetworkTask[], cost: (t: NetworkTask) => number): [NetworkTask[], NetworkTask[]] {
  const threads: [NetworkTask[], NetworkTask[]] = [[], []];
  const load = [0, 0];
  const order = tasks.map((t, i) => ({ t, i, c: cost(t) })).sort((a, b) => b.c - a.c || a.i - b.i);
  for (const { t, c } of order) {
    const k = load[1] < load[0] ? 1 : 0;
    threads[k].push(t);
    load[k] += c;
  }
  // Each thread trains its members first, then its fold models, each in order.
  const rank = (t: NetworkTask) => (t.kind === 'member' ? t.m : 1000 + t.f);
  for (const list of threads) list.sort((a, b) => rank(a) - rank(b));
  return threads;
}

/** What a training worker is started with: the run-time choices, so that it loads TensorFlow.js before its job comes. */
export type WorkerSetup = Pick<TrainingJob, 'backend' | 'kernels'>;

/**
 * A worker thread started before its job is ready: it loads its modules and TensorFlow.js (half a
 * second), finds which reports are copies of one another (`group`) while this thread counts
 * them, then trains the tasks `run` gives it, its progress lines to `log`. A worker given no job
 * is stopped (`stop`), as it is when `signal` aborts.
 */
export class TrainingWorker {
  private readonly worker: Worker;
  private readonly results: Promise<TaskResults<PostedWeights>>;
  private readonly grouped: Promise<Grouping>;
  private readonly set: Promise<PostedSet>;
  /** Self-training folds asked for and not yet answered, by number. */
  private readonly folds = new Map<number, { resolve: (r: SelfTrainFoldResult) => void; reject: (err: Error) => void }>();
  private asked = 0;

  constructor(setup: WorkerSetup, log: Log, signal?: AbortSignal) {
    this.worker = new Worker(WORKER, { workerData: setup, stdout: true, stderr: true });
    const worker = this.worker;
    let answer!: { resolve: (g: Grouping) => void; reject: (err: Error) => void };
    let posted!: { resolve: (s: PostedSet) => void; reject: (err: Error) => void };
    this.grouped = new Promise<Grouping>((resolve, reject) => (answer = { resolve, reject }));
    this.set = new Promise<PostedSet>((resolve, reject) => (posted = { resolve, reject }));
    this.results = new Promise<TaskResults<PostedWeights>>((resolve, reject) => {
      const fail = (err: Error) => {
        answer.reject(err);
        posted.reject(err);
        reject(err);
        for (const fold of this.folds.values()) fold.reject(err);
        this.folds.clear();
      };
      const abort = () => {
        void worker.terminate();
        fail(new CancelledError());
      };
      signal?.addEventListener('abort', abort, { once: true });
      worker.on('message', (message: WorkerMessage) => {
        if ('grouped' in message) answer.resolve(message.grouped);
        else if ('set' in message) posted.resolve(message.set);
        else if ('log' in message) log(message.log);
        else if ('fold' in message) {
          const { id, ...result } = message.fold;
          this.folds.get(id)?.resolve(result);
          this.folds.delete(id);
        } else resolve(message.done);
      });
      worker.once('error', fail);
      worker.once('exit', (code) => {
        signal?.removeEventListener('abort', abort);
        fail(new Error(`the training worker stopped (exit code ${code}) before it finished`));
      });
    });
    // Until run or group is called nobody awaits them: a worker stopped unused is not a failure.
    this.results.catch(() => {});
    this.grouped.catch(() => {});
    this.set.catch(() => {});
  }

  /**
   * The final model's training set (vocabulary and vectors) as the worker made it for its first
   * member: given a member task, it posts the set before training it. Only then: ask for it only
   * when `run` gave the worker a member.
   */
  fullSet(): Promise<PostedSet> {
    return this.set;
  }

  /**
   * The reports' groups of copies (duplicateGroups), found in the worker, which has nothing else
   * to do before its job: this thread counts the reports meanwhile. Ask once, before `run`.
   */
  group(texts: readonly string[]): Promise<Grouping> {
    this.worker.postMessage({ group: texts } satisfies WorkerRequest);
    return this.grouped;
  }

  /** Hands the worker its job (the counted reports, their targets, the hyperparameters, its tasks); resolves with what it trained. */
  run(job: Omit<TrainingJob, keyof WorkerSetup>): Promise<TaskResults<PostedWeights>> {
    const counted = { ...job.counted, terms: packTerms(job.counted.terms) };
    this.worker.postMessage({ ...job, counted, targets: Targets.from(job.targets).data() } satisfies WorkerRequest);
    return this.results;
  }

  /**
   * Runs a calibration fold of self-training in the worker (instead of a job: a worker runs one
   * or the other); folds asked for together run one after another there, in order.
   */
  selfTrainFold(job: SelfTrainFoldJob): Promise<SelfTrainFoldResult> {
    const id = this.asked++;
    const answer = new Promise<SelfTrainFoldResult>((resolve, reject) => this.folds.set(id, { resolve, reject }));
    this.worker.postMessage({ selfTrainFold: job, id } satisfies WorkerRequest);
    return answer;
  }

  /** Stops the worker (unused, or no longer wanted). */
  stop(): void {
    void this.worker.terminate();
  }
}

/**
 * Trains tasks in this thread (the worker's or the caller's). A member needs the final model's
 * vocabulary and vectors: `set` if given (the caller's), else fitted here from the same counts;
 * a fold model, the calibration's plan: `plan` if given (the caller's), else made here (seeded:
 * the same).
 */
export async function runTasks(
  rt: Runtime,
  job: Omit<TrainingJob, 'backend' | 'kernels' | 'targets'> & { targets: Targets },
  o: {
    set?: TrainingSet | Promise<TrainingSet>;
    plan?: CalibrationPlan;
    log?: Log;
    signal?: AbortSignal;
    /** Given the final model's training set as soon as it is made here (none if `set` was given): the worker posts it. */
    onSet?: (set: PostedSet) => void;
  } = {},
): Promise<TaskResults> {
  const { counted, targets, hp, tasks } = job;
  const { log = silentLog, signal, onSet } = o;
  const out: TaskResults = { members: [], folds: [] };
  let set = o.set;
  let plan = o.plan;
  for (const task of tasks) {
    if (task.kind === 'member') {
      if (!set) {
        const made = trainingSet({ counted, rows: Array.from({ length: targets.size }, (_, i) => i), targets, hp }, onSet !== undefined);
        onSet?.(postedSet(made, counted));
        set = made;
      }
      const net = await fitMember(rt, await set, task.m, { hp, log, signal });
      out.members.push({ m: task.m, net });
    } else {
      plan ??= calibrationPlan(targets, hp);
      if ('skipped' in plan) throw new Error('a calibration fold of a run too small to calibrate');
      out.folds.push({ f: task.f, logits: await fitCalibrationFold(rt, { counted, targets, hp, signal }, plan, task.f) });
    }
  }
  return out;
}

/** Loads TensorFlow.js for training with the job's backend (in the worker). */
export const runtimeOf = async (job: Pick<TrainingJob, 'backend' | 'kernels'>): Promise<Runtime> => ({
  tf: await loadTf(job.backend, true),
  kernels: job.kernels,
});
