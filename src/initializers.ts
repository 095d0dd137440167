// Weight initializers (Keras 3 names, formulas and defaults), all driven by the project's seeded Random.
// https://keras.io/api/layers/initializers/
// Fans for a shape: 2-D (in, out) → fanIn = in, fanOut = out; N-D (conv, (K, C, F)) → receptive field
// K = product of all but the last two dims, fanIn = K·C, fanOut = K·F; 1-D (bias) → fanIn = fanOut = n.

import type { Kernels } from '../bindings/index.js';
import { FusedRnnError } from '../bindings/errors.js';
import { Random } from './random.js';
import { checkArgument, custom, everyItem, number, oneOf, positive } from './options/schema.js';

/** Every element a finite number (a loop, not every(): every() skips the holes of a sparse array). */
function allFinite(v: ArrayLike<unknown>): boolean {
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'number' || !Number.isFinite(v[i])) return false;
  return true;
}

/** A weight shape: non-negative integer dims. */
const weightShape = custom('a shape: an array of non-negative integers', (v) => Array.isArray(v) && v.length <= 16 && everyItem(v, (d) => Number.isSafeInteger(d) && (d as number) >= 0));

/** The arguments of fill(out, shape, random): a Float32Array holding exactly the shape's elements, and a Random when drawn. */
function checkFill(owner: string, out: unknown, shape: unknown, random: unknown, needsRandom: boolean): void {
  checkArgument(owner, 'out', out, custom('a Float32Array', (v) => v instanceof Float32Array));
  checkArgument(owner, 'shape', shape, weightShape);
  const n = (shape as number[]).reduce((a, b) => a * b, 1);
  if (n !== (out as Float32Array).length) checkArgument(owner, 'shape', shape, custom(`a shape of ${(out as Float32Array).length} elements (out's length)`, () => false));
  if (needsRandom) checkArgument(owner, 'random', random, custom('a Random', (v) => v instanceof Random));
}

/** A tensor initializer: fills `out` (row-major, `shape`) using `random`; `kernels` supply GEMM for orthogonal. */
export interface Initializer {
  readonly className: string;
  fill(out: Float32Array, shape: readonly number[], random: Random, kernels: Kernels): void;
  getConfig(): Record<string, unknown>;
}

/** An initializer given by name ('glorotUniform' or 'glorot_uniform'), by {className, config}, or as an object. */
export type InitializerSpec = string | Initializer | { className: string; config?: Record<string, unknown> };

/** Keras fan-in and fan-out of a weight shape (receptive field × channels for shapes of rank > 2). */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  checkArgument('fans', 'shape', shape, weightShape);
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  if (shape.length === 2) return { fanIn: shape[0], fanOut: shape[1] };
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return { fanIn: receptive * shape[shape.length - 2], fanOut: receptive * shape[shape.length - 1] };
}

// Keras' truncated normal: redraw beyond 2 stddev; the stddev is divided by 0.8796… so the truncated
// distribution keeps the intended variance (VarianceScaling).
const TRUNCATED_STD = 0.87962566103423978;

function truncatedNormal(random: Random, stddev: number): number {
  for (;;) {
    const z = random.normal();
    if (z >= -2 && z <= 2) return z * stddev;
  }
}

type Mode = 'fan_in' | 'fan_out' | 'fan_avg';
type Distribution = 'uniform' | 'truncated_normal' | 'untruncated_normal';

/** Keras VarianceScaling: the base of glorot*, he*, lecun*. */
export class VarianceScaling implements Initializer {
  readonly className: string = 'VarianceScaling';
  constructor(readonly scale = 1, readonly mode: Mode = 'fan_in', readonly distribution: Distribution = 'truncated_normal') {
    checkArgument('VarianceScaling', 'scale', scale, positive());
    checkArgument('VarianceScaling', 'mode', mode, oneOf(['fan_in', 'fan_out', 'fan_avg']));
    checkArgument('VarianceScaling', 'distribution', distribution, oneOf(['uniform', 'truncated_normal', 'untruncated_normal']));
  }
  fill(out: Float32Array, shape: readonly number[], random: Random): void {
    checkFill(`${this.className}.fill`, out, shape, random, true);
    const { fanIn, fanOut } = fans(shape);
    const n = this.mode === 'fan_in' ? fanIn : this.mode === 'fan_out' ? fanOut : (fanIn + fanOut) / 2;
    const variance = this.scale / Math.max(1, n);
    if (this.distribution === 'uniform') {
      const limit = Math.sqrt(3 * variance);
      for (let i = 0; i < out.length; i++) out[i] = (2 * random.uniform() - 1) * limit;
    } else if (this.distribution === 'truncated_normal') {
      const stddev = Math.sqrt(variance) / TRUNCATED_STD;
      for (let i = 0; i < out.length; i++) out[i] = truncatedNormal(random, stddev);
    } else {
      const stddev = Math.sqrt(variance);
      for (let i = 0; i < out.length; i++) out[i] = random.normal() * stddev;
    }
  }
  getConfig(): Record<string, unknown> {
    return { scale: this.scale, mode: this.mode, distribution: this.distribution };
  }
}

/** Glorot (Xavier) uniform: VarianceScaling(1, fan_avg, uniform) (Keras GlorotUniform). */
export class GlorotUniform extends VarianceScaling {
  override readonly className = 'GlorotUniform';
  constructor() { super(1, 'fan_avg', 'uniform'); }
  override getConfig() { return {}; }
}
/** Glorot (Xavier) normal: VarianceScaling(1, fan_avg, truncated normal) (Keras GlorotNormal). */
export class GlorotNormal extends VarianceScaling {
  override readonly className = 'GlorotNormal';
  constructor() { super(1, 'fan_avg', 'truncated_normal'); }
  override getConfig() { return {}; }
}
/** He uniform: VarianceScaling(2, fan_in, uniform) (Keras HeUniform). */
export class HeUniform extends VarianceScaling {
  override readonly className = 'HeUniform';
  constructor() { super(2, 'fan_in', 'uniform'); }
  override getConfig() { return {}; }
}
/** He normal: VarianceScaling(2, fan_in, truncated normal) (Keras HeNormal). */
export class HeNormal extends VarianceScaling {
  override readonly className = 'HeNormal';
  constructor() { super(2, 'fan_in', 'truncated_normal'); }
  override getConfig() { return {}; }
}

/** Fills with one value, or copies a full array (e.g. pretrained vectors) (Keras Constant). */
export class Constant implements Initializer {
  readonly className: string = 'Constant';
  /** `value` is a number (every element) or a full array of the tensor's size (e.g. a GloVe matrix). */
  constructor(readonly value: number | ArrayLike<number> = 0) {
    checkArgument(this.constructor.name, 'value', value, custom('a finite number or an array of finite numbers', (v) => (typeof v === 'number' && Number.isFinite(v))
      || ((Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))) && allFinite(v as ArrayLike<unknown>))));
  }
  fill(out: Float32Array, shape: readonly number[]): void {
    checkFill(`${this.className}.fill`, out, shape, undefined, false);
    if (typeof this.value === 'number') {
      out.fill(this.value);
      return;
    }
    if (this.value.length !== out.length) {
      throw new FusedRnnError(`Constant initializer: ${this.value.length} values given for a tensor of shape (${shape.join(', ')}) = ${out.length} elements`);
    }
    out.set(this.value);
  }
  getConfig(): Record<string, unknown> {
    return { value: typeof this.value === 'number' ? this.value : Array.from(this.value) };
  }
}
/** Fills with 0 (Keras Zeros). */
export class Zeros extends Constant {
  override readonly className = 'Zeros';
  constructor() { super(0); }
  override getConfig() { return {}; }
}
/** Fills with 1 (Keras Ones). */
export class Ones extends Constant {
  override readonly className = 'Ones';
  constructor() { super(1); }
  override getConfig() { return {}; }
}

/** Uniform in [minval, maxval) (Keras RandomUniform; defaults ±0.05). */
export class RandomUniform implements Initializer {
  readonly className = 'RandomUniform';
  constructor(readonly minval = -0.05, readonly maxval = 0.05) {
    checkArgument('RandomUniform', 'minval', minval, number());
    checkArgument('RandomUniform', 'maxval', maxval, number({ min: minval }, `a finite number ≥ minval (${minval})`));
  }
  fill(out: Float32Array, _shape: readonly number[], random: Random): void {
    checkFill('RandomUniform.fill', out, _shape, random, true);
    for (let i = 0; i < out.length; i++) out[i] = this.minval + (this.maxval - this.minval) * random.uniform();
  }
  getConfig() { return { minval: this.minval, maxval: this.maxval }; }
}

/** Normal with mean and stddev (Keras RandomNormal; defaults 0 and 0.05). */
export class RandomNormal implements Initializer {
  readonly className = 'RandomNormal';
  constructor(readonly mean = 0, readonly stddev = 0.05) {
    checkArgument('RandomNormal', 'mean', mean, number());
    checkArgument('RandomNormal', 'stddev', stddev, number({ min: 0 }));
  }
  fill(out: Float32Array, _shape: readonly number[], random: Random): void {
    checkFill('RandomNormal.fill', out, _shape, random, true);
    for (let i = 0; i < out.length; i++) out[i] = random.normal(this.mean, this.stddev);
  }
  getConfig() { return { mean: this.mean, stddev: this.stddev }; }
}

/**
 * Keras Orthogonal: rows = product of all but the last dim, cols = last dim; A (max, min) standard normal;
 * Q from the reduced QR of A with sign(diag(R)) folded in (i.e. the R with positive diagonal, which is
 * what Gram–Schmidt produces); transposed when rows < cols; times `gain`.
 * Fast path: blocked classical Gram–Schmidt applied twice (CGS2) on the rows of Aᵀ, with the block
 * projections as wasm GEMMs (gemm_nt, gemm_nn) and the in-block orthogonalisation in f64.
 */
export class Orthogonal implements Initializer {
  readonly className = 'Orthogonal';
  constructor(readonly gain = 1) {
    checkArgument('Orthogonal', 'gain', gain, number());
  }

  fill(out: Float32Array, shape: readonly number[], random: Random, kernels: Kernels): void {
    const cols = shape[shape.length - 1];
    const rows = out.length / cols;
    const m = Math.max(rows, cols), n = Math.min(rows, cols);
    const a = kernels.arena;
    const mark = a.mark();
    try {
      // Qt (n, m): row j is column j of A (m, n); A is drawn row-major as Keras draws it.
      const Qt = a.alloc(n * m);
      const scratchC = a.alloc(BLOCK * n), scratchP = a.alloc(BLOCK * m);
      {
        const q = a.f32(Qt, n * m);
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) q[j * m + i] = random.normal();
      }
      const block = new Float64Array(BLOCK * m);
      for (let j0 = 0; j0 < n; j0 += BLOCK) {
        const nb = Math.min(BLOCK, n - j0);
        const V = Qt + j0 * m * 4;
        if (j0 > 0) {
          for (let pass = 0; pass < 2; pass++) {
            // C (nb, j0) = V (nb, m) · Q_prevᵀ; V -= C · Q_prev (nb, m)
            kernels.gemmNT(scratchC, V, Qt, nb, j0, m);
            kernels.gemmNN(scratchP, scratchC, Qt, nb, m, j0);
            kernels.axpy(V, -1, scratchP, nb * m);
          }
        }
        // In-block modified Gram–Schmidt, twice, in f64.
        const v = a.f32(V, nb * m);
        for (let i = 0; i < nb * m; i++) block[i] = v[i];
        for (let i = 0; i < nb; i++) {
          const ri = i * m;
          for (let pass = 0; pass < 2; pass++) {
            for (let k = 0; k < i; k++) {
              const rk = k * m;
              let dot = 0;
              for (let t = 0; t < m; t++) dot += block[ri + t] * block[rk + t];
              for (let t = 0; t < m; t++) block[ri + t] -= dot * block[rk + t];
            }
          }
          let norm = 0;
          for (let t = 0; t < m; t++) norm += block[ri + t] * block[ri + t];
          norm = Math.sqrt(norm);
          if (!(norm > 0)) throw new FusedRnnError(`Orthogonal: degenerate random matrix at column ${j0 + i}`);
          for (let t = 0; t < m; t++) block[ri + t] /= norm;
        }
        const v2 = a.f32(V, nb * m);
        for (let i = 0; i < nb * m; i++) v2[i] = block[i];
      }
      const q = a.f32(Qt, n * m);
      if (rows < cols) {
        for (let i = 0; i < n * m; i++) out[i] = this.gain * q[i]; // Qᵀ (n = rows, m = cols)
      } else {
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[i * n + j] = this.gain * q[j * m + i];
      }
    } finally {
      a.release(mark);
    }
  }
  getConfig() { return { gain: this.gain }; }
}

const BLOCK = 32;

const REGISTRY: Record<string, (config: Record<string, unknown>) => Initializer> = {
  GlorotUniform: () => new GlorotUniform(),
  GlorotNormal: () => new GlorotNormal(),
  HeUniform: () => new HeUniform(),
  HeNormal: () => new HeNormal(),
  Orthogonal: (c) => new Orthogonal((c.gain as number) ?? 1),
  Zeros: () => new Zeros(),
  Ones: () => new Ones(),
  Constant: (c) => new Constant((c.value as number | number[]) ?? 0),
  RandomUniform: (c) => new RandomUniform((c.minval as number) ?? -0.05, (c.maxval as number) ?? 0.05),
  RandomNormal: (c) => new RandomNormal((c.mean as number) ?? 0, (c.stddev as number) ?? 0.05),
  VarianceScaling: (c) => new VarianceScaling((c.scale as number) ?? 1, (c.mode as Mode) ?? 'fan_in', (c.distribution as Distribution) ?? 'truncated_normal'),
};

/** 'glorot_uniform' | 'glorotUniform' | 'GlorotUniform' → 'GlorotUniform'. */
function canonical(name: string): string {
  return name.split(/[_\s]/).map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('');
}

/** An Initializer from a name, a { className, config } object or an instance (Keras initializers.get). */
export function getInitializer(spec: InitializerSpec): Initializer {
  checkArgument('getInitializer', 'spec', spec, custom('an initializer name, { className, config } or an initializer object', (v) => typeof v === 'string' || (typeof v === 'object' && v !== null && !Array.isArray(v))));
  if (typeof spec === 'object' && spec !== null && !ArrayBuffer.isView(spec) && 'fill' in spec) return spec;
  const name = typeof spec === 'string' ? spec : spec?.className;
  const config = typeof spec === 'object' && spec !== null && 'config' in spec ? spec.config ?? {} : {};
  const make = typeof name === 'string' ? REGISTRY[canonical(name)] : undefined;
  if (!make) {
    throw new FusedRnnError(`unknown initializer ${JSON.stringify(name)}; known: ${Object.keys(REGISTRY).join(', ')}`);
  }
  return make(config);
}

/** Serialises an initializer as Keras does: { className, config }. */
export function serializeInitializer(init: Initializer): { className: string; config: Record<string, unknown> } {
  checkArgument('serializeInitializer', 'init', init, custom('an initializer object (with className and getConfig)', (v) => typeof (v as Initializer | null)?.className === 'string' && typeof (v as Initializer).getConfig === 'function'));
  return { className: init.className, config: init.getConfig() };
}
