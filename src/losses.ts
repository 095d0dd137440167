// Losses as objects (like the optimizers), each mapped onto a fused loss kernel (mean loss + gradient in one
// call). A loss says what its targets are (class ids or floats), checks them, and which output activation it
// fuses: binaryCrossentropy with a sigmoid output and sparseCategoricalCrossentropy with a softmax output run
// from logits (the output layer emits logits; stable log-sum-exp / softplus forms). The model asks the
// output layer to fuse through Layer.fuseOutputActivation, never by the layer's class.

import type { Kernels, TensorRef } from '../bindings/index.js';
import { ConfigError, DataValueError, ShapeError } from './errors.js';
import type { TensorData } from './model/data.js';
import { position } from './model/data.js';
import { describeValue } from './options/schema.js';

/** Canonical Keras names of the losses. */
export type LossName = 'binaryCrossentropy' | 'sparseCategoricalCrossentropy' | 'meanSquaredError';

/** The buffers of one loss call: outputs (rows, C) (time-major rows for sequences), targets, row weights. */
export interface LossCall {
  logits: TensorRef;
  /** Written: d(mean loss)/d(output). */
  dLogits: TensorRef;
  /** Leading dims of the output: [T, B] for sequences, [B] otherwise. */
  lead: number[];
  targets: number;
  /** 0/1 per row (masked steps), or per-row sample weights, or null. */
  weights: TensorRef | null;
  /** Divide by Σ weights ('weighted_mean', default: masked mean) or by the row count (Keras sample weights). */
  reduction?: 'weighted_mean' | 'sum_over_batch_size';
}

/** What the loss needs from the layer producing its output (any Layer satisfies it). */
export interface OutputLayer {
  readonly name: string;
  readonly className: string;
  readonly outputActivation: string | null;
  fuseOutputActivation(activation: 'sigmoid' | 'softmax'): boolean;
  unfuseOutputActivation(): void;
}

/** A loss: target checks, output fusion and the fused kernel call. */
export abstract class Loss {
  /** Canonical Keras name. */
  abstract readonly name: LossName;
  /** Targets are integer class ids (one per row) or floats (one per output value). */
  abstract readonly targetsAreIds: boolean;

  /** Prepares the output layer (fusion with the loss) or throws a ConfigError naming it. */
  bindOutput(_layer: OutputLayer, _where: string): void {}

  /**
   * Checks targets y for an output of per-sample shape `out` and returns them in the shape the model
   * copies: (N, T) / (N) class ids, or (N, ..., C) floats. Throws naming the problem.
   */
  abstract prepareTargets(y: TensorData, out: ReadonlyArray<number | null>, where: string): TensorData;

  /** Mean loss over the valid rows; writes its gradient into dLogits. */
  abstract compute(k: Kernels, call: LossCall): number;
}

const fmt = (s: ReadonlyArray<number | null>) => `(${s.map((d) => (d === null ? 'None' : d)).join(', ')})`;
const outFmt = (s: ReadonlyArray<number | null>) => `(None, ${s.map((d) => (d === null ? 'None' : d)).join(', ')})`;

/** Float targets shaped like the output, with a trailing 1 optional for one-unit outputs; checks the time length. */
function floatTargets(y: TensorData, out: ReadonlyArray<number | null>, where: string): TensorData {
  const C = out[out.length - 1] as number;
  const t = C === 1 && y.shape.length === out.length ? { data: y.data, shape: [...y.shape, 1] } : y;
  const fits = t.shape.length === out.length + 1 && t.shape.slice(1).every((d, i) => out[i] === null || d === out[i]);
  if (!fits) throw new ShapeError(`${where}: targets ${fmt(y.shape)} do not fit the output ${outFmt(out)}`);
  return t;
}

class BinaryCrossentropy extends Loss {
  readonly name = 'binaryCrossentropy' as const;
  readonly targetsAreIds = false;

  override bindOutput(layer: OutputLayer, where: string): void {
    if (!layer.fuseOutputActivation('sigmoid')) {
      throw new ConfigError(`${where}: binaryCrossentropy needs a Dense output with sigmoid activation (fused from logits), got ${layer.className} "${layer.name}"${layer.outputActivation ? ` with ${layer.outputActivation}` : ''}`);
    }
  }

  prepareTargets(y: TensorData, out: ReadonlyArray<number | null>, where: string): TensorData {
    const t = floatTargets(y, out, where);
    for (let i = 0; i < t.data.length; i++) {
      const v = t.data[i];
      if (!(v >= 0 && v <= 1)) throw new DataValueError(`${where}: ${position('y', i, y.shape)} = ${v} is not a binary label (binaryCrossentropy needs targets in [0, 1])`);
    }
    return t;
  }

  compute(k: Kernels, c: LossCall): number {
    const C = c.logits.shape[c.logits.shape.length - 1];
    return k.sigmoidBinaryCrossentropy({ dLogits: c.dLogits, logits: c.logits, targets: { ptr: c.targets, shape: [...c.lead, C] }, weights: c.weights, reduction: c.reduction });
  }
}

class SparseCategoricalCrossentropy extends Loss {
  readonly name = 'sparseCategoricalCrossentropy' as const;
  readonly targetsAreIds = true;

  override bindOutput(layer: OutputLayer, where: string): void {
    if (layer.fuseOutputActivation('softmax')) return;
    const act = layer.outputActivation;
    if (act !== null && act !== 'linear') {
      throw new ConfigError(`${where}: sparseCategoricalCrossentropy needs a softmax (or linear logits) output, got ${layer.className} "${layer.name}" with ${act}`);
    }
  }

  prepareTargets(y: TensorData, out: ReadonlyArray<number | null>, where: string): TensorData {
    const C = out[out.length - 1] as number;
    const want = out.length; // (N, T) for sequence outputs (T, C), (N) for (C)
    const shape = y.shape[y.shape.length - 1] === 1 && y.shape.length === want + 1 ? y.shape.slice(0, -1) : y.shape;
    const fits = shape.length === want && (want === 1 || out[0] === null || shape[1] === out[0]);
    if (!fits) throw new ShapeError(`${where}: sparse targets must be ${want === 2 ? '(N, T)' : '(N)'} class ids for output ${outFmt(out)}, got ${fmt(y.shape)}`);
    for (let i = 0; i < y.data.length; i++) {
      const v = y.data[i];
      if (!Number.isInteger(v) || v < 0 || v >= C) throw new DataValueError(`${where}: ${position('y', i, y.shape)} = ${v} must be an integer class id in [0, ${C})`);
    }
    return { data: y.data, shape };
  }

  compute(k: Kernels, c: LossCall): number {
    return k.sparseSoftmaxCrossentropy({ dLogits: c.dLogits, logits: c.logits, targets: { ptr: c.targets, shape: c.lead }, weights: c.weights, reduction: c.reduction });
  }
}

class MeanSquaredError extends Loss {
  readonly name = 'meanSquaredError' as const;
  readonly targetsAreIds = false;

  override bindOutput(layer: OutputLayer): void {
    layer.unfuseOutputActivation();
  }

  prepareTargets(y: TensorData, out: ReadonlyArray<number | null>, where: string): TensorData {
    return floatTargets(y, out, where);
  }

  compute(k: Kernels, c: LossCall): number {
    const C = c.logits.shape[c.logits.shape.length - 1];
    return k.meanSquaredError({ dLogits: c.dLogits, logits: c.logits, targets: { ptr: c.targets, shape: [...c.lead, C] }, weights: c.weights, reduction: c.reduction });
  }
}

const ALIASES: Record<string, LossName> = {
  binarycrossentropy: 'binaryCrossentropy', binary_crossentropy: 'binaryCrossentropy', bce: 'binaryCrossentropy',
  sparsecategoricalcrossentropy: 'sparseCategoricalCrossentropy', sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
  meansquarederror: 'meanSquaredError', mean_squared_error: 'meanSquaredError', mse: 'meanSquaredError',
};

const LOSSES: Record<LossName, () => Loss> = {
  binaryCrossentropy: () => new BinaryCrossentropy(),
  sparseCategoricalCrossentropy: () => new SparseCategoricalCrossentropy(),
  meanSquaredError: () => new MeanSquaredError(),
};

/** A loss by Keras name (camelCase or snake_case; bce, mse) or a Loss object passed through. */
export function getLoss(spec: string | Loss): Loss {
  if (spec instanceof Loss) return spec;
  const canonical = typeof spec === 'string' ? ALIASES[spec.toLowerCase()] ?? ALIASES[spec] : undefined;
  if (!canonical) throw new ConfigError(`getLoss: unknown loss ${describeValue(spec)}; known: binaryCrossentropy, sparseCategoricalCrossentropy, meanSquaredError`);
  return LOSSES[canonical]();
}

/** Targets are integer class ids (sparse CE) or floats (BCE, MSE). */
export const targetsAreIds = (loss: LossName): boolean => loss === 'sparseCategoricalCrossentropy';
