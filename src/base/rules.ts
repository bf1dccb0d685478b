import { DEFAULTS, validateHyperparameters, type Hyperparameters } from './hyperparameters.js';

/**
 * Defaults that follow the data: for every hyperparameter the caller does not set, a documented
 * rule on the training data's size (n labelled reports) and number of categories (k) gives its
 * value; the rest come from DEFAULTS. Explicit values always win. DEFAULTS are the values the
 * rules give at the reference size, n = REFERENCE.n reports in k = REFERENCE.k categories (the
 * QEMU corpus's folds 1-4), so a caller of validateHyperparameters alone sees the values the
 * shipped model was trained with.
 *
 * The rules were chosen by cross-validation across several tasks at once, never one
 * (scripts/tune-tasks.mjs): the 17 QEMU categories, the system/user mode taxonomy and the second
 * annotator's labels, each with every labelled report of folds 1-4 and with seeded subsamples of
 * 300 and 1,000 labelled reports, every split paired with the LinearSVC anchor. README
 * ("Defaults that follow the data") quotes the evidence.
 */

/** What the rules look at: the labelled reports' number and their distinct categories. */
export interface DataShape {
  /** Labelled reports trained on. */
  n: number;
  /** Distinct categories among them. */
  k: number;
}

/** The size the fixed DEFAULTS stand for: the QEMU corpus's folds 1-4 (4,251 reports, 17 categories). */
export const REFERENCE: Readonly<DataShape> = Object.freeze({ n: 4251, k: 17 });

/** One rule: the fields it sets, what it says in words, and the values it gives. */
export interface Rule {
  fields: readonly (keyof Hyperparameters)[];
  /** The rule in words, for the README, the help and the model's record. */
  text: string;
  value: (d: DataShape) => Partial<Hyperparameters>;
}

const clamp = (x: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, x));

/**
 * The rules, in order.
 *
 * Epochs: with few reports per category the networks need more passes. 6 passes over 300
 * reports in 17 categories are 30 updates of 64 reports, and the networks end barely trained
 * (3 to 5 points under the anchor, scripts/tune-tasks.mjs); more passes over 300 reports in 2
 * categories over-fit instead (48 passes: 1.6 points worse than 6). The number of passes that
 * held up across the three taxonomies and the three sizes grows with the categories and shrinks
 * with the reports: 600 k / n, that is about 600 / (reports per category), within 6 to 48. It
 * is 6 from 1,700 reports in 17 categories, or from 200 in 2, and so at the reference size.
 */
export const RULES: readonly Rule[] = [
  {
    fields: ['epochs'],
    text: 'epochs = 600 x k / n (600 over the reports per category), rounded, within 6 to 48',
    value: ({ n, k }) => ({ epochs: clamp(Math.round((600 * Math.max(2, k)) / Math.max(1, n)), 6, 48) }),
  },
];

/** The fields some rule sets. */
export const RULED: readonly (keyof Hyperparameters)[] = RULES.flatMap((r) => r.fields);

/** The values the rules give for data of this shape (every ruled field), over nothing else. */
export function ruleValues(d: DataShape): Partial<Hyperparameters> {
  return Object.assign({}, ...RULES.map((r) => r.value(d))) as Partial<Hyperparameters>;
}

/** What resolving gave: the hyperparameters, and the fields the rules set (with their values). */
export interface Resolved {
  hp: Hyperparameters;
  /** The ruled fields the caller did not set, with the values the rules gave them. */
  byRule: Partial<Hyperparameters>;
}

/**
 * The full hyperparameters for data of shape `d`: the caller's `explicit` values (checked), the
 * rules' values for every ruled field the caller did not set, and DEFAULTS for the rest.
 */
export function resolveHyperparameters(explicit: Readonly<Record<string, unknown>>, d: DataShape): Resolved {
  // Unknown names and bad values are refused before any rule runs.
  validateHyperparameters(explicit);
  const given = (key: string) => Object.hasOwn(explicit, key) && explicit[key] !== undefined;
  const byRule = Object.fromEntries(Object.entries(ruleValues(d)).filter(([key]) => !given(key))) as Partial<Hyperparameters>;
  return { hp: validateHyperparameters(explicit, { ...DEFAULTS, ...byRule }), byRule };
}
