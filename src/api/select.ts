import { DataError, UsageError } from '../base/errors.js';
import { checkOptions, type OptionKeys } from '../base/options.js';
import { fingerprintOf } from '../model/fingerprint.js';
import { acquire } from '../model/acquisition.js';
import { isBlank } from '../text/normalize.js';
import type { Reports } from '../io/reports.js';
import { train, type LabelledReport, type Model, type Prediction, type TrainingData, type TrainOptions } from './model.js';

/** How a model's doubt about a report is measured. */
export type Uncertainty = 'margin' | 'entropy';
export const UNCERTAINTIES: readonly Uncertainty[] = ['margin', 'entropy'];

export interface SelectOptions {
  /** How many reports to propose (default 20). */
  n?: number;
  /** The current model: its doubt about each report ranks them. Without it (and without labelled reports) the proposal is a diverse seed set. */
  model?: Model;
  /**
   * The reports labelled so far: never proposed again (by id and by text), and the proposals
   * are kept unlike them. Without `model`, a model is trained on them with `train` (options in
   * `trainOptions`) when they hold two labels or more.
   */
  labelled?: TrainingData;
  /** The options of that training (default: the defaults, quietly). */
  trainOptions?: TrainOptions;
  /** `margin` (default): 1 - (best probability - second best); `entropy`: the probabilities' entropy over its maximum. */
  uncertainty?: Uncertainty;
  /** Weight of the redundancy penalty, the exponent of (1 - the highest cosine to a labelled or chosen report); 0 ignores it (default 1). */
  diversity?: number;
  /** Weight of each report's density, the exponent of its mean cosine to the pool; 0 ignores it (default 1). */
  density?: number;
  /**
   * The share of the proposals drawn at random from the pool rather than ranked, spread evenly
   * through the ranks, when a model ranks them (default 0.5; 0 ranks every one by doubt). Reports
   * chosen by doubt alone are a biased sample: those the model cannot yet tell apart, whose labels
   * the rest of the labels contradict more often (mode taxonomy: 28 % of them, 22 % of the pool).
   * In the simulated learning curves (README,
   * "A new taxonomy with 200 labels") half drawn at random did better than all ranked on the mode
   * taxonomy from 150 labels to 500, and on the 17 categories' macro-F1 from 150 to 500 but at 200.
   */
  explore?: number;
  /** Seed of the density's sample and of the random draws (default 1). */
  seed?: number;
}

/** SelectOptions's keys (base/options.ts). */
export const SELECT_OPTIONS: OptionKeys<SelectOptions> = {
  n: true,
  model: true,
  labelled: true,
  trainOptions: true,
  uncertainty: true,
  diversity: true,
  density: true,
  explore: true,
  seed: true,
};

/** One report proposed for labelling. */
export interface LabellingSuggestion {
  id: string;
  text: string;
  /** 1 for the first to label. */
  rank: number;
  /** Why it is proposed: ranked by the model's doubt, drawn at random (SelectOptions.explore), or ranked as a seed set (no model). */
  picked: 'doubt' | 'random' | 'seed';
  /** What ranked it: uncertainty x density^density x (1 - similarity)^diversity at the step it was chosen; null when drawn at random. */
  score: number | null;
  /** The model's doubt (0 sure, 1 none the wiser); null without a model. */
  uncertainty: number | null;
  /** The model's guess and its probability; null without a model. */
  guess: string | null;
  probability: number | null;
  /** Every label's probability, best first ([] without a model). */
  scores: { label: string; probability: number }[];
  /** Its highest cosine similarity to a labelled report or to one proposed before it. */
  similarity: number;
  /** Its mean cosine similarity to the pool (0 when density is not weighed). */
  density: number;
}

/** The proposal, and what was left out of the pool and why. */
export interface Selection {
  suggestions: LabellingSuggestion[];
  /** Reports in the pool. */
  pool: number;
  /** Left out: labelled already (by id, by text, or the model's training reports), the same text twice, empty or unreadable. */
  excluded: { labelled: number; duplicates: number; empty: number };
  /** How they were ranked: 'uncertainty' (a model's doubt) or 'seed' (no model: diversity and density alone). */
  strategy: 'uncertainty' | 'seed';
}

/** A pool of reports: as readReports or readAllReports give them, texts, or objects with an id. */
export type Pool = Reports | readonly string[] | readonly { id?: string; text: string }[];

function poolOf(pool: Pool): { ids: string[]; texts: string[]; errors?: (string | undefined)[] } {
  if (Array.isArray(pool)) {
    return {
      ids: pool.map((r: string | { id?: string }, i: number) =>
        typeof r === 'string' || r.id === undefined ? String(i + 1) : String(r.id),
      ),
      texts: pool.map((r: string | { text: string }, i: number) => {
        const t = typeof r === 'string' ? r : r?.text;
        if (typeof t !== 'string') throw new DataError(`pool report ${i + 1} has no text`, { code: 'NOT_TEXT' });
        return t;
      }),
    };
  }
  const r = pool as Reports;
  if (!r || !Array.isArray(r.texts))
    throw new UsageError("the pool is not reports: give readAllReports's reports, texts, or {id, text} objects");
  return { ids: r.ids, texts: r.texts, errors: r.errors };
}

function labelledOf(data: TrainingData): { ids: (string | undefined)[]; texts: string[]; labels: string[] } {
  if (Array.isArray(data)) {
    const list = data as readonly LabelledReport[];
    return { ids: list.map((r) => r.id), texts: list.map((r) => r.text), labels: list.map((r) => r.label) };
  }
  const r = data as Reports;
  return { ids: r.ids ?? [], texts: r.texts, labels: r.labels ?? [] };
}

/**
 * The reports of `pool` to label next, best first: those whose labels would teach the model
 * most, ranked by the model's doubt (the calibrated probabilities of its averaged networks)
 * weighed against redundancy, so that the proposals are not near-copies of one another nor of
 * the labelled reports (model/acquisition.ts); a share of them (`explore`) drawn at random from
 * the pool. With no model and no labels, a diverse seed set of typical reports. A report already
 * labelled (its id or its text among `labelled`, or its text among the model's training reports)
 * is never proposed, nor a second copy of one text.
 */
export async function selectForLabelling(pool: Pool, options: SelectOptions = {}): Promise<Selection> {
  checkOptions('selectForLabelling', options, SELECT_OPTIONS);
  const { n = 20, uncertainty = 'margin', diversity = 1, density = 1, explore = 0.5, seed = 1 } = options;
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`n is ${n}: expected an integer from 1 up`);
  if (!UNCERTAINTIES.includes(uncertainty))
    throw new UsageError(`uncertainty is ${JSON.stringify(uncertainty)}: expected ${UNCERTAINTIES.join(' or ')}`);
  for (const [name, x] of [
    ['diversity', diversity],
    ['density', density],
  ] as const)
    if (!(x >= 0 && x <= 10)) throw new UsageError(`${name} is ${x}: expected a number from 0 to 10`);
  if (!(explore >= 0 && explore <= 1)) throw new UsageError(`explore is ${explore}: expected a share from 0 to 1`);
  const { ids, texts, errors } = poolOf(pool);
  const labelled = options.labelled ? labelledOf(options.labelled) : { ids: [], texts: [], labels: [] };
  let model = options.model;
  if (!model && new Set(labelled.labels.filter((l) => l !== '')).size >= 2) {
    const keep = labelled.labels.map((l, i) => (l !== '' ? i : -1)).filter((i) => i >= 0);
    model = await train(
      keep.map((i) => ({ text: labelled.texts[i], label: labelled.labels[i] })),
      options.trainOptions,
    );
  }
  // Who is left out: labelled already, a text seen before in the pool, empty or unreadable.
  const labelledIds = new Set(labelled.ids.filter((x): x is string => x !== undefined));
  const labelledTexts = new Set(labelled.texts.map(fingerprintOf));
  const trained = model ? model.trainedOn(texts) : texts.map(() => false);
  const seen = new Set<bigint>();
  const excluded = { labelled: 0, duplicates: 0, empty: 0 };
  const candidates: number[] = [];
  texts.forEach((t, i) => {
    if (errors?.[i] !== undefined || isBlank(t)) return void excluded.empty++;
    const f = fingerprintOf(t);
    if (labelledIds.has(ids[i]) || labelledTexts.has(f) || trained[i]) return void excluded.labelled++;
    if (seen.has(f)) return void excluded.duplicates++;
    seen.add(f);
    candidates.push(i);
  });
  const candidateTexts = candidates.map((i) => texts[i]);
  if (model?.kind === 'multi-label')
    throw new UsageError("selectForLabelling ranks reports by a single-label model's doubt: give a model of one label a report, or none");
  const predictions = model ? (model.predict(candidateTexts, { top: model.labels.length }) as Prediction[]) : undefined;
  const doubt = predictions?.map((p) => doubtOf(p.top, uncertainty));
  const chosen = acquire(candidateTexts, doubt, labelled.texts, {
    n,
    diversity,
    densityWeight: density,
    seed,
    explore: model ? explore : 0,
  });
  const suggestions = chosen.map((c, k): LabellingSuggestion => {
    const p = predictions?.[c.index];
    return {
      id: ids[candidates[c.index]],
      text: candidateTexts[c.index],
      rank: k + 1,
      picked: c.random ? 'random' : model ? 'doubt' : 'seed',
      score: c.random ? null : c.score,
      uncertainty: doubt ? doubt[c.index] : null,
      guess: p ? p.label : null,
      probability: p ? p.confidence : null,
      scores: p ? p.top.map((t) => ({ label: t.label, probability: t.probability })) : [],
      similarity: c.similarity,
      density: c.density,
    };
  });
  return { suggestions, pool: texts.length, excluded, strategy: model ? 'uncertainty' : 'seed' };
}

/** A prediction's doubt from 0 (sure) to 1: 1 - the margin between the two best labels, or the entropy over its maximum. */
export function doubtOf(ranked: readonly { probability: number }[], how: Uncertainty): number {
  if (ranked.length < 2) return 0;
  if (how === 'margin') return 1 - (ranked[0].probability - ranked[1].probability);
  let h = 0;
  for (const { probability: p } of ranked) if (p > 0) h -= p * Math.log(p);
  return h / Math.log(ranked.length);
}
