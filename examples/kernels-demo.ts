// `npm start`: a short tour of the kernels on this machine. Loads the embedded SIMD build, checks a GEMM
// against the plain-TypeScript reference, and times both side by side (until the training CLI exists,
// this is the project's main job).
import { loadKernels, type Kernels } from '../src/index.js';

function seeded(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

function timeGemm(k: Kernels, M: number, N: number, K: number, runs: number): { gflops: number; out: Float32Array } {
  const a = k.arena;
  const mark = a.mark();
  const A = a.putF32(seeded(M * K, 1)), B = a.putF32(seeded(K * N, 2)), C = a.alloc(M * N);
  k.gemmNN(C, A, B, M, N, K); // warm-up
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    k.gemmNN(C, A, B, M, N, K);
    times.push(performance.now() - t);
  }
  times.sort((x, y) => x - y);
  const out = a.readF32(C, M * N);
  a.release(mark);
  return { gflops: (2 * M * N * K) / (times[times.length >> 1] * 1e6), out };
}

const simd = await loadKernels();
const js = await loadKernels({ backend: 'js' });
console.log(`fused-rnn kernels: backend ${simd.backend}, arena ${simd.arena.byteLength / 2 ** 20} MiB`);
console.log('shape (M, N, K)            simd GFLOP/s   js GFLOP/s   ratio   max |diff|');
for (const [M, N, K] of [[32, 1024, 256], [256, 256, 256], [2048, 1024, 64]]) {
  const s = timeGemm(simd, M, N, K, 9);
  const j = timeGemm(js, M, N, K, 3);
  let maxDiff = 0;
  for (let i = 0; i < s.out.length; i++) maxDiff = Math.max(maxDiff, Math.abs(s.out[i] - j.out[i]));
  console.log(
    `(${M}, ${N}, ${K})`.padEnd(27) + s.gflops.toFixed(1).padStart(13) + j.gflops.toFixed(2).padStart(13) +
      `${(s.gflops / j.gflops).toFixed(1)}x`.padStart(8) + maxDiff.toExponential(1).padStart(13),
  );
}
