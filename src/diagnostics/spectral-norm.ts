// Spectral norm σ_max of a recurrent kernel U (H, G) by power iteration on UᵀU, for the whole H×G matrix and
// for each H×H gate block (LSTM [i | f | c | o], GRU [z | r | h], SimpleRNN [h]). For a SimpleRNN the per-step
// Jacobian is dh_t/dh_{t−1} = diag(act′)·Uᵀ, so σ_max(U) < 1 with tanh (|act′| <= 1) is sufficient for vanishing
// and σ_max(U) > 1 is necessary for exploding (Pascanu, Mikolov & Bengio 2013).
//   v ← Uᵀ(U v) / ‖·‖,  σ_k = ‖Uᵀ u‖ with u = U v/‖U v‖;  stop when |σ_k − σ_{k−1}| <= tol·σ_k
// Converges like (σ_2/σ_1)^(2k). f64 throughout; the start vector is fixed (deterministic) unless passed in, and
// the final v is returned so a monitor can warm-start the next call (one or two iterations per training step).
import { DataValueError } from '../errors.js';
import { checkArgument } from '../options/schema.js';
import * as is from '../options/specs.js';

/** Options of the power iteration in spectralNorm(). */
export interface SpectralNormOptions {
  /** Iteration cap (default 100). */
  maxIterations?: number;
  /** Relative change of σ between iterations at which to stop (default 1e-7). */
  tolerance?: number;
  /** Start vector of length cols (e.g. the previous call's `v`); default: a fixed quasi-random vector. */
  start?: ArrayLike<number>;
}

/** The estimated largest singular value σ_max and how the iteration ended. */
export interface SpectralNormResult {
  /** The estimate of σ_max (a lower bound that converges to it). */
  sigma: number;
  iterations: number;
  converged: boolean;
  /** Right singular vector estimate (length cols, unit norm): pass it as `start` next time. */
  v: Float64Array;
}

/** Fixed start vector: the golden-ratio sequence frac((j+1)·φ) − 0.5, never aligned with a coordinate axis. */
function defaultStart(n: number): Float64Array {
  const phi = 0.6180339887498949;
  const v = new Float64Array(n);
  for (let j = 0; j < n; j++) { const x = (j + 1) * phi; v[j] = x - Math.floor(x) - 0.5; }
  return v;
}

function normalize(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const n = Math.sqrt(s);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] /= n;
  return n;
}

/**
 * σ_max of the rows×cols block of a row-major matrix M with row stride `stride` starting at element `offset`
 * (whole matrix: offset 0, stride cols).
 */
export function spectralNorm(
  M: ArrayLike<number>, rows: number, cols: number, opts: SpectralNormOptions = {}, offset = 0, stride = cols,
): SpectralNormResult {
  checkArgument('spectralNorm', 'M', M, is.numbers());
  checkArgument('spectralNorm', 'opts', opts, is.object());
  checkArgument('spectralNorm', 'offset', offset, is.integer({ min: 0 }));
  checkArgument('spectralNorm', 'stride', stride, is.integer({ min: 1 }));
  if (!(Number.isInteger(rows) && rows > 0 && Number.isInteger(cols) && cols > 0)) {
    throw new DataValueError(`spectralNorm: shape (${rows}, ${cols}) must be positive integers`);
  }
  if (offset + (rows - 1) * stride + cols > M.length) {
    throw new DataValueError(`spectralNorm: a (${rows}, ${cols}) block at offset ${offset}, stride ${stride} needs `
      + `${offset + (rows - 1) * stride + cols} elements, the matrix has ${M.length}`);
  }
  const maxIterations = opts.maxIterations ?? 100;
  const tol = opts.tolerance ?? 1e-7;
  let v: Float64Array;
  if (opts.start) {
    if (opts.start.length !== cols) throw new DataValueError(`spectralNorm: start has length ${opts.start.length}, expected ${cols}`);
    v = Float64Array.from(opts.start);
  } else v = defaultStart(cols);
  if (normalize(v) === 0) { // a zero start vector cannot find anything: fall back to the fixed one
    v = defaultStart(cols);
    normalize(v);
  }

  const u = new Float64Array(rows);
  const w = new Float64Array(cols);
  let sigma = 0, prev = NaN, it = 0, converged = false;
  while (it < maxIterations) {
    it++;
    // u = M v
    for (let r = 0; r < rows; r++) {
      let s = 0;
      const base = offset + r * stride;
      for (let c = 0; c < cols; c++) s += M[base + c] * v[c];
      u[r] = s;
    }
    if (normalize(u) === 0) { sigma = 0; converged = true; break; } // v in the null space: M v = 0
    // w = Mᵀ u, σ = ‖w‖
    w.fill(0);
    for (let r = 0; r < rows; r++) {
      const ur = u[r], base = offset + r * stride;
      for (let c = 0; c < cols; c++) w[c] += M[base + c] * ur;
    }
    sigma = normalize(w);
    if (!Number.isFinite(sigma)) break;
    v.set(w);
    if (Math.abs(sigma - prev) <= tol * sigma) { converged = true; break; }
    prev = sigma;
  }
  return { sigma, iterations: it, converged, v };
}

/** Spectral norms of a recurrent kernel U: whole and per gate. */
export interface RecurrentSpectralNorms {
  /** U as one H×G matrix. */
  full: SpectralNormResult;
  /** Each H×H block U[:, kH:(k+1)H], named by gate. */
  blocks: Array<SpectralNormResult & { gate: string }>;
}

/** Gate names by G/H: 1 SimpleRNN [h], 3 GRU [z, r, h], 4 LSTM [i, f, c, o]; otherwise block0, block1, ... */
export function gateNames(H: number, G: number): string[] {
  checkArgument('gateNames', 'H', H, is.positiveInt());
  checkArgument('gateNames', 'G', G, is.positiveInt());
  const k = G / H;
  if (k === 1) return ['h'];
  if (k === 3) return ['z', 'r', 'h'];
  if (k === 4) return ['i', 'f', 'c', 'o'];
  return Array.from({ length: Math.floor(k) }, (_, i) => `block${i}`);
}

/**
 * Spectral norms of a recurrent kernel U (H, G) (Keras layout, row-major) as a whole and per gate block.
 * `starts` (optional) are the previous call's `v`s (full first, then blocks) for a warm start.
 */
export function recurrentSpectralNorms(
  U: ArrayLike<number>, H: number, G: number,
  opts: SpectralNormOptions & { gates?: string[]; starts?: { full?: ArrayLike<number>; blocks?: ArrayLike<number>[] } } = {},
): RecurrentSpectralNorms {
  checkArgument('recurrentSpectralNorms', 'U', U, is.numbers());
  checkArgument('recurrentSpectralNorms', 'H', H, is.positiveInt());
  checkArgument('recurrentSpectralNorms', 'G', G, is.positiveInt());
  checkArgument('recurrentSpectralNorms', 'opts', opts, is.object());
  if (U.length !== H * G) throw new DataValueError(`recurrentSpectralNorms: U has ${U.length} elements, expected (H, G) = (${H}, ${G})`);
  if (G % H !== 0) throw new DataValueError(`recurrentSpectralNorms: G = ${G} is not a multiple of H = ${H}`);
  const gates = opts.gates ?? gateNames(H, G);
  if (gates.length !== G / H) throw new DataValueError(`recurrentSpectralNorms: ${gates.length} gate names for ${G / H} blocks`);
  const base = { maxIterations: opts.maxIterations, tolerance: opts.tolerance };
  const full = spectralNorm(U, H, G, { ...base, start: opts.starts?.full });
  const blocks = gates.map((gate, k) => ({
    gate,
    ...spectralNorm(U, H, H, { ...base, start: opts.starts?.blocks?.[k] }, k * H, G),
  }));
  return { full, blocks };
}
