import { labelSweep, type LabelPoint, type SweepPoint } from '../model/multilabel.js';
import type { LabelSetPrediction } from '../model/prediction.js';

/** One label's scores on labelled reports: at its threshold, and its sweep. */
export interface LabelScores {
  precision: number;
  recall: number;
  f1: number;
  /** Reports that carry it. */
  support: number;
  /** Reports it was suggested for. */
  suggested: number;
  /** The model's threshold for it (null: never suggested). */
  threshold: number | null;
}

/**
 * A multi-label model scored on reports' label sets. Only the model's labels count: a report's
 * other labels (excluded, or too rare to learn) are neither hits nor misses, as the anchors score
 * (anchors_multilabel.py). micro: precision, recall and F1 over every (report, label) pair;
 * macro_f1: the mean of the labels' F1 (0 for a label neither carried nor suggested); p_at_1: the
 * share of the reports carrying one of the labels whose most probable label is one of theirs.
 */
export interface LabelSetEvaluation {
  kind: 'multi-label';
  /** Reports scored, and how many carry at least one of the model's labels. */
  n: number;
  labelled: number;
  micro: { precision: number; recall: number; f1: number };
  macro_f1: number;
  p_at_1: number;
  /** The share of the reports given at least one label. */
  answered: number;
  per_label: Record<string, LabelScores>;
  /** Each label's precision, recall and share of reports suggested it, at thresholds 0.05 to 0.95 (SWEEP_THRESHOLDS). */
  sweep: Record<string, SweepPoint[]>;
  /** Labels too rare to learn (the model's card), with their training counts. */
  needs_more_data: Record<string, number>;
  /** Labels no threshold suited out of fold (the model's minPrecision, or better than chance), never suggested. */
  unreachable: string[];
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;
const f1Of = (p: number, r: number) => (p + r > 0 ? (2 * p * r) / (p + r) : 0);

/** The scores of predictions (one per report, in order) against the reports' label lists. */
export function scoreLabelSets(
  truth: readonly (readonly string[])[],
  preds: readonly LabelSetPrediction[],
  labels: readonly string[],
  model: {
    points?: Readonly<Record<string, LabelPoint>>;
    needsMoreData?: Readonly<Record<string, number>>;
    unreachable?: readonly string[];
  } = {},
): LabelSetEvaluation {
  if (truth.length !== preds.length) throw new Error(`${truth.length} reports but ${preds.length} predictions`);
  const k = labels.length;
  const n = truth.length;
  const index = new Map(labels.map((l, c) => [l, c]));
  const sets = new Uint8Array(n * k);
  const probs = new Float32Array(n * k);
  const tp = new Float64Array(k);
  const fp = new Float64Array(k);
  const support = new Float64Array(k);
  let labelled = 0;
  let atOne = 0;
  let answered = 0;
  truth.forEach((list, i) => {
    for (const l of list) {
      const c = index.get(l);
      if (c !== undefined) sets[i * k + c] = 1;
    }
    const p = preds[i];
    labels.forEach((l, c) => (probs[i * k + c] = p.scores[l] ?? 0));
    let carries = false;
    for (let c = 0; c < k; c++) {
      support[c] += sets[i * k + c];
      if (sets[i * k + c]) carries = true;
    }
    const suggested = new Set(p.labels.filter((l) => index.has(l)));
    if (suggested.size) answered++;
    for (const l of suggested) {
      const c = index.get(l)!;
      if (sets[i * k + c]) tp[c]++;
      else fp[c]++;
    }
    if (carries) {
      labelled++;
      let best = 0;
      for (let c = 1; c < k; c++) if (probs[i * k + c] > probs[i * k + best]) best = c;
      if (sets[i * k + best]) atOne++;
    }
  });
  const per_label: Record<string, LabelScores> = {};
  const sweep: Record<string, SweepPoint[]> = {};
  let f1Sum = 0;
  labels.forEach((l, c) => {
    const precision = tp[c] + fp[c] ? tp[c] / (tp[c] + fp[c]) : 0;
    const recall = support[c] ? tp[c] / support[c] : 0;
    const f1 = f1Of(precision, recall);
    f1Sum += f1;
    per_label[l] = {
      precision: round4(precision),
      recall: round4(recall),
      f1: round4(f1),
      support: support[c],
      suggested: tp[c] + fp[c],
      threshold: model.points?.[l]?.threshold ?? null,
    };
    sweep[l] = labelSweep(probs, sets, k, c);
  });
  const TP = tp.reduce((a, b) => a + b, 0);
  const FP = fp.reduce((a, b) => a + b, 0);
  const S = support.reduce((a, b) => a + b, 0);
  const precision = TP + FP ? TP / (TP + FP) : 0;
  const recall = S ? TP / S : 0;
  return {
    kind: 'multi-label',
    n,
    labelled,
    micro: { precision: round4(precision), recall: round4(recall), f1: round4(f1Of(precision, recall)) },
    macro_f1: round4(k ? f1Sum / k : 0),
    p_at_1: round4(labelled ? atOne / labelled : 0),
    answered: round4(n ? answered / n : 0),
    per_label,
    sweep,
    needs_more_data: { ...(model.needsMoreData ?? {}) },
    unreachable: [...(model.unreachable ?? [])],
  };
}
