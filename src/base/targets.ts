/**
 * What the networks are fitted to, as one object: the label set, each report's target, the soft
 * targets where several annotators' labels were combined, how the targets were made, and their
 * `kind`. Made by model/targets.ts (trainingTargets); passed whole to the network (nn/trainer.ts),
 * the cross-fitted calibration (in a worker thread too, as plain data: `Targets.from`) and autotune.
 */

/**
 * What a report's target is. `single-label`: exactly one label of the set per report (an
 * Int32Array of label indices, softmax outputs, top-label calibration, argmax decisions).
 * `multi-label`: any number of the labels per report, none included (`sets`, a reports x labels
 * 0/1 matrix; a sigmoid output and binary cross-entropy per label, per-label calibration and
 * thresholds, model/multilabel.ts). Code whose working depends on it switches on this field, and
 * on nothing else.
 */
export type TargetKind = 'single-label' | 'multi-label';

/** How a model's training targets were made, as the model records it. */
export interface TargetsSummary {
  /** `single`: one annotator's labels, one-hot; `dawid-skene`: several annotators' labels combined by Dawid-Skene EM into soft targets; `label-sets`: a tracker's label lists (multi-label). */
  method: 'single' | 'dawid-skene' | 'label-sets';
  /** The annotators, the first one's labels defining the label set. */
  annotators: string[];
  /** Dawid-Skene: each annotator's estimated accuracy (the probability that their label is the true category, over the estimated category shares). */
  accuracy?: Record<string, number>;
  /** Dawid-Skene: each annotator's estimated accuracy per category (P(they say k | the true category is k)). */
  accuracyByCategory?: Record<string, Record<string, number>>;
  /** Each pair's share of equal labels on the reports both labelled with a category of the set, keyed "a / b". */
  agreement?: Record<string, number>;
  /** How many reports each annotator labelled with a category of the set. */
  labelled?: Record<string, number>;
  /** Dawid-Skene: EM iterations, and whether the posteriors settled before the cap. */
  iterations?: number;
  converged?: boolean;
  /** Dawid-Skene: training reports whose most probable category is not the first annotator's label. */
  changed?: number;
}

/** The targets as plain data: what crosses a worker boundary (structured clone keeps the fields, not the class). */
export interface TargetsData {
  kind: TargetKind;
  /** The label set, sorted. */
  labels: readonly string[];
  /**
   * Each report's label, as an index into `labels`. Multi-label: each report's rarest label, or
   * `labels.length` for a report with none (what stratified folds and the vocabulary's class
   * statistics go by); its labels are `sets`.
   */
  y: Int32Array;
  /** Multi-label: reports x labels, 1 where the report carries the label. */
  sets?: Uint8Array;
  /** Where several annotators' labels were combined: reports x labels, each report's probability of each label (rows sum to 1). */
  soft?: Float32Array;
  summary: TargetsSummary;
  /**
   * Each report's group, where reports are copies of one another (text/duplicates.ts) or the
   * caller grouped them: folds (model/folds.ts) keep a group's reports in one fold.
   */
  groups?: Int32Array;
}

export class Targets implements TargetsData {
  readonly kind: TargetKind;
  readonly labels: readonly string[];
  readonly y: Int32Array;
  readonly soft?: Float32Array;
  readonly sets?: Uint8Array;
  readonly summary: TargetsSummary;
  readonly groups?: Int32Array;

  constructor(d: TargetsData) {
    this.kind = d.kind;
    this.labels = d.labels;
    this.y = d.y;
    this.soft = d.soft;
    if (d.sets) this.sets = d.sets;
    this.summary = d.summary;
    if (d.groups) this.groups = d.groups;
  }

  /** Targets again from their plain data (as a worker receives them); the same object if it is one already. */
  static from(d: TargetsData): Targets {
    return d instanceof Targets ? d : new Targets(d);
  }

  /** Reports. */
  get size(): number {
    return this.y.length;
  }

  /** The targets of reports `rows`, in that order: the same label set, kind and summary (and their groups). */
  subset(rows: readonly number[]): Targets {
    const k = this.labels.length;
    const soft = this.soft;
    let rowsOfSoft: Float32Array | undefined;
    if (soft) {
      rowsOfSoft = new Float32Array(rows.length * k);
      rows.forEach((i, r) => rowsOfSoft!.set(soft.subarray(i * k, (i + 1) * k), r * k));
    }
    let rowsOfSets: Uint8Array | undefined;
    if (this.sets) {
      const sets = this.sets;
      rowsOfSets = new Uint8Array(rows.length * k);
      rows.forEach((i, r) => rowsOfSets!.set(sets.subarray(i * k, (i + 1) * k), r * k));
    }
    const groups = this.groups && Int32Array.from(rows, (i) => this.groups![i]);
    return new Targets({
      ...this.data(),
      y: Int32Array.from(rows, (i) => this.y[i]),
      soft: rowsOfSoft,
      ...(rowsOfSets ? { sets: rowsOfSets } : {}),
      groups,
    });
  }

  /** How many reports have each label, by name (multi-label: how many carry it). */
  labelCounts(): Record<string, number> {
    const counts: Record<string, number> = Object.fromEntries(this.labels.map((l) => [l, 0]));
    switch (this.kind) {
      case 'single-label':
        for (const c of this.y) counts[this.labels[c]]++;
        break;
      case 'multi-label': {
        const k = this.labels.length;
        this.sets!.forEach((v, j) => (counts[this.labels[j % k]] += v));
        break;
      }
    }
    return counts;
  }

  /**
   * Each report's training weight: label weights (n / (labels x n_l)) ^ power count each label's
   * reports; with soft targets, n_l is the label's soft count (the sum of its probabilities) and a
   * report's weight is its targets' mean label weight: a report the annotators split between two
   * labels counts half in each, as the networks are asked to fit it. One-hot targets give the
   * hard counts and weights exactly.
   */
  sampleWeights(power: number): Float32Array {
    // Multi-label: each label's own loss is weighed by its per-label threshold later, not here.
    if (this.kind === 'multi-label') return new Float32Array(this.y.length).fill(1);
    const { y, soft } = this;
    const k = this.labels.length;
    const counts = new Float64Array(k);
    if (soft) soft.forEach((p, j) => (counts[j % k] += p));
    else for (const c of y) counts[c]++;
    const weightOf = Float64Array.from(counts, (n) => (n > 0 ? (y.length / (k * n)) ** power : 0));
    return soft
      ? Float32Array.from(y, (_, i) => weightOf.reduce((s, w, c) => s + w * soft[i * k + c], 0))
      : Float32Array.from(y, (c) => weightOf[c]);
  }

  /** The plain data, for a worker message. */
  data(): TargetsData {
    const { kind, labels, y, soft, sets, summary, groups } = this;
    return { kind, labels, y, ...(soft ? { soft } : {}), ...(sets ? { sets } : {}), summary, ...(groups ? { groups } : {}) };
  }
}
