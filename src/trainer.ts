import type * as TF from '@tensorflow/tfjs-core';
import type { Hyperparameters } from './args.js';
import { embedBag, Network, type NetworkShape } from './network.js';
import { Rng } from './rng.js';
import type { Tf } from './tf.js';
import type { SparseVector } from './vectorizer.js';

export type TrainConfig = Pick<
  Hyperparameters,
  'seed' | 'hidden' | 'dropout' | 'inputDropout' | 'weightDecay' | 'epochs' | 'batchSize' | 'learningRate' | 'labelSmoothing'
>;

export interface EpochReport {
  epoch: number;
  epochs: number;
  loss: number;
  seconds: number;
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

/**
 * Adam for the embedding, updating only the rows a batch touched ("lazy" Adam, as
 * PyTorch's SparseAdam and TensorFlow's LazyAdam): each step costs in proportion to the
 * batch's non-zero features, never to the vocabulary size.
 */
class SparseAdam {
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private readonly grad: Float32Array;
  private readonly touched: Uint8Array;
  private readonly rows: number[] = [];
  private step = 0;

  constructor(
    private readonly weights: Float32Array,
    private readonly width: number,
    private readonly learningRate: number,
    private readonly weightDecay: number,
  ) {
    this.m = new Float32Array(weights.length);
    this.v = new Float32Array(weights.length);
    this.grad = new Float32Array(weights.length);
    this.touched = new Uint8Array(weights.length / width);
  }

  /** Accumulates d(loss)/d(row) = value * d(loss)/d(hidden) for every feature of every report. */
  accumulate(rows: readonly SparseVector[], dHidden: Float32Array): void {
    const { grad, touched, rows: ids, width } = this;
    for (let b = 0; b < rows.length; b++) {
      const { indices, values } = rows[b];
      const base = b * width;
      for (let k = 0; k < indices.length; k++) {
        const id = indices[k];
        if (touched[id] === 0) {
          touched[id] = 1;
          ids.push(id);
        }
        const off = id * width;
        const v = values[k];
        for (let h = 0; h < width; h++) grad[off + h] += v * dHidden[base + h];
      }
    }
  }

  apply(): void {
    this.step++;
    const lr = (this.learningRate * Math.sqrt(1 - BETA2 ** this.step)) / (1 - BETA1 ** this.step);
    const { m, v, grad, weights, width, touched, rows } = this;
    const keep = 1 - this.learningRate * this.weightDecay;
    for (let r = 0; r < rows.length; r++) {
      const id = rows[r];
      const end = (id + 1) * width;
      for (let i = id * width; i < end; i++) {
        const g = grad[i];
        const mi = BETA1 * m[i] + (1 - BETA1) * g;
        const vi = BETA2 * v[i] + (1 - BETA2) * g * g;
        m[i] = mi;
        v[i] = vi;
        weights[i] = weights[i] * keep - (lr * mi) / (Math.sqrt(vi) + EPSILON);
        grad[i] = 0;
      }
      touched[id] = 0;
    }
    rows.length = 0;
  }
}

/**
 * Fits a Network by minimising weighted, label-smoothed softmax cross-entropy.
 * The head's gradients come from TensorFlow.js autodiff (tf.valueAndGrads) and its Adam
 * optimizer; the gradient with respect to the hidden pre-activations is handed to SparseAdam.
 * Deterministic: initialisation, batch order and dropout masks all derive from `cfg.seed`.
 */
export function trainNetwork(
  tf: Tf,
  x: readonly SparseVector[],
  y: Int32Array,
  sampleWeight: Float32Array,
  shape: NetworkShape,
  cfg: TrainConfig,
  onEpoch?: (r: EpochReport) => void,
): Network {
  const rng = new Rng(cfg.seed);
  const net = Network.init(shape, rng);
  const { hidden, classes } = shape;
  const sparse = new SparseAdam(net.weights.embedding, hidden, cfg.learningRate, cfg.weightDecay);
  const bias1 = tf.variable(tf.tensor1d(net.weights.bias1));
  const dense = tf.variable(tf.tensor2d(net.weights.dense, [hidden, classes]));
  const bias2 = tf.variable(tf.tensor1d(net.weights.bias2));
  const optimizer = tf.train.adam(cfg.learningRate, BETA1, BETA2, EPSILON);
  const on = 1 - cfg.labelSmoothing + cfg.labelSmoothing / classes;
  const off = cfg.labelSmoothing / classes;

  const lossOf = (h: TF.Tensor, b1: TF.Tensor, w2: TF.Tensor, b2: TF.Tensor, target: TF.Tensor, weight: TF.Tensor, seed: number) => {
    let a = tf.relu(tf.add(h, b1));
    if (cfg.dropout > 0) a = tf.dropout(a, cfg.dropout, undefined, seed);
    const logits = tf.add(tf.matMul(a, w2), b2);
    const nll = tf.neg(tf.sum(tf.mul(target, tf.logSoftmax(logits)), 1));
    return tf.div(tf.sum(tf.mul(nll, weight)), tf.sum(weight)) as TF.Scalar;
  };

  try {
    const order = Array.from(x, (_, i) => i);
    for (let epoch = 1; epoch <= cfg.epochs; epoch++) {
      const started = performance.now();
      rng.shuffle(order);
      let lossSum = 0;
      let batches = 0;
      for (let start = 0; start < order.length; start += cfg.batchSize) {
        const ids = order.slice(start, start + cfg.batchSize);
        const rows = ids.map((i) => (cfg.inputDropout > 0 ? dropFeatures(x[i], cfg.inputDropout, rng) : x[i]));
        const pre = embedBag(rows, net.weights.embedding, hidden);
        const target = new Float32Array(ids.length * classes).fill(off);
        ids.forEach((i, b) => (target[b * classes + y[i]] = on));
        const weight = Float32Array.from(ids, (i) => sampleWeight[i]);
        const seed = rng.int(2 ** 31);
        const [loss, dHidden] = tf.tidy(() => {
          const h = tf.tensor2d(pre, [ids.length, hidden]);
          const t = tf.tensor2d(target, [ids.length, classes]);
          const w = tf.tensor1d(weight);
          const { value, grads } = tf.valueAndGrads((hh: TF.Tensor, b1: TF.Tensor, w2: TF.Tensor, b2: TF.Tensor) =>
            lossOf(hh, b1, w2, b2, t, w, seed),
          )([h, bias1, dense, bias2]);
          optimizer.applyGradients([
            { name: bias1.name, tensor: grads[1] },
            { name: dense.name, tensor: grads[2] },
            { name: bias2.name, tensor: grads[3] },
          ]);
          return [value.dataSync()[0], grads[0].dataSync() as Float32Array] as const;
        });
        sparse.accumulate(rows, dHidden);
        sparse.apply();
        lossSum += loss;
        batches++;
      }
      onEpoch?.({ epoch, epochs: cfg.epochs, loss: lossSum / Math.max(1, batches), seconds: (performance.now() - started) / 1000 });
    }
    net.weights.bias1.set(bias1.dataSync() as Float32Array);
    net.weights.dense.set(dense.dataSync() as Float32Array);
    net.weights.bias2.set(bias2.dataSync() as Float32Array);
    return net;
  } finally {
    tf.dispose([bias1, dense, bias2]);
    optimizer.dispose();
  }
}


/** Feature dropout: each non-zero feature is kept with probability 1 - rate, and scaled by 1 / (1 - rate). */
function dropFeatures(row: SparseVector, rate: number, rng: Rng): SparseVector {
  const indices: number[] = [];
  const values: number[] = [];
  const scale = 1 / (1 - rate);
  for (let k = 0; k < row.indices.length; k++) {
    if (rng.next() >= rate) {
      indices.push(row.indices[k]);
      values.push(row.values[k] * scale);
    }
  }
  return { indices: Int32Array.from(indices), values: Float32Array.from(values) };
}
