import type { Hyperparameters } from '../base/hyperparameters.js';
import type { LazyRuntime } from '../nn/backend.js';
import type { Classifier } from './classifier.js';
import { fingerprints, seenIn } from './fingerprint.js';
import type { Prediction } from './prediction.js';
import { trainClassifier, type FitOptions } from './train.js';

/** How self-training takes the model's own guesses on reports without labels. */
export interface SelfTrainingSettings {
  /** The share (0 to 1) of the reports the model puts in each category that it finally learns as such, the surest first. */
  share: number;
  /** Rounds of guessing and training again; round r takes r/rounds of the share. */
  rounds: number;
}

/** What a model records of its self-training (saved in its manifest as `training.selfTraining`). */
export interface SelfTrainingRecord extends SelfTrainingSettings {
  /** Reports with a person's label. */
  labelled: number;
  /** Reports without labels offered, and those of them left out as copies of labelled ones. */
  pool: number;
  copies: number;
  /** Reports without labels learnt with the model's guess, each round. */
  added: number[];
}

/**
 * Self-training (scikit-learn's SelfTrainingClassifier; Yarowsky's bootstrapping): train on the
 * labelled reports, guess the reports without labels, take the surest guesses as labels, train
 * again on both; `rounds` times. The guesses taken are the most confident `share` of the reports
 * the model puts in each category (class-balanced, as Zou et al.'s CBST: a threshold on the
 * confidence would take mostly the largest categories, and the confidences of 2 and of 17
 * categories are on other scales). The networks learn from every report; the calibration, the
 * fingerprints and the index hold only the labelled ones (train.ts, `labelled`), so the
 * confidences stay those of labelled reports. Pool reports that are copies of labelled ones (same
 * normal form) are left out.
 *
 * Why: reports chosen by `next` are the model's hardest, so 500 of them train it less well than
 * 500 random ones on the mode taxonomy; the surest guesses on the rest of the pool restore the easy
 * reports the chosen set lacks (README, "A new taxonomy with 200 labels").
 */
export async function selfTrainClassifier(
  rt: LazyRuntime,
  texts: readonly string[],
  labels: readonly string[],
  pool: readonly string[],
  hp: Hyperparameters,
  o: FitOptions & { poolIds?: readonly string[] },
  s: SelfTrainingSettings,
): Promise<{ classifier: Classifier; record: SelfTrainingRecord }> {
  const known = seenIn(fingerprints(texts), pool);
  const rest = pool.filter((_, i) => !known[i]);
  const restIds = o.poolIds?.filter((_, i) => !known[i]);
  const record: SelfTrainingRecord = { ...s, labelled: texts.length, pool: pool.length, copies: pool.length - rest.length, added: [] };
  let classifier = await trainClassifier(rt, texts, labels, hp, o);
  for (let round = 1; round <= s.rounds && rest.length; round++) {
    const guesses = classifier.predict(rest);
    const taken = surest(guesses, (s.share * round) / s.rounds);
    record.added.push(taken.length);
    o.log(
      `self-training, round ${round} of ${s.rounds}: ${taken.length} of ${rest.length} reports without labels learnt with the model's guess`,
    );
    classifier = await trainClassifier(
      rt,
      [...texts, ...taken.map((i) => rest[i])],
      [...labels, ...taken.map((i) => guesses[i].label)],
      hp,
      {
        ...o,
        labelled: texts.length,
        ids: o.ids && [...o.ids, ...taken.map((i) => restIds?.[i] ?? `unlabelled ${i + 1}`)],
        // A guessed report is a group of its own unless it copies another (default groups).
        groups: o.groups && [...o.groups, ...taken.map((i) => `\u0000unlabelled ${i}`)],
        others: o.others?.map((a) => ({ ...a, labels: [...a.labels, ...taken.map(() => '')] })),
      },
    );
  }
  return { classifier, record };
}

/** The rows to take: in each guessed category, the most confident `share` of its reports (rounded up), in row order. */
export function surest(guesses: readonly Prediction[], share: number): number[] {
  const byLabel = new Map<string, number[]>();
  guesses.forEach((g, i) => {
    const rows = byLabel.get(g.label);
    if (rows) rows.push(i);
    else byLabel.set(g.label, [i]);
  });
  const taken: number[] = [];
  for (const rows of byLabel.values()) {
    rows.sort((a, b) => guesses[b].confidence - guesses[a].confidence || a - b);
    taken.push(...rows.slice(0, Math.ceil(rows.length * share)));
  }
  return taken.sort((a, b) => a - b);
}
