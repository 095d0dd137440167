// Browser smoke test page logic (loaded by gemm.html, driven by test/browser.test.ts).
// Loads the browser bundle from the static server, runs gemmNN/gemmTN/gemmNT on a shape that is not a
// multiple of 4 in any dimension, on the embedded SIMD build and on a build fetched by URL, and compares
// each to the plain-JS backend (same Kernels interface). Publishes { ok, backend, checks, error } on
// window.__gemmResult.
import { hasRelaxedSimd, loadKernels } from '/dist/browser/index.js';

const [M, N, K] = [13, 17, 9];
const TOL = 1e-5;

// mulberry32, the same seeded generator as test/helpers/random.ts: n uniform values in [-1, 1).
function uniform(n, seed) {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = -1 + 2 * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

// A (M, K) for nn/nt, (K, M) for tn; B (K, N) for nn/tn, (N, K) for nt: same element counts for all forms.
const A = uniform(M * K, 1), B = uniform(K * N, 2);

function run(kernels, form) {
  const arena = kernels.arena;
  const mark = arena.mark();
  const pA = arena.putF32(A), pB = arena.putF32(B), pC = arena.allocZeroed(M * N);
  const fn = form === 'nn' ? kernels.gemmNN : form === 'tn' ? kernels.gemmTN : kernels.gemmNT;
  fn(pC, pA, pB, M, N, K);
  const out = arena.readF32(pC, M * N);
  arena.release(mark);
  return out;
}

function maxDiff(got, want) {
  let d = got.length === want.length ? 0 : Infinity;
  for (let i = 0; i < want.length; i++) {
    const e = Math.abs(got[i] - want[i]);
    if (!(e <= d)) d = e; // NaN-aware: a NaN makes d NaN, which fails the check below
  }
  return d;
}

function show(check, diff, pass) {
  const row = document.createElement('tr');
  row.innerHTML = `<td>${check}</td><td>${Number.isFinite(diff) ? diff.toExponential(2) : diff}</td>` +
    `<td class="${pass ? 'pass' : 'fail'}">${pass ? 'pass' : 'FAIL'}</td>`;
  document.querySelector('#results tbody').append(row);
}

async function main() {
  const simd = await loadKernels();
  const fromUrl = await loadKernels({ wasm: '/build/release.wasm' });
  const js = await loadKernels({ backend: 'js' });
  const checks = [];
  for (const form of ['nn', 'tn', 'nt']) {
    const want = run(js, form);
    for (const [label, k] of [['embedded', simd], ['url', fromUrl]]) {
      const diff = maxDiff(run(k, form), want);
      const pass = diff <= TOL;
      checks.push({ check: `gemm_${form} ${label} ${M}x${N}x${K}`, maxDiff: diff, pass });
      show(`gemm_${form} (${label}, ${k.backend}) ${M}×${N}×${K}`, diff, pass);
    }
  }
  // the default (auto) picks the relaxed-SIMD build where the browser validates relaxed SIMD
  const relaxed = hasRelaxedSimd();
  const ok = simd.backend === (relaxed ? 'wasm-relaxed' : 'wasm-simd') && fromUrl.backend === 'wasm-simd' && js.backend === 'js' && checks.every((c) => c.pass);
  document.getElementById('status').textContent = `backend ${simd.backend}: ${ok ? 'all checks pass' : 'FAILED'}`;
  return { ok, relaxed, backend: simd.backend, urlBackend: fromUrl.backend, jsBackend: js.backend, checks };
}

main().then(
  (result) => { window.__gemmResult = result; },
  (error) => {
    document.getElementById('status').textContent = `error: ${error}`;
    window.__gemmResult = { ok: false, error: String(error && error.stack || error) };
  },
);
