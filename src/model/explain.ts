import type { Network } from '../nn/network.js';
import type { SparseVector } from '../nn/sparse.js';
import { priorShift } from './calibration.js';
import type { Classifier } from './classifier.js';
import { fieldOf, isTie, type Explanation, type TermContribution } from './explanation.js';

/**
 * Why a report got its label: each of its terms' exact share of each class's logit.
 *
 * For one network, a report x (TF-IDF weights x_j of vocabulary terms j) has hidden
 * pre-activations h = sum_j x_j E[j,:] + b1 and logits z = ReLU(h) W2 + b2. With the report's
 * ReLU pattern fixed (m_k = 1 where h_k > 0, else 0), z is linear in x:
 *
 *   z_c = sum_j x_j sum_k m_k E[j,k] W2[k,c]  +  (sum_k m_k b1[k] W2[k,c] + b2[c])
 *
 * so term j's contribution to class c is x_j sum_k m_k E[j,k] W2[k,c], exactly, and the bias
 * part is the rest. An ensemble's logits are its members' mean, and so are the contributions.
 * The contributions to z_a minus those to z_b thus add up, with the bias difference, to the
 * logit difference z_a - z_b: no sampling, no approximation (as a linear model's weights x
 * values, but for this report's active hidden units only).
 */
export interface LogitAttribution {
  /** The report's non-zero features: vocabulary ids and TF-IDF values (as transform gives them). */
  x: SparseVector;
  /** contributions[t * classes + c]: feature t's (t indexes x.indices) contribution to class c's logit. */
  contributions: Float64Array;
  /** Per class: the bias part of the logit (sum_k m_k b1[k] W2[k,c] + b2[c], averaged over members). */
  bias: Float64Array;
  /** Per class: the mean logit, recomputed in float64 (the sum of the contributions and the bias). */
  logits: Float64Array;
}

/** The logit attribution of one report's feature vector over an ensemble's members (see LogitAttribution). */
export function attributeLogits(networks: readonly Network[], x: SparseVector): LogitAttribution {
  const { hidden, classes } = networks[0].shape;
  const nnz = x.indices.length;
  const contributions = new Float64Array(nnz * classes);
  const bias = new Float64Array(classes);
  const h = new Float64Array(hidden);
  const share = 1 / networks.length;
  for (const net of networks) {
    const { embedding, bias1, dense, bias2 } = net.weights;
    // The hidden pre-activations, and with them the ReLU pattern.
    h.set(bias1);
    for (let t = 0; t < nnz; t++) {
      const row = x.indices[t] * hidden;
      const v = x.values[t];
      for (let k = 0; k < hidden; k++) h[k] += v * embedding[row + k];
    }
    const active: number[] = [];
    for (let k = 0; k < hidden; k++) if (h[k] > 0) active.push(k);
    for (let c = 0; c < classes; c++) {
      let b = bias2[c];
      for (const k of active) b += bias1[k] * dense[k * classes + c];
      bias[c] += share * b;
    }
    for (let t = 0; t < nnz; t++) {
      const row = x.indices[t] * hidden;
      const v = x.values[t] * share;
      const out = t * classes;
      for (const k of active) {
        const a = v * embedding[row + k];
        if (a === 0) continue;
        const w = k * classes;
        for (let c = 0; c < classes; c++) contributions[out + c] += a * dense[w + c];
      }
    }
  }
  const logits = Float64Array.from(bias);
  for (let t = 0; t < nnz; t++) for (let c = 0; c < classes; c++) logits[c] += contributions[t * classes + c];
  return { x, contributions, bias, logits };
}

/**
 * The explanation of one report, comparing `label` (class id) with `versus`, listing the
 * `top` strongest terms each way. `probs` are the report's calibrated probabilities; `shift`
 * the calibration's prior shift per class and `temperature` its temperature.
 */
export function explanationOf(
  att: LogitAttribution,
  terms: readonly string[],
  labels: readonly string[],
  probs: ArrayLike<number>,
  calibration: { temperature: number; shift: ArrayLike<number> },
  label: number,
  versus: number | undefined,
  top: number,
): Explanation {
  if (versus === undefined) return againstNone(att, terms, labels, probs, label, top);
  const classes = labels.length;
  const all: TermContribution[] = [];
  for (let t = 0; t < att.x.indices.length; t++) {
    const toLabel = att.contributions[t * classes + label];
    const toVersus = att.contributions[t * classes + versus];
    const { field, text } = fieldOf(terms[att.x.indices[t]]);
    all.push({ term: text, field, value: att.x.values[t], contribution: toLabel - toVersus, toLabel, toVersus });
  }
  const { toward, against, rest } = rankTerms(all, top);
  const difference = att.logits[label] - att.logits[versus];
  const shift = calibration.temperature * (calibration.shift[label] - calibration.shift[versus]);
  return {
    label: labels[label],
    probability: probs[label],
    versus: labels[versus],
    versusProbability: probs[versus],
    logit: att.logits[label],
    versusLogit: att.logits[versus],
    difference,
    bias: att.bias[label] - att.bias[versus],
    priorShift: shift,
    tie: isTie(difference - shift),
    toward,
    against,
    rest: { terms: rest.length, contribution: rest.reduce((s, c) => s + c.contribution, 0) },
    terms: all.length,
  };
}

/**
 * A multi-label model's label against its absence: the label's sigmoid output has its own logit
 * (probability 1/2 before calibration at 0), so each term's contribution to that logit says how
 * far it moved the label towards being suggested. `versus` reads `not <label>`, with logit 0 and
 * probability 1 minus the label's.
 */
function againstNone(
  att: LogitAttribution,
  terms: readonly string[],
  labels: readonly string[],
  probs: ArrayLike<number>,
  label: number,
  top: number,
): Explanation {
  const classes = labels.length;
  const all: TermContribution[] = [];
  for (let t = 0; t < att.x.indices.length; t++) {
    const toLabel = att.contributions[t * classes + label];
    const { field, text } = fieldOf(terms[att.x.indices[t]]);
    all.push({ term: text, field, value: att.x.values[t], contribution: toLabel, toLabel, toVersus: 0 });
  }
  const { toward, against, rest } = rankTerms(all, top);
  return {
    label: labels[label],
    probability: probs[label],
    versus: `not ${labels[label]}`,
    versusProbability: 1 - probs[label],
    logit: att.logits[label],
    versusLogit: 0,
    difference: att.logits[label],
    bias: att.bias[label],
    priorShift: 0,
    tie: isTie(att.logits[label]),
    toward,
    against,
    rest: { terms: rest.length, contribution: rest.reduce((s, c) => s + c.contribution, 0) },
    terms: all.length,
  };
}

/**
 * Why the classifier gives `text` the label `label` rather than `versus` (class ids; by default
 * the predicted label and the runner-up; `versus` defaults to the predicted label when `label`
 * is another, and `label` to the runner-up when `versus` is the predicted one):
 * every term's exact contribution to the logit difference, the `top` strongest each way.
 */
export function explainText(clf: Classifier, text: string, top: number, label?: number, versus?: number): Explanation {
  const probs = clf.probabilities([text]);
  const order = Array.from(clf.labels, (_, c) => c).sort((a, b) => probs[b] - probs[a] || a - b);
  // A multi-label model explains a label (default: the most probable) against its absence, unless asked to compare two.
  if (clf.multiLabel && versus === undefined) {
    const att = attributeLogits(clf.networks, clf.vectorizer.transform(text));
    return explanationOf(att, clf.vectorizer.terms, clf.labels, probs, { temperature: 1, shift: [] }, label ?? order[0], undefined, top);
  }
  const shift = priorShift(clf.labels, clf.training.labelCounts, clf.hp.priorCorrection);
  const explained = label ?? (versus === order[0] ? order[1] : order[0]);
  const other = versus ?? (explained === order[0] ? order[1] : order[0]);
  const att = attributeLogits(clf.networks, clf.vectorizer.transform(text));
  return explanationOf(
    att,
    clf.vectorizer.terms,
    clf.labels,
    probs,
    { temperature: clf.calibration.temperature, shift },
    explained,
    other,
    top,
  );
}

/** The `top` terms pushing most toward the label and most against it, and the rest. */
function rankTerms(all: TermContribution[], top: number) {
  const toward = all
    .filter((c) => c.contribution > 0)
    .sort((a, b) => b.contribution - a.contribution)
    .slice(0, top);
  const against = all
    .filter((c) => c.contribution < 0)
    .sort((a, b) => a.contribution - b.contribution)
    .slice(0, top);
  const listed = new Set([...toward, ...against]);
  return { toward, against, rest: all.filter((c) => !listed.has(c)) };
}
