import type { Hyperparameters } from '../base/hyperparameters.js';

/**
 * The feature settings: the hyperparameters that decide which terms a report is counted as
 * (counter.ts) and how they are weighted. A vocabulary, and term vectors pretrained on other
 * reports (vectors.ts), are only comparable when formed with the same settings.
 */
export type FeatureConfig = Pick<Hyperparameters, 'maxChars' | 'wordNgrams' | 'titleNgrams' | 'charChars' | 'stopwords' | 'stem'> &
  Partial<Pick<Hyperparameters, 'binaryTf' | 'titleWeight'>>;

/**
 * The feature settings within a set of hyperparameters (what transform needs). Models saved
 * before binaryTf and titleWeight existed lack them: they were trained as false and 1, which
 * are therefore the fallbacks (whatever the current defaults are).
 */
export function featureConfig(hp: FeatureConfig): Required<FeatureConfig> {
  const { maxChars, wordNgrams, titleNgrams, charChars, stopwords, stem } = hp;
  return {
    maxChars,
    wordNgrams,
    titleNgrams,
    charChars,
    stopwords,
    stem,
    binaryTf: hp.binaryTf ?? false,
    titleWeight: hp.titleWeight ?? 1,
  };
}
