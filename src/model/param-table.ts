// The parameter table: every weight tensor of a model, with its Keras shape and its offset in the flat
// slabs. Params, grads and each optimizer moment are slabs of the same size P, so one offset names the
// same tensor in each (llm.c style), and the optimizer / global clipping run as one call over a range.
//
//   slab: | trainable tensors ............................ | frozen tensors (trainable = false) |
//         0                                     trainableSize                                  size
// Every tensor starts at a multiple of 4 floats (16 bytes) so SIMD loops start aligned.

import type { Ptr } from '../../bindings/arena.js';
import type { TensorRef } from '../../bindings/checker.js';

/** L1/L2 penalty factors of a weight tensor. */
export interface Regularizer {
  l1: number;
  l2: number;
}

/** A weight tensor as a layer declares it: Keras name and shape, trainable, regularizer. */
export interface ParamSpec {
  /** Keras weight name within the layer: kernel, recurrent_kernel, bias, embeddings... */
  name: string;
  shape: number[];
  trainable: boolean;
  regularizer?: Regularizer | null;
}

/** A weight tensor in the param table: its spec, path "<layer>/<name>" and offset in the slabs. */
export interface ParamEntry extends ParamSpec {
  /** "<layer>/<name>", unique in the model. */
  path: string;
  layer: string;
  /** Offset in floats from the start of a slab. */
  offset: number;
  size: number;
}

const round4 = (n: number) => Math.ceil(n / 4) * 4;

/** Every weight tensor of a model and its offset in the params/grads/optimizer slabs. */
export class ParamTable {
  readonly entries: ParamEntry[] = [];
  private sizeFloats = 0;
  private trainableFloats = 0;

  /** Lays out all tensors: trainable first, then frozen. */
  static layout(specs: Array<{ layer: string; spec: ParamSpec }>): ParamTable {
    const t = new ParamTable();
    const ordered = [...specs.filter((s) => s.spec.trainable), ...specs.filter((s) => !s.spec.trainable)];
    for (const { layer, spec } of ordered) {
      const size = spec.shape.reduce((a, b) => a * b, 1);
      t.entries.push({ ...spec, path: `${layer}/${spec.name}`, layer, offset: t.sizeFloats, size });
      t.sizeFloats += round4(size);
      if (spec.trainable) t.trainableFloats = t.sizeFloats;
    }
    return t;
  }

  /** Slab length in floats (P). */
  get size(): number {
    return this.sizeFloats;
  }

  /** Floats [0, trainableSize) hold trainable tensors (and their alignment gaps, which stay zero). */
  get trainableSize(): number {
    return this.trainableFloats;
  }

  /** Number of scalar parameters (without alignment gaps), as Keras counts them. */
  count(filter: (e: ParamEntry) => boolean = () => true): number {
    return this.entries.filter(filter).reduce((a, e) => a + e.size, 0);
  }

  get(path: string): ParamEntry {
    const e = this.entries.find((x) => x.path === path);
    if (!e) throw new Error(`ParamTable: no tensor ${path}`);
    return e;
  }

  /** A TensorRef to this tensor inside a slab starting at `slab`. */
  ref(slab: Ptr, e: ParamEntry): TensorRef {
    return { ptr: slab + e.offset * 4, shape: e.shape };
  }
}
