// Losses fused with their backward: raw ABI, checked entry points, and the reference raw implementation.
// Legend: N rows = product of the leading dims (e.g. (T, B) time-major for a sequence LM), C real columns,
// ld the row stride (the last dim of logits; ld > C when the model pads V to Vp).
// Each call returns the mean loss and writes dLogits = d(mean loss)/d(logits); padded lanes are untouched.

import type { Arena, Ptr } from '../arena.js';
import { formatShape, type ArgumentCheck, type Checker, type TensorRef } from '../checker.js';
import { KernelArgumentError } from '../errors.js';
import * as ref from '../reference/losses.js';

export interface LossRaw {
  loss_sigmoid_bce(dlogits: Ptr, logits: Ptr, targets: Ptr, weights: Ptr, N: number, C: number, ld: number, byCount: number): number;
  loss_sparse_softmax_ce(dlogits: Ptr, logits: Ptr, targets: Ptr, weights: Ptr, N: number, C: number, ld: number, byCount: number): number;
  loss_mse(dpred: Ptr, pred: Ptr, targets: Ptr, weights: Ptr, N: number, C: number, ld: number, byCount: number): number;
}

export interface LossArgs {
  /** Output gradient, same shape as `logits`; must not overlap any input. */
  dLogits: TensorRef;
  /** (..., ld) f32 logits (predictions for MSE); the leading dims are the rows. */
  logits: TensorRef;
  /**
   * BCE and MSE: (..., C) f32 targets, contiguous. Sparse CE: (...) i32 class ids in [0, C), checked in
   * memory (the error names the row, e.g. targets[t][b]).
   */
  targets: TensorRef;
  /**
   * Optional (...) f32 per-row weights, finite and >= 0. The loss is Σ w·ℓ / Σ w: a 0/1 mask of padded
   * time steps gives the mean over the real steps (Keras 3 masked mean). Rows with w = 0 get zero gradient.
   */
  weights?: TensorRef | null;
  /** Real columns C <= ld when the rows are padded (default: ld, the last dim of logits). */
  columns?: number;
  /**
   * With weights: 'weighted_mean' (default) divides by Σ w (masked mean); 'sum_over_batch_size' divides by
   * the row count N (Keras' reduction for sample_weight / class weights). Ignored without weights.
   */
  reduction?: 'weighted_mean' | 'sum_over_batch_size';
}

export interface LossKernels {
  /** keras.losses.BinaryCrossentropy(from_logits=True): mean of max(x,0) − x·y + log(1 + e^−|x|). */
  sigmoidBinaryCrossentropy(args: LossArgs): number;
  /** keras.losses.SparseCategoricalCrossentropy(from_logits=True): mean of logsumexp(x) − x[target]. */
  sparseSoftmaxCrossentropy(args: LossArgs): number;
  /** keras.losses.MeanSquaredError: mean of (p − y)². */
  meanSquaredError(args: LossArgs): number;
}

/** `targets[3][17]`-style index of flat element i over dims. */
function formatIndex(name: string, i: number, dims: readonly number[]): string {
  const idx: number[] = [];
  for (let d = dims.length - 1; d >= 0; d--) { idx.unshift(i % dims[d]); i = Math.floor(i / dims[d]); }
  return `${name}${idx.map((v) => `[${v}]`).join('')}`;
}

type Kind = 'bce' | 'sparse' | 'mse';

interface Checked { N: number; C: number; ld: number; weights: Ptr; byCount: number }

function check(c: ArgumentCheck, arena: Arena, a: LossArgs, kind: Kind): Checked {
  if (typeof a !== 'object' || a === null) c.fail('args', a, 'must be an object');
  const shape = a.logits?.shape;
  if (!Array.isArray(shape) || shape.length < 2) c.fail('logits', a.logits?.ptr, `must be a tensor reference with shape (N, C) or (T, B, C), got ${Array.isArray(shape) ? formatShape(shape) : String(shape)}`);
  shape.forEach((d, i) => c.dim(`logits.shape[${i}]`, d));
  const lead = shape.slice(0, -1);
  const ld = shape[shape.length - 1];
  const N = lead.reduce((p, d) => p * d, 1);
  const C = a.columns === undefined ? ld : c.dim('columns', a.columns);
  if (C > ld) c.fail('columns', C, `must be <= the row stride ld = ${ld} (the last dim of logits)`);
  const letters = lead.length === 2 ? '(T, B' : '(N';
  const nL = c.tensor('logits', a.logits, shape, `${letters}, ld)`);
  const nG = c.tensor('dLogits', a.dLogits, shape, `${letters}, ld)`);
  const nT = kind === 'sparse'
    ? c.tensor('targets', a.targets, lead, `${letters})`)
    : c.tensor('targets', a.targets, [...lead, C], `${letters}, C)`);
  c.disjoint('dLogits', a.dLogits.ptr, nG, 'logits', a.logits.ptr, nL);
  c.disjoint('dLogits', a.dLogits.ptr, nG, 'targets', a.targets.ptr, nT);
  let weights = 0;
  if (a.weights !== undefined && a.weights !== null) {
    c.tensor('weights', a.weights, lead, `${letters})`);
    c.disjoint('dLogits', a.dLogits.ptr, nG, 'weights', a.weights.ptr, N);
    const w = arena.f32(a.weights.ptr, N);
    for (let i = 0; i < N; i++) {
      if (!(Number.isFinite(w[i]) && w[i] >= 0)) {
        throw new KernelArgumentError(c.kernel, formatIndex('weights', i, lead), w[i], 'must be a finite weight >= 0');
      }
    }
    weights = a.weights.ptr;
  }
  if (kind === 'sparse') {
    const t = arena.i32(a.targets.ptr, N);
    for (let i = 0; i < N; i++) {
      if (t[i] < 0 || t[i] >= C) {
        const where = lead.length === 2 ? `(time step ${Math.floor(i / lead[1])}, batch row ${i % lead[1]})` : `(row ${i})`;
        throw new KernelArgumentError(c.kernel, formatIndex('targets', i, lead), t[i], `${where} must be a class id in [0, C = ${C})`);
      }
    }
  }
  const reduction = a.reduction ?? 'weighted_mean';
  if (reduction !== 'weighted_mean' && reduction !== 'sum_over_batch_size') {
    c.fail('reduction', reduction, "must be 'weighted_mean' or 'sum_over_batch_size'");
  }
  return { N, C, ld, weights, byCount: reduction === 'sum_over_batch_size' ? 1 : 0 };
}

export function lossKernels(raw: LossRaw, checker: Checker): LossKernels {
  const arena = checker.arena;
  return {
    sigmoidBinaryCrossentropy(a) {
      const { N, C, ld, weights, byCount } = check(checker.begin('loss_sigmoid_bce'), arena, a, 'bce');
      return raw.loss_sigmoid_bce(a.dLogits.ptr, a.logits.ptr, a.targets.ptr, weights, N, C, ld, byCount);
    },
    sparseSoftmaxCrossentropy(a) {
      const { N, C, ld, weights, byCount } = check(checker.begin('loss_sparse_softmax_ce'), arena, a, 'sparse');
      return raw.loss_sparse_softmax_ce(a.dLogits.ptr, a.logits.ptr, a.targets.ptr, weights, N, C, ld, byCount);
    },
    meanSquaredError(a) {
      const { N, C, ld, weights, byCount } = check(checker.begin('loss_mse'), arena, a, 'mse');
      return raw.loss_mse(a.dLogits.ptr, a.logits.ptr, a.targets.ptr, weights, N, C, ld, byCount);
    },
  };
}

export function lossReference(arena: Arena): LossRaw {
  const f = (p: Ptr, n: number) => arena.f32(p, n);
  const w = (p: Ptr, N: number) => (p ? f(p, N) : null);
  return {
    loss_sigmoid_bce: (g, x, y, wp, N, C, ld, bc) => ref.sigmoidBce(f(g, N * ld), f(x, N * ld), f(y, N * C), w(wp, N), N, C, ld, bc !== 0),
    loss_sparse_softmax_ce: (g, x, t, wp, N, C, ld, bc) => ref.sparseSoftmaxCe(f(g, N * ld), f(x, N * ld), arena.i32(t, N), w(wp, N), N, C, ld, bc !== 0),
    loss_mse: (g, x, y, wp, N, C, ld, bc) => ref.mse(f(g, N * ld), f(x, N * ld), f(y, N * C), w(wp, N), N, C, ld, bc !== 0),
  };
}
