/**
 * What an explanation says (explain.ts computes it): its types and the fields of terms, free of
 * the networks' and TensorFlow.js's types, so that the public declarations can name them.
 */

/** Which field of a report a vocabulary term comes from, by its prefix (see text/counter.ts). */
export type TermField = 'word' | 'title' | 'char';

/** A vocabulary term split into its field and its text (`t:vnc` is the title word `vnc`; `c: vnc` the character n-gram ` vnc`). */
export function fieldOf(term: string): { field: TermField; text: string } {
  if (term.startsWith('t:')) return { field: 'title', text: term.slice(2) };
  if (term.startsWith('c:')) return { field: 'char', text: term.slice(2) };
  return { field: 'word', text: term };
}

/**
 * The logit margin under which explain calls the two labels a tie: 0.05, i.e. odds within 5 %
 * of even (e^0.05 = 1.05); near p = 0.5 each, probabilities under 0.0125 apart. A smaller
 * margin is below what retraining with another seed or one more report moves a logit by, so
 * reading a winner into it (and its terms as reasons) would be reading noise.
 */
export const TIE_LOGIT = 0.05;

/** Whether a decision margin (difference - priorShift) is a tie. */
export const isTie = (margin: number): boolean => Math.abs(margin) < TIE_LOGIT;

/** One term of a report and how it moved the two labels being compared. */
export interface TermContribution {
  /** The term without its field's prefix: a word (or word n-gram), a title word, or a character n-gram (a space marks a word's edge). */
  term: string;
  /** Where it was found: `word` in the report's words, `title` in its title line, `char` in the character n-grams of its beginning. */
  field: TermField;
  /** Its TF-IDF value in this report. */
  value: number;
  /** Its contribution to `label`'s logit minus its contribution to `versus`'s: positive pushes toward `label`, negative toward `versus`. */
  contribution: number;
  /** Its contribution to `label`'s logit alone. */
  toLabel: number;
  /** Its contribution to `versus`'s logit alone. */
  toVersus: number;
}

/**
 * Why a report got `label` rather than `versus`, in logit space: `difference` (the logit of
 * `label` minus that of `versus`) is exactly `bias` plus the contribution of every term of the
 * report (those listed in `toward` and `against`, and the `rest`).
 */
export interface Explanation {
  /** The label explained: the predicted one unless another was asked for. */
  label: string;
  /** Its calibrated probability (as predict gives it). */
  probability: number;
  /** The label it is compared with: the runner-up, or the predicted label when another label is explained. */
  versus: string;
  versusProbability: number;
  /** The two labels' logits (the mean over the ensemble's networks). */
  logit: number;
  versusLogit: number;
  /** logit - versusLogit = bias + the sum of all terms' contributions. */
  difference: number;
  /** The part of the difference no term accounts for (the networks' biases through the active hidden units). */
  bias: number;
  /**
   * The calibration's prior correction between the two labels, in logit units (0 unless the
   * model was trained with priorCorrection): `label` outranks `versus` when difference > priorShift.
   */
  priorShift: number;
  /**
   * True when the decision between the two labels is a tie: the logit margin that decides it
   * (difference - priorShift) is under TIE_LOGIT in size, so `label` and `versus` are, for this
   * report, about as likely as each other and the terms explain no real preference.
   */
  tie: boolean;
  /** The terms that pushed most toward `label`, strongest first. */
  toward: TermContribution[];
  /** The terms that pushed most toward `versus`, strongest first (negative contributions). */
  against: TermContribution[];
  /** The report's other terms: how many, and the sum of their contributions. */
  rest: { terms: number; contribution: number };
  /** How many of the model's terms the report holds. */
  terms: number;
}
