import type { SparseLayer } from './kernels.js';
import type { SparseVector } from './sparse.js';

/**
 * Weight decay of a sparse layer's whole matrix, at the cost of one number a step: the true
 * weights are `scale` x the stored ones. A step's decay multiplies the scale; the batch's sums of
 * stored weights are multiplied by it (`pre`), and its SGD step on the true weights is divided by
 * it (`sgd`). The scale is multiplied out into the matrix when it falls under 1e-3 and at the end
 * (`settle`), so the stored weights never grow past a thousand times the true ones. Decaying
 * every weight at every step would cost vocabulary x hidden a step; this costs nothing more than
 * the sparse step. With `perRate` 0 it is the plain SGD step, bit for bit.
 */
export class ScaledDecay {
  private scale = 1;

  /** A step at input rate `rate` multiplies every weight by 1 - rate x `perRate` (at least 0). */
  constructor(
    private readonly layer: SparseLayer,
    private readonly perRate: number,
  ) {}

  /** The true pre-activations from the layer's sums of stored weights (`sums`, changed in place). */
  pre(sums: Float32Array): Float32Array {
    if (this.scale !== 1) for (let i = 0; i < sums.length; i++) sums[i] *= this.scale;
    return sums;
  }

  /** One step: the SGD step at `rate` on the true weights, then that step's decay. */
  sgd(rows: readonly SparseVector[], dHidden: Float32Array, rate: number): void {
    this.layer.sgd(rows, dHidden, rate / this.scale);
    if (this.perRate > 0) {
      this.scale *= Math.max(0, 1 - rate * this.perRate);
      if (this.scale < 1e-3) this.settle();
    }
  }

  /** Multiplies the scale out: the stored weights are the true ones again. */
  settle(): void {
    const w = this.layer.weights;
    if (this.scale !== 1) for (let i = 0; i < w.length; i++) w[i] *= this.scale;
    this.scale = 1;
  }
}
