// Power-iteration spectral norm against matrices with known singular values: diagonal, Q1·diag(s)·Q2ᵀ with
// orthonormal Q's (H = 7, not a multiple of 4; G = 4H), per-gate blocks built the same way, an orthogonal
// matrix (σ = 1 in two iterations), the zero matrix, warm starts, determinism and bad input.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DataValueError } from '../src/errors.js';
import { gateNames, recurrentSpectralNorms, spectralNorm } from '../src/diagnostics/index.js';
import { uniform } from './helpers/random.js';

/** n orthonormal columns of length m (m >= n) by modified Gram–Schmidt on seeded data, as an (m, n) row-major matrix. */
function orthonormalColumns(m: number, n: number, seed: number): Float64Array {
  const a = Float64Array.from(uniform(m * n, seed));
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < j; k++) {
      let d = 0;
      for (let i = 0; i < m; i++) d += a[i * n + j] * a[i * n + k];
      for (let i = 0; i < m; i++) a[i * n + j] -= d * a[i * n + k];
    }
    let s = 0;
    for (let i = 0; i < m; i++) s += a[i * n + j] ** 2;
    s = Math.sqrt(s);
    for (let i = 0; i < m; i++) a[i * n + j] /= s;
  }
  return a;
}

/** A (H, G) matrix Q1·diag(s)·Q2ᵀ, Q1 (H, H) orthogonal, Q2 (G, H) orthonormal columns: singular values s. */
function withSingularValues(s: number[], G: number, seed: number): Float64Array {
  const H = s.length;
  const q1 = orthonormalColumns(H, H, seed), q2 = orthonormalColumns(G, H, seed + 1);
  const out = new Float64Array(H * G);
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < G; j++) {
      let v = 0;
      for (let k = 0; k < H; k++) v += q1[i * H + k] * s[k] * q2[j * H + k];
      out[i * G + j] = v;
    }
  }
  return out;
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

test('diagonal (5, 7) matrix: σ_max = 2.5; close σ_2 = 2.4 converges slowly and says so', () => {
  const s = [0.3, 2.5, 1.7, 0.9, 2.4];
  const M = new Float64Array(5 * 7);
  s.forEach((v, i) => { M[i * 7 + i] = v; });
  const slow = spectralNorm(M, 5, 7, { maxIterations: 20 });
  assert.is(slow.converged, false);
  assert.is(slow.iterations, 20);
  assert.ok(slow.sigma <= 2.5 && slow.sigma > 2.4, `${slow.sigma}`); // a lower bound that approaches σ_max
  const full = spectralNorm(M, 5, 7, { maxIterations: 2000, tolerance: 1e-13 });
  assert.ok(full.converged);
  assert.ok(rel(full.sigma, 2.5) < 1e-10, `${full.sigma}`);
  assert.ok(Math.abs(Math.abs(full.v[1]) - 1) < 1e-5, `v = ${Array.from(full.v)}`); // right singular vector e_2
});

test('Q1·diag(s)·Q2ᵀ with H = 7, G = 28: σ_max = max s, from Float32 and Float64 storage', () => {
  const s = [0.4, 1.9, 0.05, 1.2, 0.8, 1.1, 0.6];
  const U = withSingularValues(s, 28, 11);
  const r = spectralNorm(U, 7, 28);
  assert.ok(r.converged, `iterations ${r.iterations}`);
  assert.ok(rel(r.sigma, 1.9) < 1e-7, `${r.sigma}`);
  const r32 = recurrentSpectralNorms(Float32Array.from(U), 7, 28).full;
  assert.ok(rel(r32.sigma, 1.9) < 1e-6, `${r32.sigma}`);
  // every H×H block of U has σ <= σ_max(U)
  for (const b of recurrentSpectralNorms(U, 7, 28).blocks) assert.ok(b.sigma <= 1.9 * (1 + 1e-9), `${b.gate}: ${b.sigma}`);
});

test('per-gate blocks with known singular values: LSTM [i | f | c | o], H = 6', () => {
  const H = 6, G = 4 * H;
  const maxes = [0.7, 1.4, 0.95, 2.2];
  const U = new Float64Array(H * G);
  maxes.forEach((m, k) => {
    const s = [m, m * 0.5, m * 0.3, m * 0.2, m * 0.1, m * 0.05];
    const B = withSingularValues(s, H, 100 + k);
    for (let i = 0; i < H; i++) for (let j = 0; j < H; j++) U[i * G + k * H + j] = B[i * H + j];
  });
  const r = recurrentSpectralNorms(U, H, G, { tolerance: 1e-12 });
  assert.equal(r.blocks.map((b) => b.gate), ['i', 'f', 'c', 'o']);
  r.blocks.forEach((b, k) => assert.ok(rel(b.sigma, maxes[k]) < 1e-9, `${b.gate}: ${b.sigma} vs ${maxes[k]}`));
  // the whole kernel: at least the largest block, at most the root of the sum of squares of the blocks
  const bound = Math.sqrt(maxes.reduce((a, m) => a + m * m, 0));
  assert.ok(r.full.sigma >= 2.2 * (1 - 1e-9) && r.full.sigma <= bound, `${r.full.sigma}`);
});

test('orthogonal U: σ = 1 after two iterations; zero U: σ = 0', () => {
  const Q = orthonormalColumns(9, 9, 5);
  const r = spectralNorm(Q, 9, 9);
  assert.ok(Math.abs(r.sigma - 1) < 1e-12, `${r.sigma}`);
  assert.ok(r.converged && r.iterations <= 2, `iterations ${r.iterations}`);
  const z = spectralNorm(new Float32Array(12), 3, 4);
  assert.is(z.sigma, 0);
  assert.ok(z.converged);
});

test('warm start from the previous v converges in at most 2 iterations; results are deterministic', () => {
  const U = withSingularValues([0.4, 1.9, 0.05, 1.2, 1.5], 15, 3);
  const cold = spectralNorm(U, 5, 15, { tolerance: 1e-10 });
  assert.ok(cold.converged);
  const again = spectralNorm(U, 5, 15, { tolerance: 1e-10 });
  assert.is(again.sigma, cold.sigma);
  assert.equal(Array.from(again.v), Array.from(cold.v));
  assert.ok(cold.iterations > 10, `cold start took ${cold.iterations}`);
  const warm = spectralNorm(U, 5, 15, { tolerance: 1e-10, start: cold.v });
  assert.ok(warm.iterations <= 2, `warm start took ${warm.iterations}`);
  assert.ok(rel(warm.sigma, 1.9) < 1e-8);
  const viaStarts = recurrentSpectralNorms(U, 5, 15, { tolerance: 1e-10, starts: { full: cold.v } });
  assert.ok(viaStarts.full.iterations <= 2);
});

test('gate names by G/H and bad input', () => {
  assert.equal(gateNames(5, 5), ['h']);
  assert.equal(gateNames(5, 15), ['z', 'r', 'h']);
  assert.equal(gateNames(5, 20), ['i', 'f', 'c', 'o']);
  assert.equal(gateNames(2, 4), ['block0', 'block1']);
  const isData = (re: RegExp) => (e: unknown) => e instanceof DataValueError && re.test((e as Error).message);
  assert.throws(() => recurrentSpectralNorms(new Float32Array(10), 3, 4), isData(/U has 10 elements, expected \(H, G\) = \(3, 4\)/));
  assert.throws(() => recurrentSpectralNorms(new Float32Array(12), 3, 4), isData(/G = 4 is not a multiple of H = 3/));
  assert.throws(() => spectralNorm(new Float32Array(6), 0, 6), isData(/shape \(0, 6\)/));
  assert.throws(() => spectralNorm(new Float32Array(6), 2, 4), isData(/needs 8 elements, the matrix has 6/));
  assert.throws(() => spectralNorm(new Float32Array(6), 2, 3, { start: [1, 2] }), isData(/start has length 2, expected 3/));
});

test.run();
