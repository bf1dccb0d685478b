/**
 * Dawid and Skene's estimator (1979) of the true categories of items labelled by several
 * annotators of unequal and category-dependent reliability. Each annotator j has a confusion
 * matrix pi_j[k][l] = P(j says l | the true category is k), the categories have priors p_k,
 * and the annotators err independently given the true category. EM alternates:
 * - E-step: each report's posterior over the true category,
 *   T_ik proportional to p_k * prod_j pi_j[k][label_ij] (over the annotators who labelled it);
 * - M-step: priors and confusion matrices from the posteriors' expected counts, with a little
 *   additive smoothing, so that a category an annotator never used keeps a small probability.
 * Initialised from the soft vote (each report's share of votes per category), it stops when an
 * iteration raises the log-likelihood of the votes by less than `tolerance` of its size, or
 * after `maxIterations`. (With two annotators the likelihood has a long, nearly flat ridge, on
 * which the posteriors drift for hundreds of iterations while the likelihood gains a few parts
 * in a million: on the QEMU corpus's two annotators, it gains 0.02 % in the first 20 iterations
 * and 0.006 % in the next 980.) Plain arithmetic in a fixed order: the same votes give the
 * same result.
 */

/** How the EM runs: its iteration cap, its convergence tolerance and its smoothing. */
export interface DawidSkeneOptions {
  /** Most EM iterations (default 200). */
  maxIterations?: number;
  /** Stop once an iteration raises the log-likelihood by less than this fraction of it (default 1e-6). */
  tolerance?: number;
  /** Pseudo-count added to every cell of every confusion matrix (default 0.01). */
  smoothing?: number;
}

/** What the EM estimated. */
export interface DawidSkeneFit {
  /** reports x classes: each report's posterior probability of each true category (rows sum to 1). */
  posterior: Float64Array;
  /** One per annotator, classes x classes, row-major: [k * classes + l] = P(the annotator says l | true category k). */
  confusion: Float64Array[];
  /** The estimated share of each true category. */
  prior: Float64Array;
  /** EM iterations run. */
  iterations: number;
  /** True if the log-likelihood settled within the tolerance before the iteration cap. */
  converged: boolean;
}

/**
 * Fits Dawid-Skene to `votes`: one Int32Array per annotator, one class id per report
 * (0..classes-1, or -1 where that annotator gave no label of the set). A report nobody labelled
 * gets the prior as its posterior.
 */
export function dawidSkene(votes: readonly Int32Array[], classes: number, options: DawidSkeneOptions = {}): DawidSkeneFit {
  const { maxIterations = 200, tolerance = 1e-6, smoothing = 0.01 } = options;
  const n = votes[0]?.length ?? 0;
  const J = votes.length;
  const K = classes;
  const T = new Float64Array(n * K);
  // The soft vote: each report's votes per category, normalised (uniform where nobody voted).
  for (let i = 0; i < n; i++) {
    let total = 0;
    for (let j = 0; j < J; j++) {
      const v = votes[j][i];
      if (v >= 0) {
        T[i * K + v] += 1;
        total++;
      }
    }
    for (let k = 0; k < K; k++) T[i * K + k] = total ? T[i * K + k] / total : 1 / K;
  }
  const prior = new Float64Array(K);
  const confusion = Array.from({ length: J }, () => new Float64Array(K * K));
  const logPi = Array.from({ length: J }, () => new Float64Array(K * K));
  const logPost = new Float64Array(K);
  let iterations = 0;
  let converged = false;
  let previous = -Infinity;
  while (iterations < maxIterations) {
    iterations++;
    // M-step: priors and confusion matrices from the posteriors' expected counts.
    prior.fill(0);
    for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) prior[k] += T[i * K + k];
    for (let k = 0; k < K; k++) prior[k] = (prior[k] + 1) / (n + K);
    for (let j = 0; j < J; j++) {
      const pi = confusion[j];
      pi.fill(smoothing);
      const v = votes[j];
      for (let i = 0; i < n; i++) if (v[i] >= 0) for (let k = 0; k < K; k++) pi[k * K + v[i]] += T[i * K + k];
      for (let k = 0; k < K; k++) {
        let row = 0;
        for (let l = 0; l < K; l++) row += pi[k * K + l];
        for (let l = 0; l < K; l++) {
          pi[k * K + l] /= row;
          logPi[j][k * K + l] = Math.log(pi[k * K + l]);
        }
      }
    }
    // E-step: each report's posterior, in log space.
    let ll = 0;
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      for (let k = 0; k < K; k++) {
        let s = Math.log(prior[k]);
        for (let j = 0; j < J; j++) {
          const l = votes[j][i];
          if (l >= 0) s += logPi[j][k * K + l];
        }
        logPost[k] = s;
        if (s > max) max = s;
      }
      let sum = 0;
      for (let k = 0; k < K; k++) {
        logPost[k] = Math.exp(logPost[k] - max);
        sum += logPost[k];
      }
      ll += max + Math.log(sum);
      for (let k = 0; k < K; k++) T[i * K + k] = logPost[k] / sum;
    }
    if (iterations > 1 && ll - previous <= tolerance * Math.abs(ll)) {
      converged = true;
      break;
    }
    previous = ll;
  }
  return { posterior: T, confusion, prior, iterations, converged };
}
