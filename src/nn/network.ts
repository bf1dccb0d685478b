import type * as TF from '@tensorflow/tfjs-core';
import type { Rng } from '../base/rng.js';
import type { Tf } from './backend.js';
import type { KernelChoice } from './choices.js';
import { headKernel } from './head.js';
import { sparseLayer, weightCount, type InputWeights, type SharedWeights, type SparseLayer } from './kernels.js';
import { asRows, type SparseRows, type SparseVector } from './sparse.js';

/**
 * The network: sparse TF-IDF input -> hidden layer (ReLU) -> one logit per category.
 *
 * The first layer is an "embedding bag": a report's hidden pre-activation is the sum of the
 * rows of `embedding` for its non-zero features, each scaled by its TF-IDF weight. It costs
 * nnz x hidden, not vocabulary x hidden, and runs in WebAssembly SIMD kernels (kernels.ts).
 * The dense head (bias, ReLU, output layer) runs on TensorFlow.js while training (autodiff) and,
 * when predicting, in a WebAssembly kernel (head.ts) or plain loops (denseHead), with the same
 * float32 arithmetic: prediction never loads TensorFlow.js.
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
export function head(
  tf: Tf,
  pre: TF.Tensor,
  bias1: TF.Tensor,
  dense: TF.Tensor,
  bias2: TF.Tensor,
  dropout?: { rate: number; seed: number },
): TF.Tensor {
  let a = tf.relu(tf.add(pre, bias1));
  if (dropout && dropout.rate > 0) a = tf.dropout(a, dropout.rate, undefined, dropout.seed);
  return tf.add(tf.matMul(a, dense), bias2);
}

export class Network {
  /** The input layer: it holds the embedding (weights.embedding is its array) and runs the sparse loops. */
  readonly input: SparseLayer;
  readonly weights: NetworkWeights;

  /**
   * With `shared`, the input weights are another thread's network's, read where they are
   * (weights.embedding is then not read, and may be empty): for prediction only. 8-bit input
   * weights (a loaded model's) are decoded as reports use their rows (kernels.ts's QuantizedWeights).
   */
  constructor(
    readonly shape: NetworkShape,
    weights: Omit<NetworkWeights, 'embedding'> & { embedding: InputWeights },
    private readonly kernels: KernelChoice = 'wasm',
    shared?: SharedWeights,
  ) {
    const { vocabSize: v, hidden: h, classes: c } = shape;
    const sizes: [keyof NetworkWeights, number][] = [
      ['embedding', v * h],
      ['bias1', h],
      ['dense', h * c],
      ['bias2', c],
    ];
    for (const [name, size] of sizes) {
      const length = name === 'embedding' ? (shared ? shared.length : weightCount(weights.embedding)) : weights[name].length;
      if (length !== size) throw new Error(`weight ${name} has ${length} values, expected ${size}`);
    }
    const input = (this.input = sparseLayer(weights.embedding, h, kernels, shared));
    const { bias1, dense, bias2 } = weights;
    // The input layer's array, asked for when read: 8-bit weights are then all decoded.
    this.weights = {
      bias1,
      dense,
      bias2,
      get embedding() {
        return input.weights;
      },
    };
  }

  /** Seeded initialisation: uniform embedding rows, Glorot-uniform output layer, zero biases. */
  static init(shape: NetworkShape, rng: Rng, kernels: KernelChoice = 'wasm'): Network {
    const { vocabSize, hidden, classes } = shape;
    // The embedding is drawn first, in the input layer's own memory (FreshWeights), then the output layer.
    const embedding = { count: vocabSize * hidden, fill: (values: Float32Array) => void rng.fillUniform(values, 1 / Math.sqrt(hidden)) };
    const dense = new Float32Array(hidden * classes);
    const net = new Network(shape, { embedding, bias1: new Float32Array(hidden), dense, bias2: new Float32Array(classes) }, kernels);
    rng.fillUniform(dense, Math.sqrt(6 / (hidden + classes)));
    return net;
  }

  /** Logits (n x classes, row-major) of reports, as sparse vectors or rows in one block. */
  logits(rows: readonly SparseVector[] | SparseRows): Float32Array {
    const pre = this.input.bagRows(asRows(rows));
    const { hidden, classes } = this.shape;
    return (
      (this.kernels === 'wasm' && headKernel()?.logits(pre, this.weights, hidden, classes)) || denseHead(pre, this.weights, this.shape)
    );
  }
}

/** tfjs-backend-cpu's matMul sums the shared dimension in blocks of this many (its backend.blockSize). */
const MATMUL_BLOCK = 48;

/**
 * The dense head of `head` on hidden pre-activations (n x hidden): ReLU(pre + bias1) W2 + bias2,
 * computed as TensorFlow.js's CPU backend computes it, to the bit: float32 adds, products summed
 * in double precision within blocks of 48 of the hidden dimension, each block's sum added to the
 * float32 result in turn. A model thus predicts the same, whether it was just trained or loaded.
 */
export function denseHead(pre: Float32Array, w: NetworkWeights, { hidden, classes }: NetworkShape): Float32Array {
  const n = pre.length / hidden;
  const out = new Float32Array(n * classes);
  const a = new Float32Array(hidden);
  const { bias1, dense, bias2 } = w;
  for (let i = 0; i < n; i++) {
    for (let h = 0; h < hidden; h++) {
      const x = Math.fround(pre[i * hidden + h] + bias1[h]);
      a[h] = Math.max(0, x);
    }
    for (let j = 0; j < classes; j++) {
      let r = 0;
      for (let k0 = 0; k0 < hidden; k0 += MATMUL_BLOCK) {
        const k1 = Math.min(k0 + MATMUL_BLOCK, hidden);
        let sum = 0;
        for (let k = k0; k < k1; k++) sum += a[k] * dense[k * classes + j];
        r = Math.fround(r + sum);
      }
      out[i * classes + j] = r + bias2[j];
    }
  }
  return out;
}

/** The mean of the members' logits (n x classes): an ensemble of networks over the same features. */
export function meanLogits(members: readonly Network[], rows: readonly SparseVector[] | SparseRows): Float32Array {
  const block = asRows(rows);
  const sum = members[0].logits(block);
  for (let m = 1; m < members.length; m++) {
    const more = members[m].logits(block);
    for (let i = 0; i < sum.length; i++) sum[i] += more[i];
  }
  if (members.length > 1) for (let i = 0; i < sum.length; i++) sum[i] /= members.length;
  return sum;
}
