import { availableParallelism } from 'node:os';
import { DataError, ModelError, UsageError } from '../base/errors.js';
import { validateHyperparameters, type Hyperparameters } from '../base/hyperparameters.js';
import { silentLog } from '../base/log.js';
import { checkOptions, type OptionKeys } from '../base/options.js';
import { CREATED_BY } from '../base/version.js';
import { fromArtifacts as decode, toArtifacts as encode, readManifest } from '../io/artifacts.js';
import { FORMAT_VERSION, type ModelArtifacts } from '../io/format.js';
import { readArtifacts, saveArtifacts } from '../io/store.js';
import type { Reports } from '../io/reports.js';
import { unlabelledTexts } from '../io/unlabelled.js';
import { checkRuntime, lazyRuntime } from '../nn/backend.js';
import type { SharedWeights } from '../nn/kernels.js';
import { RUNTIME_OPTIONS, type RuntimeOptions } from '../nn/choices.js';
import type { Classifier } from '../model/classifier.js';
import type { AnyPrediction, LabelSetPrediction, Prediction } from '../model/prediction.js';
import { INDEX_TERMS, type SimilarReport } from '../model/similar.js';
import type { LabelPoint, MultiLabelRecord } from '../model/multilabel.js';
import { splitPatterns } from '../base/globs.js';
import { explainText } from '../model/explain.js';
import type { Explanation, TermContribution } from '../model/explanation.js';
import type { TargetsSummary } from '../base/targets.js';
import type { Annotator } from '../model/targets.js';
import type { SelfTrainingSettings } from '../model/record.js';
import { isBlank } from '../text/normalize.js';
import { labelSetTargets } from '../model/multilabel.js';
import type { TermVectors } from '../text/vectors.js';
import { AUTOTUNE_OPTIONS, type AutotuneOptions } from '../base/search.js';
import type { TrainingSummary } from '../model/record.js';

/** One labelled report, for callers that hold reports as objects rather than as readReports's parallel lists. */
export interface LabelledReport {
  id?: string;
  text: string;
  label: string;
  /** Other annotators' labels of the same report, by annotator (the first annotator, named `label`, gave `label`). */
  otherLabels?: Record<string, string>;
  /** A second annotator's label of the same report: the older form of `otherLabels: { second }`. */
  secondLabel?: string;
  /** Multi-label: the report's labels (a tracker's label list), in place of `label`. */
  labels?: readonly string[];
}

/** Labelled reports: as readReports gives them (parallel lists, `labels` required), or as objects. */
export type TrainingData = Reports | readonly LabelledReport[];

export interface TrainOptions extends RuntimeOptions {
  /** Hyperparameters over the defaults (DEFAULTS); each is checked against its range. */
  hyperparameters?: Partial<Hyperparameters>;
  /**
   * Threads to train on (default: the machine's cores). With 2 or more, the calibration models
   * train in a worker thread beside the final model; the model is the same either way.
   */
  threads?: number;
  /** Hears progress and notices, one line at a time (nothing is printed by the library). */
  onProgress?: (message: string) => void;
  /** Stops training (and a save) with a CancelledError once aborted. */
  signal?: AbortSignal;
  /**
   * Choose the hyperparameters the caller did not set by inner cross-validation on these
   * reports, within a time budget (true: the defaults of AutotuneOptions). The search's trace
   * and winner are saved in the model (summary.autotune).
   */
  autotune?: boolean | AutotuneOptions;
  /**
   * Reports without labels (texts, or readAllReports's reports): the vocabulary and its weights
   * are fitted on them and the labelled texts together, and the network's input weights start
   * from term vectors pretrained on all of them (see pretrain).
   */
  unlabelled?: readonly string[] | Reports;
  /** Term vectors from pretrain or loadVectors, as unlabelled reports would give them (the hidden width follows them). */
  pretrained?: TermVectors;
  /**
   * Each report's group (a name or number, one per report): reports of one group stay in one
   * fold of the cross-fitted calibration, of autotune's search and of crossValidate and audit.
   * Default: reports that are copies of one another (the same title, case, white space,
   * punctuation and tracker tags aside, or the same body of 20 words or more) are a group.
   */
  groups?: readonly (string | number)[];
  /**
   * Keep in the model what it needs to find the training reports most similar to a new one
   * (Model.similar): each training report's id, label and TF-IDF vector, cut to its `terms`
   * largest weights (default INDEX_TERMS; 0 keeps them all) and quantised. The texts are not kept.
   */
  keepIndex?: boolean | { terms?: number };
  /**
   * Learn the reports' label lists (Reports.issueLabels, or each object's `labels`), several labels
   * a report, with a sigmoid output and a threshold per label. Default: true when the reports
   * carry label lists and no single label (a GitLab or GitHub export read without a label column).
   */
  multiLabel?: boolean;
  /** Multi-label: glob patterns of labels to leave out (`workflow::*`, `Closed::*`); a report left with none is a negative for every label. */
  excludeLabels?: readonly string[];
  /** Multi-label: labels on fewer training reports are not learned, listed as needing more data and never suggested (default 10). */
  minLabelCount?: number;
  /**
   * Multi-label: each label's threshold is the lowest whose out-of-fold precision reaches this,
   * and never under this probability itself; a label that cannot is never suggested (listed in the model's `multiLabel.unreachable`).
   * Default: the threshold of each label's best out-of-fold F1.
   */
  minPrecision?: number;
  /**
   * Self-training: learn also from reports without labels (texts, or readAllReports's reports),
   * each with the model's own guess, taking the surest `share` of each category's guesses over
   * `rounds` rounds of guessing and training again (model/self-training.ts). The confidences are
   * calibrated by running the whole procedure in each calibration fold of the labelled reports.
   * Single-label models only.
   */
  selfTrain?: SelfTrainOptions;
}

/** TrainOptions.selfTrain: the reports without labels, and how many of the model's guesses to learn. */
export interface SelfTrainOptions {
  reports: readonly string[] | Reports;
  /** The share of each category's guessed reports learnt, the surest first (above 0, up to 1; default SELF_TRAIN_SHARE). */
  share?: number;
  /** Rounds of guessing and training again (an integer from 1; default SELF_TRAIN_ROUNDS). */
  rounds?: number;
}

/** Self-training's defaults, chosen inside folds 1-4 (README, "Self-training"). */
export const SELF_TRAIN_SHARE = 0.3;
export const SELF_TRAIN_ROUNDS = 1;

/** Multi-label training's default minLabelCount. */
export const MIN_LABEL_COUNT = 10;

/**
 * Multi-label training's calibration folds unless given. Measured on the training period of the
 * QEMU GitLab export (trained before 2022-09-01, scored on the rest of the period): 5 folds
 * against 2 gave micro-F1 0.310 against 0.270 (the thresholds are chosen on the calibration
 * models' out-of-fold predictions, which with 2 folds come from models trained on half the reports).
 */
export const LABEL_SET_CALIBRATION_FOLDS = 5;

/** The fields of an object that are not undefined. */
const definedOf = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/** TrainOptions's keys (base/options.ts). */
export const TRAIN_OPTIONS: OptionKeys<TrainOptions> = {
  ...RUNTIME_OPTIONS,
  hyperparameters: true,
  threads: true,
  onProgress: true,
  signal: true,
  autotune: true,
  unlabelled: true,
  pretrained: true,
  groups: true,
  keepIndex: true,
  multiLabel: true,
  excludeLabels: true,
  minLabelCount: true,
  minPrecision: true,
  selfTrain: true,
};

export interface PredictOptions {
  /** How many ranked labels each prediction lists in `top` (default 1). */
  top?: number;
  /** Below this confidence, the label is `reviewLabel` instead (default 0: never). */
  minConfidence?: number;
  /** The label given below `minConfidence` (default `manual-review`). */
  reviewLabel?: string;
}

/** PredictOptions's keys (base/options.ts). */
export const PREDICT_OPTIONS: OptionKeys<PredictOptions> = { top: true, minConfidence: true, reviewLabel: true };

export interface ExplainOptions {
  /** How many terms to list each way, toward the label and toward the other (default 10). */
  top?: number;
  /** The label to explain (default: the predicted one). */
  label?: string;
  /** The label to compare it with (default: the runner-up, or the predicted label when `label` is another). */
  versus?: string;
}

export interface SimilarOptions {
  /** How many reports to give at most, the most similar first (default 5). */
  top?: number;
  /** Leave out reports less similar than this, from 0 to 1 (default 0: only those that share no term). */
  minSimilarity?: number;
  /** Ids of training reports to leave out (the report itself, when it was among them). */
  exclude?: readonly string[];
}

/** SimilarOptions's keys (base/options.ts). */
export const SIMILAR_OPTIONS: OptionKeys<SimilarOptions> = { top: true, minSimilarity: true, exclude: true };

/** ExplainOptions's keys (base/options.ts). */
const EXPLAIN_OPTIONS: OptionKeys<ExplainOptions> = { top: true, label: true, versus: true };

export interface SaveOptions {
  /** Replace what a folder holding other files and no bugcat model holds (bugcat replaces only its own files there). */
  force?: boolean;
  /** Abandons the save with a CancelledError, leaving the folder as it was, once aborted. */
  signal?: AbortSignal;
}

/** SaveOptions's keys (base/options.ts). */
const SAVE_OPTIONS: OptionKeys<SaveOptions> = { force: true, signal: true };

/**
 * What a model knows of how it was made: the summary of its training (TrainingSummary, which
 * the model's files keep), and which bugcat made it in which format.
 */
export interface ModelSummary extends TrainingSummary {
  /** The model format version it was read from or will be saved as. */
  formatVersion: number;
  /** The bugcat that trained it, as "bugcat 0.1.0". */
  createdBy: string;
}

export type { TargetsSummary };

export type { Prediction, SimilarReport, LabelSetPrediction, AnyPrediction, LabelPoint, MultiLabelRecord };
export type { Explanation, TermContribution };

/**
 * A trained model: its labels, hyperparameters and training summary, and what it does:
 * predict, save, and give its artifacts. Made by `train`, `load` or `fromArtifacts`; the
 * command line, the benchmarks and any service use this one class.
 */
export class Model {
  readonly #clf: Classifier;
  /** Of a model made from artifacts (load, fromArtifacts): them, which decode to the same model again. */
  readonly #source?: ModelArtifacts;
  /** What the model knows of how it was made. */
  readonly summary: Readonly<ModelSummary>;

  /** Use train, load or fromArtifacts. */
  private constructor(clf: Classifier, summary: ModelSummary, source?: ModelArtifacts) {
    this.#clf = clf;
    this.summary = summary;
    this.#source = source;
  }

  /**
   * @internal Artifacts that decode to this model, for a worker thread to load: those it was
   * loaded from if any (encoding it again cost a prediction run's thread 0.45 s), else toArtifacts.
   */
  sourceArtifacts(): ModelArtifacts {
    return this.#source ?? this.toArtifacts();
  }

  /**
   * @internal Each network's input weights where they are, for a worker thread to predict with
   * (fromArtifactsSharing); undefined when they are not in shared memory (the plain loops).
   */
  sharedInputs(): SharedWeights[] | undefined {
    const shared = this.#clf.networks.map((n) => n.input.share());
    return shared.every((s) => s !== undefined) ? (shared as SharedWeights[]) : undefined;
  }

  /** @internal How train, load and fromArtifacts make a Model (stripped from the published declarations). */
  static of(clf: Classifier, summary: ModelSummary, source?: ModelArtifacts): Model {
    return new Model(clf, summary, source);
  }

  /** The labels it answers with, sorted. */
  get labels(): readonly string[] {
    return this.#clf.labels;
  }

  /** `single-label` (one label a report, Prediction) or `multi-label` (a label set a report, LabelSetPrediction). */
  get kind(): 'single-label' | 'multi-label' {
    return this.#clf.multiLabel ? 'multi-label' : 'single-label';
  }

  /** A multi-label model's thresholds, their out-of-fold figures, and the labels it does not learn; undefined for a single-label model. */
  get multiLabel(): Readonly<MultiLabelRecord> | undefined {
    return this.#clf.multiLabel;
  }

  /** The hyperparameters it was trained with. */
  get hyperparameters(): Readonly<Hyperparameters> {
    return this.#clf.hp;
  }

  /**
   * The label of each text, with its calibrated confidence, the `top` best labels ranked and the
   * vocabulary's coverage of the text. One prediction per text, in order. An empty or
   * white-space-only text gets `reviewLabel` with confidence 0 and no ranked labels.
   */
  predict(texts: readonly string[], options: PredictOptions = {}): AnyPrediction[] {
    checkOptions('Model.predict', options, PREDICT_OPTIONS);
    const { top = 1, minConfidence = 0, reviewLabel = 'manual-review' } = options;
    if (!Array.isArray(texts)) throw new UsageError('predict takes an array of texts');
    const bad = texts.findIndex((t) => typeof t !== 'string');
    if (bad >= 0) throw new DataError(`text ${bad + 1} is not a string`, { code: 'NOT_TEXT' });
    if (!Number.isInteger(top) || top < 1) throw new UsageError(`top is ${top}: expected an integer from 1 up`);
    if (!(minConfidence >= 0 && minConfidence <= 1))
      throw new UsageError(`minConfidence is ${minConfidence}: expected a number from 0 to 1`);
    if (this.#clf.multiLabel) return this.predictLabelSets(texts, options);
    // An empty report gets no confident answer: the review label, confidence 0.
    const blank = texts.map(isBlank);
    const preds = this.#clf.predict(texts, top);
    preds.forEach((p, i) => {
      if (blank[i]) Object.assign(p, { label: reviewLabel, confidence: 0, top: [], coverage: 0 });
      else if (p.confidence < minConfidence) p.label = reviewLabel;
    });
    return preds;
  }

  /**
   * A multi-label model's answers: each text's suggested labels (each at or above its threshold,
   * at most one of a scope, most probable first) and every label's probability. With `top`, the
   * `top` most probable labels whatever the thresholds. minConfidence and reviewLabel mean nothing
   * here (each label has its own threshold) and are refused. An empty text gets no label.
   */
  predictLabelSets(texts: readonly string[], options: PredictOptions = {}): LabelSetPrediction[] {
    checkOptions('Model.predictLabelSets', options, PREDICT_OPTIONS);
    if (!this.#clf.multiLabel) throw new UsageError('this model learned one label a report: use predict');
    if ((options.minConfidence ?? 0) > 0 || options.reviewLabel !== undefined)
      throw new UsageError(
        'minConfidence and reviewLabel are for single-label models: a multi-label model suggests each label from its own threshold (train with minPrecision to choose them)',
      );
    const { top } = options;
    if (top !== undefined && (!Number.isInteger(top) || top < 1)) throw new UsageError(`top is ${top}: expected an integer from 1 up`);
    const preds = this.#clf.predictLabelSets(texts, top);
    texts.forEach((t, i) => {
      if (isBlank(t)) preds[i] = { labels: [], scores: Object.fromEntries(this.#clf.labels.map((l) => [l, 0])), coverage: 0 };
    });
    return preds;
  }

  /**
   * For each text, whether the model was trained on it (the same report, in its normal form),
   * by the fingerprints it keeps of its training reports. All false for models saved before
   * bugcat kept fingerprints (see hasFingerprints).
   */
  trainedOn(texts: readonly string[]): boolean[] {
    return this.#clf.trainedOn(texts);
  }

  /** True if the model keeps fingerprints of its training reports (so trainedOn can answer). */
  get hasFingerprints(): boolean {
    return this.#clf.fingerprints !== undefined;
  }

  /** True if the model keeps an index of its training reports (trained with keepIndex), so that similar can answer. */
  get hasIndex(): boolean {
    return this.#clf.index !== undefined;
  }

  /**
   * The training reports most similar to `text` (possible duplicates of it): each one's id,
   * labels and the cosine similarity of their TF-IDF vectors (the model's own features: words,
   * title words, character n-grams), from 1 (the same terms in the same proportions) to 0,
   * the most similar first (ties: the earlier training report). Reports that share no term
   * with it are never given. Needs a model trained with keepIndex: a ModelError (NO_INDEX)
   * otherwise. The index is read from the model's files on the first call.
   */
  similar(text: string, options: SimilarOptions = {}): SimilarReport[] {
    checkOptions('Model.similar', options, SIMILAR_OPTIONS);
    const { top = 5, minSimilarity = 0, exclude } = options;
    if (typeof text !== 'string') throw new DataError('the text to compare is not a string', { code: 'NOT_TEXT' });
    if (!Number.isInteger(top) || top < 1) throw new UsageError(`top is ${top}: expected an integer from 1 up`);
    if (!(minSimilarity >= 0 && minSimilarity <= 1))
      throw new UsageError(`minSimilarity is ${minSimilarity}: expected a number from 0 to 1`);
    if (exclude !== undefined && (!Array.isArray(exclude) || exclude.some((id) => typeof id !== 'string')))
      throw new UsageError('exclude is a list of report ids (strings)');
    if (!this.#clf.index)
      throw new ModelError('this model keeps no index of its training reports, so it cannot find similar ones', {
        code: 'NO_INDEX',
        advice: 'retrain it with keepIndex (train --keep-index)',
      });
    return this.#clf.similar(text, top, minSimilarity, exclude && new Set(exclude));
  }

  /**
   * Why the model gives `text` its label rather than the runner-up: the report's terms (words,
   * title words, character n-grams) that pushed most toward each, with signed contributions in
   * logit space. With the report's ReLU pattern fixed the networks are linear in the terms, so
   * each contribution is exact: the logit difference is the bias difference plus the sum of all
   * the terms' contributions (listed ones and `rest`). Logits, not probabilities: the calibrated
   * probabilities rank labels as the logits do, unless the model corrects for priors (`priorShift`).
   */
  explain(text: string, options: ExplainOptions = {}): Explanation {
    checkOptions('Model.explain', options, EXPLAIN_OPTIONS);
    const { top = 10, label, versus } = options;
    if (typeof text !== 'string') throw new DataError('the text to explain is not a string', { code: 'NOT_TEXT' });
    if (!Number.isInteger(top) || top < 1) throw new UsageError(`top is ${top}: expected an integer from 1 up`);
    const classOf = (name: string | undefined, role: string) => {
      if (name === undefined) return undefined;
      const c = this.#clf.labels.indexOf(name);
      if (c < 0)
        throw new UsageError(`${role} ${JSON.stringify(name)} is not one of the model's labels (${this.#clf.labels.join(', ')})`, {
          code: 'UNKNOWN_LABEL',
        });
      return c;
    };
    const c = classOf(label, 'label');
    const v = classOf(versus, 'versus');
    if (v !== undefined && v === c)
      throw new UsageError(`label and versus are both ${label}: compare two different labels`, { code: 'SAME_LABEL' });
    return explainText(this.#clf, text, top, c, v);
  }

  /**
   * Writes the model to folder `dir` atomically: a failed or cancelled save leaves `dir` as it
   * was. A folder holding other files and no bugcat model is refused unless `force`; bugcat
   * replaces only its own files there.
   */
  async save(dir: string, options: SaveOptions = {}): Promise<void> {
    checkOptions('Model.save', options, SAVE_OPTIONS);
    await saveArtifacts(this.toArtifacts(), dir, options);
  }

  /** The model's files as bytes, by name, with their checksums in the manifest: what save writes. */
  toArtifacts(): ModelArtifacts {
    return encode(this.#clf, this.summary.createdBy);
  }
}

/**
 * Trains a model on labelled reports: the labels are whatever labels the reports carry (at
 * least two distinct ones). Reports with an empty label are refused; leave them out first
 * (readReports does, with the labels it is told to exclude).
 *
 * Reports labelled by several annotators (`annotators`, as readReports gives them for several
 * label columns; or `otherLabels` on objects) are trained on soft targets: Dawid-Skene EM
 * estimates how reliable each annotator is in each category and each report's probability of
 * each category. The first annotator's labels define the label set; the others' labels outside
 * it, or empty, count as none (case does not matter). A report the first annotator left
 * unlabelled is then trained on the others' labels, and refused only if nobody labelled it.
 */
export async function train(reports: TrainingData, options: TrainOptions = {}): Promise<Model> {
  checkOptions('train', options, TRAIN_OPTIONS);
  if (options.autotune && typeof options.autotune === 'object') checkOptions('autotune', options.autotune, AUTOTUNE_OPTIONS);
  validateHyperparameters(options.hyperparameters ?? {});
  const threads = options.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) throw new UsageError(`threads is ${threads}: expected an integer from 1 up`);
  if (options.multiLabel ?? carriesLabelLists(reports)) {
    if (options.selfTrain)
      throw new UsageError('selfTrain is for single-label models: a multi-label model learns label lists, which guesses would not give');
    return trainLabelSets(reports, options, threads);
  }
  for (const key of ['excludeLabels', 'minLabelCount', 'minPrecision'] as const)
    if (options[key] !== undefined) throw new UsageError(`${key} is for multi-label training: set multiLabel, or give label lists`);
  const { texts, labels, ids, annotators } = trainingColumns(reports);
  const groups = options.groups ?? (Array.isArray(reports) ? undefined : (reports as Reports).groups);
  if (groups && groups.length !== texts.length)
    throw new UsageError(`${groups.length} groups for ${texts.length} reports: expected one group per report`);
  const log = options.onProgress ?? silentLog;
  const rt = lazyRuntime(options, true);
  const [first, ...others] = annotators;
  // Training's modules, loaded here: a process that only predicts never loads them.
  const [{ prepare }, { trainClassifier }] = await Promise.all([import('./prepare.js'), import('../model/train.js')]);
  // The rules' defaults for this data, then unlabelled reports' vectors and autotune's search (prepare.ts).
  const self = options.selfTrain && selfTrainOf(options.selfTrain);
  const { hp: resolved, pretrained, record } = await prepare(rt, texts, labels, { ...options, groups }, log);
  const fit = {
    log,
    threads,
    signal: options.signal,
    labelName: first.name,
    others,
    ids,
    pretrained,
    groups,
    index: indexOption(options.keepIndex),
  };
  let clf;
  if (self) {
    const { selfTrainClassifier } = await import('../model/self-training.js');
    const done = await selfTrainClassifier(rt, texts, labels, self.texts, resolved, { ...fit, poolIds: self.ids }, self.settings);
    clf = done.classifier;
    record.selfTraining = done.record;
  } else clf = await trainClassifier(rt, texts, labels, resolved, fit);
  Object.assign(clf.training, record);
  return Model.of(clf, { ...clf.training, formatVersion: FORMAT_VERSION, createdBy: CREATED_BY });
}

/** The reports and settings of train's selfTrain option, checked. */
function selfTrainOf(o: SelfTrainOptions): { texts: readonly string[]; ids?: readonly string[]; settings: SelfTrainingSettings } {
  if (typeof o !== 'object' || o === null) throw new UsageError('selfTrain is { reports, share, rounds }');
  checkOptions('selfTrain', o, { reports: true, share: true, rounds: true });
  const r = o.reports;
  const texts = unlabelledTexts(r, 'selfTrain.reports');
  const { share = SELF_TRAIN_SHARE, rounds = SELF_TRAIN_ROUNDS } = o;
  if (!(typeof share === 'number' && share > 0 && share <= 1))
    throw new UsageError(`selfTrain.share is ${share}: expected a number above 0, up to 1`);
  if (!Number.isInteger(rounds) || rounds < 1) throw new UsageError(`selfTrain.rounds is ${rounds}: expected an integer from 1 up`);
  return { texts, ids: Array.isArray(r) ? undefined : (r as Reports).ids, settings: { share, rounds } };
}

/** The index train keeps, from its keepIndex option, checked. */
function indexOption(keep: TrainOptions['keepIndex']): { terms: number } | undefined {
  if (keep === undefined || keep === false) return undefined;
  if (keep === true) return { terms: INDEX_TERMS };
  if (typeof keep !== 'object' || keep === null) throw new UsageError('keepIndex is true, false or { terms }');
  checkOptions('keepIndex', keep, { terms: true });
  const { terms = INDEX_TERMS } = keep;
  if (!Number.isInteger(terms) || terms < 0)
    throw new UsageError(`keepIndex.terms is ${terms}: expected an integer from 0 (every term) up`);
  return { terms };
}

/** True when the reports carry label lists and no single label: a tracker's export read without a label column. */
function carriesLabelLists(reports: TrainingData): boolean {
  if (Array.isArray(reports)) {
    const list = reports as readonly LabelledReport[];
    return list.length > 0 && list.every((r) => Array.isArray(r?.labels) && r?.label === undefined);
  }
  const r = reports as Reports;
  return Boolean(r && Array.isArray(r.issueLabels) && r.labels === undefined && !r.annotators);
}

/** Multi-label training (train with multiLabel): the reports' label lists, one network with a sigmoid output per label. */
async function trainLabelSets(reports: TrainingData, options: TrainOptions, threads: number): Promise<Model> {
  const { texts, ids, lists } = labelSetColumns(reports);
  if (options.autotune)
    throw new UsageError("autotune's search scores single-label accuracy: choose a multi-label model's hyperparameters with cv");
  const minLabelCount = options.minLabelCount ?? MIN_LABEL_COUNT;
  if (!Number.isInteger(minLabelCount) || minLabelCount < 1)
    throw new UsageError(`minLabelCount is ${minLabelCount}: expected an integer from 1 up`);
  const { minPrecision } = options;
  if (minPrecision !== undefined && !(minPrecision > 0 && minPrecision <= 1))
    throw new UsageError(`minPrecision is ${minPrecision}: expected a number above 0, up to 1`);
  const exclude = options.excludeLabels ?? [];
  if (!Array.isArray(exclude) || exclude.some((p) => typeof p !== 'string'))
    throw new UsageError('excludeLabels takes a list of label patterns');
  const rules = { exclude: splitPatterns(exclude), minLabelCount };
  const groups = options.groups ?? (Array.isArray(reports) ? undefined : (reports as Reports).groups);
  if (groups && groups.length !== texts.length)
    throw new UsageError(`${groups.length} groups for ${texts.length} reports: expected one group per report`);
  const log = options.onProgress ?? silentLog;
  const rt = lazyRuntime(options, true);
  // The default rules see the reports and the labels learned (each report by its rarest label).
  const shapeOf = labelSetTargets(lists, rules, silentLog).targets;
  const primary = Array.from(shapeOf.y, (c) => shapeOf.labels[c] ?? '');
  // Five calibration folds unless asked otherwise: each label's threshold is chosen on these models' out-of-fold
  // predictions, and models trained on 4/5 of the reports score much as the final one will (scripts/bench-multilabel.mjs).
  const hyperparameters = { calibrationFolds: LABEL_SET_CALIBRATION_FOLDS, ...definedOf(options.hyperparameters ?? {}) };
  // Training's modules, loaded here: a process that only predicts never loads them.
  const [{ prepare }, { trainClassifier }] = await Promise.all([import('./prepare.js'), import('../model/train.js')]);
  const {
    hp: resolved,
    pretrained,
    record,
  } = await prepare(rt, texts, primary, { ...options, hyperparameters, autotune: false, groups }, log);
  const clf = await trainClassifier(rt, texts, primary, resolved, {
    log,
    threads,
    signal: options.signal,
    ids,
    pretrained,
    groups,
    labelSets: { lists, rules, minPrecision },
    index: indexOption(options.keepIndex),
  });
  Object.assign(clf.training, record);
  return Model.of(clf, { ...clf.training, formatVersion: FORMAT_VERSION, createdBy: CREATED_BY });
}

/** Texts, ids and label lists of reports for multi-label training, checked. */
function labelSetColumns(reports: TrainingData): { texts: string[]; ids: readonly string[]; lists: (readonly string[])[] } {
  let texts: string[];
  let ids: readonly string[];
  let lists: (readonly string[])[];
  if (Array.isArray(reports)) {
    const list = reports as readonly LabelledReport[];
    texts = list.map((r) => r?.text);
    ids = list.map((r, i) => r?.id ?? String(i + 1));
    lists = list.map((r) => r?.labels ?? (r?.label ? [r.label] : []));
  } else if (reports && typeof reports === 'object' && Array.isArray((reports as Reports).texts)) {
    const r = reports as Reports;
    if (!r.issueLabels)
      throw new DataError("the reports carry no label lists: multi-label training needs each report's labels", {
        code: 'NO_LABELS',
        advice: 'read a GitLab or GitHub export, or a CSV with labelSeparator',
      });
    ({ texts, ids } = r);
    lists = r.issueLabels;
  } else {
    throw new UsageError('train takes reports as readReports gives them, or an array of { text, labels } objects');
  }
  texts.forEach((t, i) => {
    if (typeof t !== 'string') throw new DataError(`report ${ids[i]} has no text`, { code: 'NOT_TEXT' });
  });
  lists.forEach((l, i) => {
    if (!Array.isArray(l) || l.some((x) => typeof x !== 'string'))
      throw new DataError(`report ${ids[i]}'s labels are not a list of strings`, { code: 'NO_LABELS' });
  });
  if (lists.length !== texts.length) throw new DataError(`${texts.length} texts but ${lists.length} label lists`, { code: 'NO_LABELS' });
  return { texts, ids, lists };
}

/** Loads a model from the folder a save wrote, checking its format version and every file's checksum first. */
export async function load(dir: string, options: RuntimeOptions = {}): Promise<Model> {
  checkOptions('load', options, RUNTIME_OPTIONS);
  return fromArtifacts(await readArtifacts(dir), options, dir);
}

/** A model from its artifacts (toArtifacts, or the files of a model folder read as bytes), with the same checks as load. */
export async function fromArtifacts(artifacts: ModelArtifacts, options: RuntimeOptions = {}, source = 'artifacts'): Promise<Model> {
  checkOptions('fromArtifacts', options, RUNTIME_OPTIONS);
  return fromArtifactsSharing(artifacts, options, undefined, source);
}

/**
 * @internal fromArtifacts, whose networks may read their input weights from another thread's copy
 * of the same model (`shared`, from Model.sharedInputs): what prediction workers load, so that the
 * weights are held once whatever the number of threads. Without `shared`, they are decoded.
 */
export async function fromArtifactsSharing(
  artifacts: ModelArtifacts,
  options: RuntimeOptions,
  shared?: readonly SharedWeights[],
  source = 'artifacts',
): Promise<Model> {
  const manifest = readManifest(artifacts, source);
  // Prediction runs in the WebAssembly kernels and plain loops: TensorFlow.js is not loaded.
  const { kernels } = checkRuntime(options);
  const clf = decode(artifacts, source, kernels, shared);
  return Model.of(clf, { ...clf.training, formatVersion: manifest.formatVersion, createdBy: manifest.createdBy }, { ...artifacts });
}

/** Texts, labels, ids and every annotator's labels (the first annotator's are `labels`) of labelled reports, checked. */
function trainingColumns(reports: TrainingData): {
  texts: string[];
  labels: readonly string[];
  ids?: readonly string[];
  annotators: Annotator[];
} {
  let texts: string[];
  let labels: readonly string[];
  let ids: readonly string[] | undefined;
  let annotators: Annotator[];
  if (Array.isArray(reports)) {
    const list = reports as readonly LabelledReport[];
    texts = list.map((r) => r?.text);
    labels = list.map((r) => r?.label);
    ids = list.map((r, i) => r?.id ?? String(i + 1));
    const names = [
      ...new Set(list.flatMap((r) => [...Object.keys(r?.otherLabels ?? {}), ...(r?.secondLabel !== undefined ? ['second'] : [])])),
    ];
    const of = (r: LabelledReport, name: string) =>
      (name === 'second' && r?.secondLabel !== undefined && r?.otherLabels?.second === undefined
        ? r.secondLabel
        : r?.otherLabels?.[name]) ?? '';
    annotators = [{ name: 'label', labels }, ...names.map((name) => ({ name, labels: list.map((r) => of(r, name)) }))];
  } else if (reports && typeof reports === 'object' && Array.isArray((reports as Reports).texts)) {
    const r = reports as Reports;
    labels = (r.labels ?? r.annotators?.[0]?.labels)!;
    if (!labels) throw new DataError('the reports carry no labels: training needs a label for every report', { code: 'NO_LABELS' });
    if (labels.length !== r.texts.length) throw new DataError(`${r.texts.length} texts but ${labels.length} labels`, { code: 'NO_LABELS' });
    ({ texts, ids } = r);
    annotators = r.annotators?.length
      ? r.annotators
      : [{ name: 'label', labels }, ...(r.secondLabels ? [{ name: 'second', labels: r.secondLabels }] : [])];
  } else {
    throw new UsageError('train takes reports as readReports gives them, or an array of { text, label } objects');
  }
  const at = (i: number) => `report ${ids?.[i] ?? i + 1}`;
  texts.forEach((t, i) => {
    if (typeof t !== 'string') throw new DataError(`${at(i)} has no text`, { code: 'NOT_TEXT' });
  });
  annotators.forEach((a, j) => {
    if (!a || typeof a.name !== 'string' || a.name === '' || !Array.isArray(a.labels))
      throw new UsageError(`annotator ${j + 1} is not a { name, labels } object`);
    if (a.labels.length !== texts.length)
      throw new DataError(`${texts.length} texts but ${a.labels.length} labels from annotator ${a.name}`, { code: 'NO_LABELS' });
    if (annotators.findIndex((b) => b.name === a.name) !== j) throw new UsageError(`two annotators are named ${a.name}: name each once`);
  });
  if (annotators[0].labels !== labels && annotators[0].labels.some((l, i) => l !== labels[i])) {
    throw new UsageError(
      `the first annotator's labels (${annotators[0].name}) are not the reports' labels: list the annotator of \`labels\` first`,
    );
  }
  // With one annotator every report needs its label; with several, the others' can stand in.
  labels.forEach((l, i) => {
    if (typeof l !== 'string' || (annotators.length === 1 && l.trim() === ''))
      throw new DataError(`${at(i)} has no label`, { code: 'NO_LABELS', advice: 'label it, or leave it out' });
  });
  annotators.slice(1).forEach((a) =>
    a.labels.forEach((l, i) => {
      if (typeof l !== 'string') throw new DataError(`${at(i)} has no string label from annotator ${a.name}`, { code: 'NO_LABELS' });
    }),
  );
  return { texts, labels, ids, annotators };
}
