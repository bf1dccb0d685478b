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
  const out: Prediction[] = [];
  for (let base = 0; base < probs.length; base += k) {
    const order = Array.from(labels, (_, c) => c).sort((a, b) => probs[base + b] - probs[base + a] || a - b);
    const ranked = order.slice(0, Math.max(1, top)).map((c) => ({ label: labels[c], probability: probs[base + c] }));
    out.push({ label: ranked[0].label, confidence: ranked[0].probability, top: ranked, coverage: coverage ? coverage[base / k] : 0 });
  }
  return out;
}
