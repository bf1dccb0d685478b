import { HyperparameterError } from './errors.js';

/**
 * Hyperparameters: one typed, plain-data object. The defaults live here, and
 * every model saves the exact object it was trained with (bugcat.json).
 * The defaults are the values the rules on the data's size give at the reference size, the
 * QEMU corpus's folds 1-4 (rules.ts, which says how the rules were chosen: by cross-validation
 * across several tasks, scripts/tune-tasks.mjs), never by looking at the held-out fold 0.
 */
export interface Hyperparameters {
  /** Seed for initialisation, shuffling, dropout and the calibration split. */
  seed: number;
  /** Reports are cut to this many characters before tokenizing (documented limit). */
  maxChars: number;
  /** Longest word n-gram taken from the whole report. */
  wordNgrams: number;
  /** Longest word n-gram taken from the title line (its own feature field). */
  titleNgrams: number;
  /** Drop English stop words before forming n-grams. */
  stopwords: boolean;
  /** Reduce words to their Porter stems. */
  stem: boolean;
  /** Character 3-5-grams (within words) of the first this many characters: 0 = none. */
  charChars: number;
  /** Term frequency as presence (1) instead of 1 + ln(count). */
  binaryTf: boolean;
  /**
   * The title field's L2 norm (the report field's is 1). 0.4 since it was measured across tasks
   * (scripts/tune-tasks.mjs: the 17 categories, the mode taxonomy and the second annotator's
   * labels at 300, 1,000 and every report of folds 1-4): 0.4 beat 0.7 in 8 of the 9 task-sizes,
   * by +0.4 points of accuracy on average; 1 lost 1.5 points, 0.25 gained less than 0.4.
   */
  titleWeight: number;
  /** Each term's idf is multiplied by its NB log-count ratio (max over classes) ^ this (0 = off). */
  nbWeight: number;
  /** A term must occur in at least this many training reports. */
  minDf: number;
  /** A term in more than this fraction of training reports is dropped. */
  maxDf: number;
  /** Keep at most this many terms. */
  maxFeatures: number;
  /** Which terms maxFeatures keeps: the most frequent, or the most class-dependent (chi-squared). */
  select: 'frequency' | 'chi2';
  /** Width of the hidden layer. */
  hidden: number;
  /** Networks trained (seeds differ) whose logits are averaged: an ensemble of this many. */
  members: number;
  /** Dropout rate on the hidden layer while training. */
  dropout: number;
  /** Passes over the training data. */
  epochs: number;
  batchSize: number;
  /** Adam learning rate of the dense head. */
  learningRate: number;
  /** Initial SGD rate of the input weights (decays linearly to 0, as fastText's). */
  inputLearningRate: number;
  /**
   * Weight decay of the input weights (L2 regularisation), as its total over training: at each
   * step every input weight is multiplied by 1 - rate x inputDecay / (sum of the steps' input
   * rates), rate being that step's input rate, so that decay alone would shrink a weight by
   * about e^-inputDecay over the whole training, whatever the number of steps (0 = off). Set by a
   * rule on the number of categories (rules.ts): 4 for two, 0 for more. A model saved before the
   * field existed was trained without it, and reads as 0.
   */
  inputDecay: number;
  /** Label smoothing of the training targets (0 = none). */
  labelSmoothing: number;
  /** Class weights (n / (k * n_c)) ^ power: 0 = none, 1 = fully balanced. */
  classWeightPower: number;
  /** Output scores are divided by prior^priorCorrection, lifting rare categories. */
  priorCorrection: number;
  /** The confidence calibration is fitted to out-of-fold predictions of this many networks, each trained on the other folds (0 = no calibration). */
  calibrationFolds: number;
  /** How the large input weight matrix is stored on disk. */
  weightDtype: 'float32' | 'float16' | 'uint8';
}

/**
 * The default hyperparameters (frozen): what train uses for every field not given and not set
 * by a rule on the data's size and number of categories (rules.ts: RULES). They are the rules'
 * values at the reference size, the QEMU corpus's folds 1-4 (4,251 reports, 17 categories).
 */
export const DEFAULTS: Readonly<Hyperparameters> = Object.freeze({
  seed: 1,
  maxChars: 20000,
  wordNgrams: 1,
  titleNgrams: 1,
  stopwords: false,
  stem: false,
  charChars: 1000,
  binaryTf: false,
  titleWeight: 0.4,
  nbWeight: 0.5,
  minDf: 2,
  maxDf: 0.9,
  maxFeatures: 50000,
  select: 'frequency',
  hidden: 64,
  members: 2,
  dropout: 0.5,
  epochs: 6,
  batchSize: 64,
  learningRate: 0.002,
  inputLearningRate: 15,
  inputDecay: 0,
  labelSmoothing: 0.1,
  classWeightPower: 0.5,
  priorCorrection: 0,
  calibrationFolds: 2,
  weightDtype: 'uint8',
});

/** One line on each hyperparameter (the command line's help shows them). */
export const HELP: Record<keyof Hyperparameters, string> = {
  seed: 'random seed: the same data and seed give the same model',
  maxChars: 'reports are cut to this many characters',
  wordNgrams: 'longest word n-gram from the report',
  titleNgrams: 'longest word n-gram from the title line',
  stopwords: 'drop English stop words before forming n-grams',
  stem: 'reduce words to their Porter stems',
  charChars: 'character 3-5-grams from this many first characters (0 = none)',
  binaryTf: 'term presence instead of sublinear term frequency',
  titleWeight: 'weight of the title field relative to the whole report',
  nbWeight: 'scale terms by their class log-count ratio ^ x (0 = off)',
  minDf: 'minimum number of reports a term must occur in',
  maxDf: 'drop terms found in more than this fraction of reports',
  maxFeatures: 'vocabulary size limit',
  select: 'which terms the size limit keeps: the most frequent, or the most class-dependent (chi-squared)',
  hidden: 'hidden layer width',
  members: 'networks trained with different seeds, their outputs averaged',
  dropout: 'dropout rate on the hidden layer',
  epochs: 'passes over the training data',
  batchSize: 'reports per training step',
  learningRate: 'Adam learning rate of the dense head',
  inputLearningRate: 'initial SGD rate of the input weights (decays to 0)',
  inputDecay: 'weight decay of the input weights, as its total log-shrink over training (0 = off)',
  labelSmoothing: 'label smoothing of the targets',
  classWeightPower: 'class weighting: 0 none, 1 balanced',
  priorCorrection: 'divide scores by prior^x to lift rare categories',
  calibrationFolds: 'calibrate confidences on out-of-fold predictions from this many folds (0 = none)',
  weightDtype: 'storage of the input weights: float32, float16, or uint8 (affine, 256 levels)',
};

/** What values a hyperparameter takes: an integer or number in [min, max], a boolean, or one of a list. */
export type Range =
  | { type: 'int' | 'float'; min: number; max: number; except?: readonly number[]; text?: string }
  | { type: 'boolean' }
  | { type: 'choice'; values: readonly string[] };

const int = (min: number, max = Infinity): Range => ({ type: 'int', min, max });
const float = (min: number, max = Infinity): Range => ({ type: 'float', min, max });
const BOOLEAN: Range = { type: 'boolean' };

/** The allowed values of every hyperparameter: the one table the library validates with and the command line parses with. */
export const RANGES: Readonly<Record<keyof Hyperparameters, Range>> = Object.freeze({
  seed: int(0, 2 ** 31 - 1),
  maxChars: int(1),
  wordNgrams: int(1, 5),
  titleNgrams: int(1, 5),
  stopwords: BOOLEAN,
  stem: BOOLEAN,
  charChars: int(0),
  binaryTf: BOOLEAN,
  titleWeight: float(0, 100),
  nbWeight: float(0, 4),
  minDf: int(1),
  maxDf: float(0, 1),
  maxFeatures: int(1),
  select: { type: 'choice', values: ['frequency', 'chi2'] },
  hidden: int(1, 4096),
  members: int(1, 16),
  dropout: float(0, 0.95),
  epochs: int(1, 1000),
  batchSize: int(1, 65536),
  learningRate: float(1e-6, 10),
  inputLearningRate: float(1e-6, 1000),
  inputDecay: float(0, 50),
  labelSmoothing: float(0, 0.5),
  classWeightPower: float(0, 2),
  priorCorrection: float(0, 2),
  // One fold would train the calibration model on nothing: 0 (no calibration) or 2 to 20.
  calibrationFolds: { type: 'int', min: 0, max: 20, except: [1], text: '0 (no calibration) or 2 to 20 folds' },
  weightDtype: { type: 'choice', values: ['float32', 'float16', 'uint8'] },
});

/** The allowed values of a range, in words: "an integer from 1 to 5", "true or false", "one of frequency, chi2". */
export function describeRange(r: Range): string {
  switch (r.type) {
    case 'boolean':
      return 'true or false';
    case 'choice':
      return `one of ${r.values.join(', ')}`;
    default: {
      if (r.text) return r.text;
      const what = `${r.type === 'int' ? 'an integer' : 'a number'} from ${r.min}${r.max === Infinity ? ' up' : ` to ${r.max}`}`;
      return r.except?.length ? `${what}, except ${r.except.join(', ')}` : what;
    }
  }
}

/** True if `value` is allowed by `r`. */
export function inRange(r: Range, value: unknown): boolean {
  switch (r.type) {
    case 'boolean':
      return typeof value === 'boolean';
    case 'choice':
      return typeof value === 'string' && r.values.includes(value);
    default:
      return (
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (r.type === 'float' || Number.isInteger(value)) &&
        value >= r.min &&
        value <= r.max &&
        !r.except?.includes(value)
      );
  }
}

/**
 * Hyperparameters that bugcat no longer has, as older models may list them: reading a model
 * drops them. `secondLabelWeight` gave a second annotator's label a fixed share of each
 * training target; several annotators' labels are now combined by Dawid-Skene EM, which learns
 * how reliable each one is.
 */
export const RETIRED: readonly string[] = ['secondLabelWeight'];

/**
 * The full hyperparameters: `overrides` over `base` (the defaults unless given), each checked
 * against its range. Throws a HyperparameterError naming the first field that is unknown, of
 * the wrong type or out of range, and what it allows.
 */
export function validateHyperparameters(
  overrides: Readonly<Record<string, unknown>> = {},
  base: Readonly<Hyperparameters> = DEFAULTS,
): Hyperparameters {
  if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides)) {
    throw new HyperparameterError('hyperparameters must be an object of named values, for example { hidden: 64 }', '(root)');
  }
  for (const key of Object.keys(overrides)) {
    if (!Object.hasOwn(RANGES, key)) {
      throw new HyperparameterError(`unknown hyperparameter "${key}"; the known ones are ${Object.keys(RANGES).join(', ')}`, key);
    }
  }
  const hp = { ...base } as Record<string, unknown>;
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) hp[key] = value;
  for (const [key, range] of Object.entries(RANGES) as [keyof Hyperparameters, Range][]) {
    if (!inRange(range, hp[key])) {
      throw new HyperparameterError(
        `hyperparameter ${key} is ${JSON.stringify(hp[key]) ?? 'missing'}: expected ${describeRange(range)}`,
        key,
      );
    }
  }
  return hp as unknown as Hyperparameters;
}
