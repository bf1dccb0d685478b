import type * as TF from '@tensorflow/tfjs-core';
import type { Rng } from '../base/rng.js';
import type { Runtime, Tf } from './backend.js';
import type { KernelChoice } from './choices.js';
import { sparseLayer, type SparseLayer } from './kernels.js';
import type { SparseVector } from './sparse.js';

/**
 * The network: sparse TF-IDF input -> hidden layer (ReLU) -> one logit per category.
 *
 * The first layer is an "embedding bag": a report's hidden pre-activation is the sum of the
 * rows of `embedding` for its non-zero features, each scaled by its TF-IDF weight. It costs
 * nnz x hidden, not vocabulary x hidden, and runs in WebAssembly SIMD kernels (kernels.ts);
 * the dense head (bias, ReLU, output layer, softmax) runs on TensorFlow.js.
 */
export interface NetworkShape {
  vocabSize: number;
  hidden: number;
  classes: number;
}

export interface NetworkWeights {
  /** vocabSize x hidden, row-major. */
  embedding: Float32Array;
  bias1: Float32Array;
  /** hidden x classes, row-major. */
  dense: Float32Array;
  bias2: Float32Array;
}

/**
 * The dense head, shared by training and prediction: ReLU(pre + bias1), dropout while
 * training only, then the output layer's logits.
 */
export function head(tf: Tf, pre: TF.Tensor, bias1: TF.Tensor, dense: TF.Tensor, bias2: TF.Tensor, dropout?: { rate: number; seed: number }): TF.Tensor {
  let a = tf.relu(tf.add(pre, bias1));
  if (dropout && dropout.rate > 0) a = tf.dropout(a, dropout.rate, undefined, dropout.seed);
  return tf.add(tf.matMul(a, dense), bias2);
}

export class Network {
  /** The input layer: it holds the embedding (weights.embedding is its array) and runs the sparse loops. */
  readonly input: SparseLayer;
  readonly weights: NetworkWeights;

  constructor(
    readonly shape: NetworkShape,
    weights: NetworkWeights,
    kernels: KernelChoice = 'wasm',
  ) {
    const { vocabSize: v, hidden: h, classes: c } = shape;
    const sizes: [keyof NetworkWeights, number][] = [['embedding', v * h], ['bias1', h], ['dense', h * c], ['bias2', c]];
    for (const [name, size] of sizes) {
      if (weights[name].length !== size) throw new Error(`weight ${name} has ${weights[name].length} values, expected ${size}`);
    }
    this.input = sparseLayer(weights.embedding, h, kernels);
    this.weights = { ...weights, embedding: this.input.weights };
  }

  /** Seeded initialisation: uniform embedding rows, Glorot-uniform output layer, zero biases. */
  static init(shape: NetworkShape, rng: Rng, kernels: KernelChoice = 'wasm'): Network {
    const { vocabSize, hidden, classes } = shape;
    const uniform = (n: number, limit: number) => {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = (rng.next() * 2 - 1) * limit;
      return out;
    };
    return new Network(shape, {
      embedding: uniform(vocabSize * hidden, 1 / Math.sqrt(hidden)),
      bias1: new Float32Array(hidden),
      dense: uniform(hidden * classes, Math.sqrt(6 / (hidden + classes))),
      bias2: new Float32Array(classes),
    }, kernels);
  }

  /** Logits (n x classes, row-major) for a batch of reports, computed in chunks. */
  logits({ tf }: Runtime, rows: readonly SparseVector[], chunk = 2048): Float32Array {
    const { hidden, classes } = this.shape;
    const out = new Float32Array(rows.length * classes);
    const dense = tf.tensor2d(this.weights.dense, [hidden, classes]);
    const bias1 = tf.tensor1d(this.weights.bias1);
    const bias2 = tf.tensor1d(this.weights.bias2);
    try {
      for (let start = 0; start < rows.length; start += chunk) {
        const part = rows.slice(start, start + chunk);
        const pre = this.input.bag(part);
        const logits = tf.tidy(() => head(tf, tf.tensor2d(pre, [part.length, hidden]), bias1, dense, bias2));
        out.set(logits.dataSync() as Float32Array, start * classes);
        logits.dispose();
      }
    } finally {
      tf.dispose([dense, bias1, bias2]);
    }
    return out;
  }
}

/** The mean of the members' logits (n x classes): an ensemble of networks over the same features. */
export function meanLogits(rt: Runtime, members: readonly Network[], rows: readonly SparseVector[]): Float32Array {
  const sum = members[0].logits(rt, rows);
  for (let m = 1; m < members.length; m++) {
    const more = members[m].logits(rt, rows);
    for (let i = 0; i < sum.length; i++) sum[i] += more[i];
  }
  if (members.length > 1) for (let i = 0; i < sum.length; i++) sum[i] /= members.length;
  return sum;
}
