// Initializers: Keras formulas (limits, variances), seeded determinism, orthogonality, speed of the
// orthogonal initializer on a (1024, 4096) recurrent kernel.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadKernels, type Kernels } from '../bindings/index.js';
import { FusedRnnError } from '../bindings/errors.js';
import { fans, getInitializer, Orthogonal, serializeInitializer } from '../src/initializers.js';
import { Random } from '../src/random.js';
import { throwsTyped } from './helpers/assert-throws.js';

let k: Kernels, js: Kernels;
test.before(async () => {
  k = await loadKernels();
  js = await loadKernels({ backend: 'js' });
});

function make(spec: string, shape: number[], seed = 1, kernels = k): Float32Array {
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  getInitializer(spec).fill(out, shape, new Random(seed), kernels);
  return out;
}

const stats = (x: Float32Array) => {
  let s = 0, s2 = 0, lo = Infinity, hi = -Infinity;
  for (const v of x) { s += v; s2 += v * v; lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const mean = s / x.length;
  return { mean, variance: s2 / x.length - mean * mean, lo, hi };
};

test('fans follow Keras (2-D, conv (K, C, F), bias)', () => {
  assert.equal(fans([100, 256]), { fanIn: 100, fanOut: 256 });
  assert.equal(fans([3, 16, 32]), { fanIn: 48, fanOut: 96 });
  assert.equal(fans([7]), { fanIn: 7, fanOut: 7 });
});

test('glorotUniform / heUniform: bounded by the Keras limit, variance limit²/3', () => {
  for (const [name, limit] of [['glorot_uniform', Math.sqrt(6 / (200 + 300))], ['heUniform', Math.sqrt(6 / 200)]] as const) {
    const x = make(name, [200, 300]);
    const s = stats(x);
    assert.ok(s.lo >= -limit && s.hi <= limit, `${name} within ±${limit}`);
    assert.ok(s.hi > 0.99 * limit && s.lo < -0.99 * limit, `${name} reaches the limit`);
    assert.ok(Math.abs(s.variance / (limit * limit / 3) - 1) < 0.02, `${name} variance ${s.variance}`);
    assert.ok(Math.abs(s.mean) < 0.01 * limit);
  }
});

test('glorotNormal / heNormal: truncated at 2 stddev, Keras variance', () => {
  for (const [name, variance] of [['glorotNormal', 2 / 500], ['he_normal', 2 / 200]] as const) {
    const x = make(name, [200, 300]);
    const s = stats(x);
    const std = Math.sqrt(variance) / 0.87962566103423978;
    assert.ok(s.lo >= -2 * std - 1e-7 && s.hi <= 2 * std + 1e-7, `${name} truncated`);
    assert.ok(Math.abs(s.variance / variance - 1) < 0.03, `${name} variance ${s.variance} vs ${variance}`);
  }
});

test('zeros, ones, constant (scalar and full matrix), randomUniform/Normal defaults', () => {
  assert.ok(make('zeros', [3, 5]).every((v) => v === 0));
  assert.ok(make('Ones', [3, 5]).every((v) => v === 1));
  const m = Float32Array.from({ length: 6 }, (_, i) => i / 2);
  const out = new Float32Array(6);
  getInitializer({ className: 'Constant', config: { value: Array.from(m) } }).fill(out, [2, 3], new Random(0), k);
  assert.equal(Array.from(out), Array.from(m));
  throwsTyped(() => getInitializer({ className: 'Constant', config: { value: [1, 2] } }).fill(out, [2, 3], new Random(0), k),
    FusedRnnError, /2 values given for a tensor of shape \(2, 3\) = 6 elements/);
  const u = stats(make('random_uniform', [100, 100]));
  assert.ok(u.lo >= -0.05 && u.hi <= 0.05);
  const nrm = stats(make('randomNormal', [100, 100]));
  assert.ok(Math.abs(Math.sqrt(nrm.variance) - 0.05) < 0.002);
  throwsTyped(() => getInitializer('xavier'), FusedRnnError, /unknown initializer "xavier"; known: GlorotUniform/);
});

test('seeded: the same seed gives identical bits, another seed differs', () => {
  for (const name of ['glorotUniform', 'glorotNormal', 'orthogonal', 'randomNormal']) {
    const a = make(name, [20, 36], 7), b = make(name, [20, 36], 7), c = make(name, [20, 36], 8);
    assert.equal(Array.from(a), Array.from(b), `${name} reproducible`);
    assert.not.equal(Array.from(a), Array.from(c), `${name} seed matters`);
  }
});

function maxOrthoError(q: Float32Array, rows: number, cols: number): number {
  // rows <= cols: Q·Qᵀ = I (rows orthonormal); rows > cols: Qᵀ·Q = I.
  const byRows = rows <= cols;
  const n = byRows ? rows : cols, m = byRows ? cols : rows;
  const at = (i: number, t: number) => (byRows ? q[i * cols + t] : q[t * cols + i]);
  let worst = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) {
    let d = 0;
    for (let t = 0; t < m; t++) d += at(i, t) * at(j, t);
    worst = Math.max(worst, Math.abs(d - (i === j ? 1 : 0)));
  }
  return worst;
}

test('orthogonal: orthonormal rows (H, 4H) and columns (tall), blocks > 1, gain, both backends', () => {
  for (const [rows, cols] of [[9, 36], [70, 70], [100, 33], [1, 5], [5, 1]]) {
    const q = make('orthogonal', [rows, cols]);
    assert.ok(maxOrthoError(q, rows, cols) < 2e-6, `(${rows}, ${cols}): ${maxOrthoError(q, rows, cols)}`);
    const qj = make('orthogonal', [rows, cols], 1, js);
    assert.ok(maxOrthoError(qj, rows, cols) < 2e-6, `js (${rows}, ${cols})`);
  }
  const g = new Float32Array(16 * 16);
  new Orthogonal(2).fill(g, [16, 16], new Random(3), k);
  assert.ok(maxOrthoError(Float32Array.from(g, (v) => v / 2), 16, 16) < 2e-6);
  assert.equal(serializeInitializer(new Orthogonal(2)), { className: 'Orthogonal', config: { gain: 2 } });
});

test('orthogonal (1024, 4096), the LSTM H = 1024 recurrent kernel: orthonormal rows, timed', () => {
  const t = performance.now();
  const q = make('orthogonal', [1024, 4096], 11);
  const ms = performance.now() - t;
  // Spot-check orthonormality on 64 rows (the full check is 1024² dot products of length 4096).
  let worst = 0;
  for (let i = 0; i < 1024; i += 16) for (let j = 0; j <= i; j += 16) {
    let d = 0;
    for (let c = 0; c < 4096; c++) d += q[i * 4096 + c] * q[j * 4096 + c];
    worst = Math.max(worst, Math.abs(d - (i === j ? 1 : 0)));
  }
  console.log(`    orthogonal (1024, 4096): ${ms.toFixed(0)} ms, max |QQᵀ − I| on sampled pairs ${worst.toExponential(1)}`);
  assert.ok(worst < 5e-6, `orthonormal: ${worst}`);
});

test.run();
