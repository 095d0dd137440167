// Sample and class weights with Keras semantics (https://keras.io/api/models/model_training_apis/#fit-method):
//   per-sample weight  w_i = sampleWeight[i] · classWeight[class of i]   (either may be absent: 1)
//   loss               Σ_i w_i·ℓ_i / N   over the N rows of the batch ("sum_over_batch_size", Keras' default
//                      reduction), and for a masked sequence output Σ mask·w·ℓ / (valid rows), as Keras' masked
//                      reduction; the fused loss kernels run it as a weighted sum divided by the row count
//   metrics            weighted too: accuracy = Σ w·hit / Σ w, precision/recall from weighted counts
// Weights must be finite and >= 0 (checked before anything runs, so a bad weight changes nothing).
import type { Mask } from '../layers/layer.js';
import { stepValid } from '../layers/mask.js';
import type { TensorRef } from '../../bindings/index.js';
import { DataValueError } from '../errors.js';
import { checkArgument, custom, integer, nullable, numbers, optional, string } from '../options/schema.js';

/** Keras class_weight: class id → weight (missing classes weigh 1), or 'balanced' (computed from the targets). */
export type ClassWeight = Record<number, number> | 'balanced';

/**
 * scikit-learn's compute_class_weight('balanced'): w_k = N / (K · count_k), so every class carries the same
 * total weight. `labels` are class ids in [0, K); K defaults to max + 1. A class without samples is an error.
 */
export function balancedClassWeights(labels: ArrayLike<number>, K?: number): Record<number, number> {
  checkArgument('balancedClassWeights', 'labels', labels, numbers());
  checkArgument('balancedClassWeights', 'K', K, optional(integer({ min: 2 })));
  let max = -1;
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (!Number.isInteger(v) || v < 0) throw new DataValueError(`balancedClassWeights: labels[${i}] = ${v} is not a class id`);
    if (v > max) max = v;
  }
  const k = K ?? max + 1;
  if (!Number.isInteger(k) || k < 2 || max >= k) throw new DataValueError(`balancedClassWeights: K = ${K} must be an integer >= 2 above every label (max ${max})`);
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  const empty = counts.findIndex((c) => c === 0);
  if (empty >= 0) throw new DataValueError(`balancedClassWeights: class ${empty} has no samples (a balanced weight would be infinite)`);
  const out: Record<number, number> = {};
  counts.forEach((c, i) => { out[i] = labels.length / (k * c); });
  return out;
}

/** Balanced class weights from per-class counts (e.g. TextFileDataset.stats.classCounts): N / (K · count_k). */
export function classWeightsFromCounts(counts: ArrayLike<number>): Record<number, number> {
  checkArgument('classWeightsFromCounts', 'counts', counts, numbers());
  let N = 0;
  for (let k = 0; k < counts.length; k++) {
    const c = counts[k];
    if (!Number.isInteger(c) || c <= 0) throw new DataValueError(`classWeightsFromCounts: class ${k} has ${c} samples (a balanced weight needs a positive count)`);
    N += c;
  }
  if (counts.length < 2) throw new DataValueError(`classWeightsFromCounts: need at least 2 classes, got ${counts.length}`);
  const out: Record<number, number> = {};
  for (let k = 0; k < counts.length; k++) out[k] = N / (counts.length * counts[k]);
  return out;
}

/** Checks per-sample weights: N finite numbers >= 0. Returns them as f32. */
export function checkSampleWeights(w: ArrayLike<number>, N: number, where: string): Float32Array {
  if (w === null || typeof w !== 'object' || typeof w.length !== 'number') throw new DataValueError(`${where}: sampleWeight must be an array of N = ${N} numbers, got ${w === null ? 'null' : typeof w}`);
  if (w.length !== N) throw new DataValueError(`${where}: sampleWeight has ${w.length} values for ${N} samples`);
  const out = new Float32Array(N);
  for (let i = 0; i < N; i++) {
    const v = w[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new DataValueError(`${where}: sampleWeight[${i}] = ${v} must be a finite number >= 0`);
    out[i] = v;
  }
  return out;
}

/**
 * The class of each sample of a target tensor: sparse ids (N) as they are, binary targets (N) / (N, 1) as
 * round(y) (0 or 1), one-hot (N, C) as the argmax. Sequence targets have no single class: an error.
 */
function classesOf(y: { data: ArrayLike<number>; shape: number[] }, where: string): { ids: Int32Array; K: number | null } {
  const N = y.shape[0], per = y.data.length / Math.max(1, N);
  const ids = new Int32Array(N);
  if (per === 1) {
    for (let i = 0; i < N; i++) ids[i] = Math.round(y.data[i]);
    return { ids, K: null };
  }
  if (y.shape.length !== 2) throw new DataValueError(`${where}: classWeight needs one class per sample, targets are (${y.shape.join(', ')})`);
  for (let i = 0; i < N; i++) {
    let best = 0;
    for (let c = 1; c < per; c++) if (y.data[i * per + c] > y.data[i * per + best]) best = c;
    ids[i] = best;
  }
  return { ids, K: per };
}

/**
 * Per-sample weights of a batch or data set from Keras' sampleWeight and classWeight (either may be absent;
 * both: their product). Returns null when neither is given. Errors name the bad value.
 */
export function combineWeights(
  y: { data: ArrayLike<number>; shape: number[] } | null, N: number,
  sampleWeight: ArrayLike<number> | null | undefined, classWeight: ClassWeight | null | undefined, where: string,
): Float32Array | null {
  // issue 16: every argument checked before use (public; the training loop passes checked tensors)
  checkArgument('combineWeights', 'y', y, nullable(custom('targets { data, shape }', (v) => typeof (v as { data?: unknown } | null)?.data === 'object'
    && (v as { data: unknown }).data !== null && Array.isArray((v as { shape?: unknown }).shape))));
  checkArgument('combineWeights', 'N', N, integer({ min: 0 }, 'a non-negative integer'));
  checkArgument('combineWeights', 'where', where, optional(string()));
  if (sampleWeight == null && classWeight == null) return null;
  const w = sampleWeight != null ? checkSampleWeights(sampleWeight, N, where) : new Float32Array(N).fill(1);
  if (classWeight != null) {
    if (!y) throw new DataValueError(`${where}: classWeight needs targets`);
    const { ids } = classesOf(y, where);
    const table = classWeight === 'balanced' ? balancedClassWeights(ids) : classWeight;
    if (table === null || typeof table !== 'object') throw new DataValueError(`${where}: classWeight must be { classId: weight } or 'balanced', got ${typeof classWeight}`);
    for (const [key, v] of Object.entries(table)) {
      if (!/^\d+$/.test(key)) throw new DataValueError(`${where}: classWeight key ${JSON.stringify(key)} is not a class id (a non-negative integer)`);
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new DataValueError(`${where}: classWeight[${key}] = ${v} must be a finite number >= 0`);
    }
    for (let i = 0; i < N; i++) w[i] *= (table as Record<number, number>)[ids[i]] ?? 1;
  }
  return w;
}

/** Gathers the weights of samples idx (a batch) from per-sample weights. */
export function gatherWeights(w: Float32Array, idx: ArrayLike<number>): Float32Array {
  const out = new Float32Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = w[idx[i]];
  return out;
}

/**
 * Writes the row weights of one loss call into `W` (the head's (rows) weight buffer): sample weight × mask for a
 * sequence output (T, B) time-major, or the sample weight per row (B); scaled so that the kernels'
 * "sum_over_batch_size" reduction (divide by the row count) gives Keras' Σ w·ℓ / valid rows.
 */
export function writeRowWeights(
  W: Float32Array, ptr: number, sample: Float32Array, B: number, T: number, sequence: boolean,
  mask: Mask | null,
): { weights: TensorRef; reduction: 'sum_over_batch_size' } {
  if (!sequence) {
    W.set(sample.subarray(0, B));
    return { weights: { ptr, shape: [B] }, reduction: 'sum_over_batch_size' };
  }
  let valid = 0;
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) {
    const ok = !mask || stepValid(mask, t, b, T, B); // any mask pattern: one-sided lengths or per-step
    W[t * B + b] = ok ? sample[b] : 0;
    if (ok) valid++;
  }
  const scale = valid > 0 ? (T * B) / valid : 0;
  if (scale !== 1) for (let i = 0; i < T * B; i++) W[i] *= scale;
  return { weights: { ptr, shape: [T, B] }, reduction: 'sum_over_batch_size' };
}
