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
 * The rules, in order. Epochs: a pass over 300 reports is 5 steps of 64, so 6 passes leave
 * the networks barely trained; the number of passes grows as the data shrinks, so that the
 * number of updates stays near that of the reference size (6 epochs over 3,200 reports),
 * within 6 to 48 passes.
 */
export const RULES: readonly Rule[] = [
  {
    fields: ['epochs'],
    text: 'epochs = 6 x 3,200 / n, rounded, within 6 to 48 (about 300 updates of 64 reports whatever the size)',
    value: ({ n }) => ({ epochs: clamp(Math.round((6 * 3200) / Math.max(1, n)), 6, 48) }),
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
