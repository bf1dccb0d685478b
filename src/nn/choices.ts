import type { OptionKeys } from '../base/options.js';

/**
 * The run-time choices of a network, as plain data (no TensorFlow.js types): which backend runs
 * the dense layers, which kernels the sparse first layer. They change speed, never answers
 * (beyond float rounding).
 */

/** Which TensorFlow.js backend runs the dense layers: `tensorflow` (tfjs-node), `cpu` (pure JS), or `auto` (the first that loads). */
export type Backend = 'auto' | 'tensorflow' | 'cpu';
/** The backends a caller may ask for. */
export const BACKENDS: readonly Backend[] = ['auto', 'tensorflow', 'cpu'];

/**
 * Which kernels run the sparse loops: `wasm`, the WebAssembly SIMD ones where they can run (the
 * plain JavaScript loops otherwise), or `js`, the plain JavaScript loops always.
 */
export type KernelChoice = 'wasm' | 'js';
/** The kernel choices a caller may ask for. */
export const KERNEL_CHOICES: readonly KernelChoice[] = ['wasm', 'js'];

/** Run-time choices. */
export interface RuntimeOptions {
  /** The TensorFlow.js backend (default `auto`). */
  backend?: Backend;
  /** The sparse first layer's kernels (default `wasm`, which falls back to JavaScript where WebAssembly SIMD is missing). */
  kernels?: KernelChoice;
}

/** RuntimeOptions's keys (base/options.ts). */
export const RUNTIME_OPTIONS: OptionKeys<RuntimeOptions> = { backend: true, kernels: true };
