// Training kernels benchmark: fused Adam, fused AdamW and global-norm clipping over P = 10M parameters,
// wasm SIMD (and wasm scalar) vs the plain-TypeScript reference, measured in the same run.
// Validates first (one step from identical state must agree bit for bit; exit 1 otherwise), then times the
// median of 7 runs after 2 warm-ups with performance.now (each run is one whole 10M-element call; benny's
// many-sample statistics add nothing at ~10-100 ms per call and its repeated calls would keep mutating state).
// Bytes touched per element: Adam/AdamW read g, w, m, v and write w, m, v = 7 × 4 = 28 B; global-norm
// clipping reads g in the norm pass and reads + writes g in the scale pass = 3 × 4 = 12 B.
import { performance } from 'node:perf_hooks';
import { loadKernels, type Kernels } from '../bindings/index.js';
import * as refClip from '../bindings/reference/clipping.js';
import * as refOpt from '../bindings/reference/optimizers.js';
import { closeReport } from '../test/helpers/check-close.js';
import { uniform } from '../test/helpers/random.js';
import { describeMachine } from './helpers/machine.js';
import { saveResults } from './helpers/results.js';

const P = 10_000_000;
const WARMUP = 2, RUNS = 7;
const ADAM_BYTES = 28 * P, CLIP_BYTES = 12 * P;
const HYPER = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0.004 };
const CLIP = 100;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Median seconds of `fn` over RUNS runs after WARMUP runs; `before` (untimed) resets inputs. */
function time(fn: (run: number) => void, before: () => void = () => {}): number {
  const times: number[] = [];
  for (let r = 0; r < WARMUP + RUNS; r++) {
    before();
    const t0 = performance.now();
    fn(r + 1);
    const t1 = performance.now();
    if (r >= WARMUP) times.push((t1 - t0) / 1e3);
  }
  return median(times);
}

/** One set of slabs in a kernels' arena (wasm) or plain arrays (js reference), and the timed operations. */
interface Side {
  reset(): void;
  resetG(): void;
  adam(t: number): void;
  adamw(t: number): void;
  clip(): void;
  read(): { W: Float32Array; M: Float32Array; V: Float32Array; G: Float32Array };
}

const W0 = uniform(P, 1), G0 = uniform(P, 2), M0 = uniform(P, 3, -0.01, 0.01), V0 = uniform(P, 4, 0, 0.01);
const RANGES: Array<[number, number]> = [[0, 1_000_003], [1_000_003, 4_500_000], [5_500_003, 4_499_997]];

function wasmSide(k: Kernels): Side {
  const a = k.arena;
  const W = a.putF32(W0), M = a.putF32(M0), V = a.putF32(V0), G = a.putF32(G0);
  const grads = k.gradTable(G, RANGES);
  const reset = () => {
    const F = a.F32;
    F.set(W0, W >> 2); F.set(M0, M >> 2); F.set(V0, V >> 2); F.set(G0, G >> 2);
  };
  return {
    reset,
    resetG: () => a.F32.set(G0, G >> 2),
    adam: (t: number) => k.adam(W, M, V, G, P, { ...HYPER, step: t }),
    adamw: (t: number) => k.adamw(W, M, V, G, P, { ...HYPER, step: t }),
    clip: () => void k.globalClipnorm(grads, CLIP),
    read: () => ({ W: a.readF32(W, P), M: a.readF32(M, P), V: a.readF32(V, P), G: a.readF32(G, P) }),
  };
}

function jsSide(): Side {
  const W = Float32Array.from(W0), M = Float32Array.from(M0), V = Float32Array.from(V0), G = Float32Array.from(G0);
  const table = Int32Array.from(RANGES.flat()), sums = new Float64Array(RANGES.length), status = new Int32Array(2);
  const { learningRate: lr, beta1, beta2, epsilon, weightDecay } = HYPER;
  return {
    reset: () => { W.set(W0); M.set(M0); V.set(V0); G.set(G0); },
    resetG: () => G.set(G0),
    adam: (t: number) => refOpt.adam(W, M, V, G, lr, beta1, beta2, epsilon, t),
    adamw: (t: number) => refOpt.adamw(W, M, V, G, lr, beta1, beta2, epsilon, t, weightDecay),
    clip: () => {
      // Keras global_clipnorm on the reference: norm pass, then one factor clip / max(norm, clip).
      const norm = Math.sqrt(refClip.gradNorms(sums, status, G, table, RANGES.length));
      const s = CLIP / Math.max(norm, CLIP);
      if (s !== 1) refClip.clipScale(G, table, RANGES.length, s);
    },
    read: () => ({ W, M, V, G }),
  };
}


function validate(label: string, sides: Record<string, Side>): void {
  const names = Object.keys(sides);
  for (const [op, run] of [['adam', (s: Side) => s.adam(1)], ['adamw', (s: Side) => s.adamw(1)], ['global_clipnorm', (s: Side) => s.clip()]] as const) {
    const outs = names.map((n) => { sides[n].reset(); run(sides[n]); return sides[n].read(); });
    for (let i = 1; i < names.length; i++) {
      for (const key of ['W', 'M', 'V', 'G'] as const) {
        const report = closeReport(`${label}: ${op} ${names[i]} vs ${names[0]} ${key}`, outs[i][key], outs[0][key], 0, 0);
        if (report) {
          console.error(`VALIDATION FAILED\n${report}`);
          process.exit(1);
        }
      }
    }
  }
  console.log(`validated: adam, adamw, global_clipnorm agree bit for bit across ${names.join(', ')} (P = ${P})`);
}

async function main(): Promise<void> {
  const machine = describeMachine();
  console.log(`train-kernels benchmark on ${machine.cpuModel} (${machine.cores} cores), node ${machine.node}; P = ${P}`);
  const mem = { initialBytes: 4 * 4 * P + (1 << 20) };
  const sides: Record<string, Side> = {
    'wasm-simd': wasmSide(await loadKernels(mem)),
    'wasm-scalar': wasmSide(await loadKernels({ ...mem, variant: 'scalar' })),
    js: jsSide(),
  };
  validate('10M', sides);

  const results: Record<string, Record<string, { seconds: number; GBps: number }>> = {};
  for (const [op, bytes] of [['adam', ADAM_BYTES], ['adamw', ADAM_BYTES], ['global_clipnorm', CLIP_BYTES]] as const) {
    results[op] = {};
    for (const [name, s] of Object.entries(sides)) {
      s.reset();
      const seconds = op === 'global_clipnorm' ? time(() => s.clip(), s.resetG) : time((t) => s[op](t));
      results[op][name] = { seconds, GBps: bytes / seconds / 1e9 };
    }
    const r = results[op];
    console.log(
      `${op.padEnd(16)} ${Object.entries(r).map(([n, x]) => `${n} ${(x.seconds * 1e3).toFixed(1)} ms (${x.GBps.toFixed(2)} GB/s)`).join(', ')}; ` +
        `simd/js ${(r.js.seconds / r['wasm-simd'].seconds).toFixed(2)}x, simd/scalar ${(r['wasm-scalar'].seconds / r['wasm-simd'].seconds).toFixed(2)}x`,
    );
  }
  const ratio = results.adam.js.seconds / results.adam['wasm-simd'].seconds;
  const file = saveResults('train-kernels', {
    machine,
    P,
    runs: { warmup: WARMUP, timed: RUNS, statistic: 'median' },
    bytesPerElement: { adam: 28, adamw: 28, global_clipnorm: 12 },
    results,
    ratios: {
      adamSimdOverJs: ratio,
      adamwSimdOverJs: results.adamw.js.seconds / results.adamw['wasm-simd'].seconds,
      clipSimdOverJs: results.global_clipnorm.js.seconds / results.global_clipnorm['wasm-simd'].seconds,
    },
  });
  console.log(`saved ${file}`);
  if (ratio < 4) console.log(`note: fused Adam is below the 4x bar over the TS reference (${ratio.toFixed(2)}x)`);
  console.log(`adam 10M: ${results.adam['wasm-simd'].GBps.toFixed(2)} GB/s, simd/js: ${ratio.toFixed(2)}x`);
}

await main();
