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
 * ("Defaults that follow the data") quotes the evidence. A field whose best value showed no trend
 * in n or k across those tasks gets no rule but a new default at every size: the title's weight,
 * 0.4 (hyperparameters.ts), better than 0.7 in 8 of the 9 task-sizes. Tried as rules below 2,000
 * reports and not kept (within the noise or worse): a linear member, batches of 32,
 * dropout 0.3 or 0.7, other rates, stems, word or title bigrams, more or fewer character n-grams.
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
 * Epochs: the number of passes follows the reports per category, r = n / k. With few (300
 * reports in 17 categories, r = 18) the networks need many passes: 6 passes are 30 updates of
 * 64 reports, and they end barely trained (3 and 5 points under the anchor on the two 17-category
 * taxonomies, scripts/tune-tasks.mjs); 600 / r passes (34 there) brought both level with it.
 * With many (the mode taxonomy: 500 and 650 per category at 1,000 and 1,650 reports) the networks
 * over-fit sooner: 3 passes were 0.7 and 0.8 points better than 6. Between, 6 held up (the 17
 * categories at 1,000 and 3,200 reports, the mode taxonomy at 300). So: 600 / r passes, within 6
 * to 48, and 3 from 300 reports per category. At the reference size (r = 250) that is 6.
 *
 * Input weight decay (L2 regularisation of the input layer, hyperparameters.ts: inputDecay): 4
 * for two categories, none for more. Measured as a single change over the other defaults
 * (scripts/tune-tasks.mjs, 12 to 40 splits a cell at 300 and 1,000 reports, paired split by
 * split; README, "Defaults that follow the data", has the table): on the mode taxonomy it gained
 * +0.7, +0.7 and 0.0 points at 300, 1,000 and every report; on two two-category tasks cut from
 * the 17 categories (device/peripherals, other/hypervisor) +0.8, +0.9 and +0.3; on a third, easy
 * one (device/mistranslation, 90 % accurate) +0.1 and -0.3. With 17 categories it lost (-0.5
 * and -0.3 at 300 and 1,000; 0.0 with every report), and 8 lost up to 1.8 points; with four
 * categories it was split (-0.3 at 300, +0.7 at 1,000). So the rule stops at two. Why the number
 * of categories matters is not known: decaying only the rows a batch uses did worse still on
 * the 17 categories (-1.4).
 *
 * Networks averaged (members): 4 below 2,000 reports in more than two categories, else 2. Four
 * networks instead of two, as a single change over the other defaults (scripts/tune-tasks.mjs,
 * 12 splits a cell, paired split by split with the defaults on the same splits), gained on the
 * 17 categories +0.35 and +0.23 points at 300 and 1,000 reports (standard errors 0.16), on the
 * second annotator's labels +0.45 and -0.04 (0.15, 0.13), on the four largest categories +0.13
 * and +0.13 (0.24, 0.15); on the two-category mode taxonomy it lost (-0.17 and -0.31, 0.10), so
 * the rule leaves two categories alone. Below 2,000 reports training is a few seconds, so the
 * doubled training is cheap; so is the doubled prediction, per report, next to the accuracy a
 * small model lacks. From 2,000 reports (the reference size among them) it stays 2.
 */
export const RULES: readonly Rule[] = [
  {
    fields: ['epochs'],
    text: 'epochs = 600 / (n / k), rounded, within 6 to 48; 3 from 300 reports per category',
    value: ({ n, k }) => {
      const perCategory = Math.max(1, n) / Math.max(2, k);
      return { epochs: perCategory >= 300 ? 3 : clamp(Math.round(600 / perCategory), 6, 48) };
    },
  },
  {
    fields: ['inputDecay'],
    text: 'inputDecay = 4 for two categories, 0 for more',
    value: ({ k }) => ({ inputDecay: k <= 2 ? 4 : 0 }),
  },
  {
    fields: ['members'],
    text: 'members = 4 below 2,000 reports in more than two categories, else 2',
    value: ({ n, k }) => ({ members: n < 2000 && k > 2 ? 4 : 2 }),
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
