/** One report's answer: the label, its calibrated probability, and the best labels ranked. */
export interface Prediction {
  label: string;
  confidence: number;
  top: { label: string; probability: number }[];
  /**
   * The share of the report's words and character n-grams that the model's vocabulary knows:
   * near 1 for reports like the training data, low for reports of another kind or language
   * (their answers deserve less trust). 0 for an empty report.
   */
  coverage: number;
}

/** Label, confidence and the top-k labels of each row of probabilities (and each report's vocabulary coverage, if given). */
export function decide(probs: Float32Array, labels: readonly string[], top: number, coverage?: Float32Array): Prediction[] {
  const k = labels.length;
  const n = Math.min(Math.max(1, top), k);
  const out: Prediction[] = [];
  const taken = new Uint8Array(k);
  for (let base = 0; base < probs.length; base += k) {
    const ranked = ranking(probs, base, k, n, taken).map((c) => ({ label: labels[c], probability: probs[base + c] }));
    out.push({ label: ranked[0].label, confidence: ranked[0].probability, top: ranked, coverage: coverage ? coverage[base / k] : 0 });
  }
  return out;
}

/**
 * The n most probable of the k labels of the row at `base`, most probable first, ties to the
 * lower index: the first n of the row sorted so, found by n passes rather than a sort of all k
 * (the default asks for one; a sort was 0.2 s of the x18 predict). A row holding NaN is sorted.
 */
function ranking(probs: Float32Array, base: number, k: number, n: number, taken: Uint8Array): number[] {
  const order: number[] = [];
  taken.fill(0);
  for (let t = 0; t < n; t++) {
    let best = -1;
    for (let c = 0; c < k; c++) {
      const p = probs[base + c];
      if (p !== p)
        return Array.from({ length: k }, (_, c) => c)
          .sort((a, b) => probs[base + b] - probs[base + a] || a - b)
          .slice(0, n);
      if (!taken[c] && (best < 0 || p > probs[base + best])) best = c;
    }
    taken[best] = 1;
    order.push(best);
  }
  return order;
}

/**
 * A multi-label model's answer for one report: the labels it suggests (each at or above its
 * threshold, at most one of a scope, most probable first) and every label's calibrated
 * probability. Told apart from a Prediction by its `labels` field (`'labels' in p`).
 */
export interface LabelSetPrediction {
  /** The suggested labels, most probable first (with `top`: the `top` most probable, whatever the thresholds). */
  labels: string[];
  /** Every label's probability, most probable first. */
  scores: Record<string, number>;
  /** As Prediction.coverage. */
  coverage: number;
}

/** Either model's answer: a label (single-label models) or a label set (multi-label models); `'labels' in p` tells them apart. */
export type AnyPrediction = Prediction | LabelSetPrediction;

/** True for a multi-label model's answer. */
export const isLabelSet = (p: AnyPrediction): p is LabelSetPrediction => 'labels' in p;

/** The answers of a model known to be single-label, as such (a label set among them is a bug, and thrown). */
export function singleLabelOnly(preds: readonly AnyPrediction[]): Prediction[] {
  return preds.map((p) => {
    if (isLabelSet(p)) throw new Error('a label set where one label was expected');
    return p;
  });
}
