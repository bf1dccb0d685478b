/**
 * Confident learning (Northcutt, Jiang and Chuang, "Confident Learning: Estimating Uncertainty
 * in Dataset Labels", JAIR 2021; as cleanlab implements it): which given labels are likely
 * wrong, from out-of-fold predicted probabilities.
 *
 * - Each class j's threshold t_j is the mean probability of j over the reports labelled j: the
 *   class's typical self-confidence (rare or hard classes get lower bars).
 * - A report "confidently belongs" to the classes whose probability reaches their threshold;
 *   of those, to the most probable one (j*). The confident joint C[given][j*] counts reports
 *   by their given label and j*; reports above no threshold are not counted.
 * - A report is a likely label error (an issue) when j* exists and is not its given label.
 * - The joint, calibrated so that each row sums to the class's report count, estimates how many
 *   reports of each given label truly belong elsewhere (its off-diagonal row sum).
 * - Reports are ranked by a label-quality score, lowest first: issues, then the others.
 */

/** How reports are ranked (cleanlab's rank_by): the self-confidence p_given, or the normalized margin p_given - max other p. */
export const RANKINGS = ['self-confidence', 'normalized-margin'] as const;
export type Ranking = (typeof RANKINGS)[number];

export interface ConfidentLearning {
  /** Per class: the mean probability of the class over the reports labelled with it. */
  thresholds: Float64Array;
  /** Per report: whether its given label is likely wrong. */
  issue: Uint8Array;
  /** Per report: the class it confidently belongs to if it is an issue, else the most probable class other than its given one. */
  suggested: Int32Array;
  /** Per report: its label quality (lower: more likely wrong): the ranking's score of its given label. */
  score: Float64Array;
  /** Per report: p_given - max over other classes of p (negative: another class is more probable). */
  margin: Float64Array;
  /** The report indices, most likely wrong first: issues by score, then the others by score. */
  order: Int32Array;
  /** confident[given][j]: reports labelled `given` that confidently belong to j. */
  confident: number[][];
  /** Per given class: how many of its reports are estimated to belong elsewhere (the calibrated joint's off-diagonal row sum). */
  estimatedWrong: Float64Array;
}

/** Confident learning on out-of-fold probabilities `probs` (n x classes, rows summing to 1) and given class ids `y`. */
export function confidentLearning(
  probs: ArrayLike<number>,
  y: Int32Array,
  classes: number,
  ranking: Ranking = 'self-confidence',
): ConfidentLearning {
  const n = y.length;
  if (probs.length !== n * classes)
    throw new Error(`confidentLearning: ${probs.length} probabilities for ${n} reports x ${classes} classes`);
  const p = (i: number, j: number) => probs[i * classes + j];
  const count = new Float64Array(classes);
  const thresholds = new Float64Array(classes);
  for (let i = 0; i < n; i++) {
    count[y[i]]++;
    thresholds[y[i]] += p(i, y[i]);
  }
  // A class nobody was given can never be confidently chosen.
  for (let j = 0; j < classes; j++) thresholds[j] = count[j] > 0 ? thresholds[j] / count[j] : Infinity;

  const confident = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const issue = new Uint8Array(n);
  const suggested = new Int32Array(n);
  const score = new Float64Array(n);
  const margin = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let star = -1;
    let other = -1;
    for (let j = 0; j < classes; j++) {
      if (p(i, j) >= thresholds[j] && (star < 0 || p(i, j) > p(i, star))) star = j;
      if (j !== y[i] && (other < 0 || p(i, j) > p(i, other))) other = j;
    }
    if (star >= 0) confident[y[i]][star]++;
    issue[i] = star >= 0 && star !== y[i] ? 1 : 0;
    suggested[i] = issue[i] ? star : other;
    margin[i] = p(i, y[i]) - (other >= 0 ? p(i, other) : 0);
    score[i] = ranking === 'self-confidence' ? p(i, y[i]) : margin[i];
  }
  const order = Int32Array.from(Array.from({ length: n }, (_, i) => i).sort((a, b) => issue[b] - issue[a] || score[a] - score[b] || a - b));

  // Calibrated joint: each row rescaled to its class's report count (cleanlab's calibrate_confident_joint).
  const estimatedWrong = new Float64Array(classes);
  for (let g = 0; g < classes; g++) {
    const row = confident[g].reduce((a, b) => a + b, 0);
    if (row === 0) continue;
    estimatedWrong[g] = ((row - confident[g][g]) / row) * count[g];
  }
  return { thresholds, issue, suggested, score, margin, order, confident, estimatedWrong };
}
