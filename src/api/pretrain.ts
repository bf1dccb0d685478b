import { UsageError } from '../base/errors.js';
import { type Hyperparameters } from '../base/hyperparameters.js';
import { silentLog } from '../base/log.js';
import { checkOptions, type OptionKeys } from '../base/options.js';
import { resolveHyperparameters } from '../base/rules.js';
import type { Reports } from '../io/reports.js';
import { unlabelledTexts } from '../io/unlabelled.js';
import { readVectors, writeVectors } from '../io/vectors.js';
import type { TermVectors } from '../text/vectors.js';

export interface PretrainOptions {
  /**
   * The feature settings (wordNgrams, charChars, ...) the terms are formed with, and hidden:
   * the vectors' dimension, the hidden width of the networks they will start. Over DEFAULTS.
   */
  hyperparameters?: Partial<Hyperparameters>;
  /** Keep at most this many terms, the most frequent (default: 1.5 x maxFeatures). */
  maxTerms?: number;
  /** Hears progress, one line at a time. */
  onProgress?: (message: string) => void;
}

/** PretrainOptions's keys (base/options.ts). */
const PRETRAIN_OPTIONS: OptionKeys<PretrainOptions> = { hyperparameters: true, maxTerms: true, onProgress: true };

/**
 * Term vectors learned from reports without labels (any tracker's): the truncated SVD of their
 * TF-IDF matrix (model/pretrain.ts), with the terms' document frequencies. Give them to train
 * as `pretrained`: the vocabulary is then fitted on these reports' text beside the labelled
 * ones, and the network's input weights start from the vectors of the terms they share.
 */
export async function pretrain(reports: Reports | readonly string[], options: PretrainOptions = {}): Promise<TermVectors> {
  checkOptions('pretrain', options, PRETRAIN_OPTIONS);
  const texts = unlabelledTexts(reports, 'pretrain');
  if (texts.length < 2)
    throw new UsageError(`pretrain needs reports to learn from: it was given ${texts.length}`, { code: 'TOO_FEW_REPORTS' });
  const { hp } = resolveHyperparameters(options.hyperparameters ?? {}, { n: texts.length, k: 2 });
  // Loaded here: a process that only predicts never loads them.
  const [{ pretrainTerms }, { pretrainTexts }] = await Promise.all([import('./prepare.js'), import('../model/pretrain.js')]);
  const maxTerms = options.maxTerms ?? pretrainTerms(hp);
  if (!Number.isInteger(maxTerms) || maxTerms < 1) throw new UsageError(`maxTerms is ${maxTerms}: expected an integer from 1 up`);
  return pretrainTexts(texts, hp, { dim: hp.hidden, maxTerms, seed: hp.seed }, options.onProgress ?? silentLog);
}

/** Writes term vectors to one file (atomically). */
export const saveVectors = (vectors: TermVectors, path: string): void => writeVectors(vectors, path);

/** Reads term vectors from a file pretrain's vectors were saved to, checking its format and checksum. */
export const loadVectors = (path: string): TermVectors => readVectors(path);
