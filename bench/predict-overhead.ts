// `tsx bench/predict-overhead.ts`: where the time of one small `model.predict` goes (issue 17, W3 B1:
// LSTM(256) inference on (1, 64, 64), last state only). Every raw wasm export is wrapped with a timer
// (loadKernels' wrapRaw hook), so one predict splits into: time inside each wasm export (lstm_infer, copies,
// fills...), and the JS around them (option checks, input conversion and validation, planning, argument
// checks, the output readout). Then A/B pairs, alternating call by call: predict with the packed weights
// cached vs repacked every call, and the raw lstm_infer with and without FLAG_PREPACKED.
// Env: PREDICT_CALLS (default 400) timed calls after 100 warm-up calls; PREDICT_VARIANT (default 'auto').
// Prints medians per call in microseconds. Run under /work/coord/quiet for numbers you report.

import { loadKernels, type RawKernels } from '../src/index.js';
import { batch, fusedModel, WORKLOADS } from './peers/workloads.js';

const CALLS = Number(process.env.PREDICT_CALLS ?? 400);
const variant = (process.env.PREDICT_VARIANT ?? 'auto') as 'auto' | 'simd' | 'relaxed';
const w = WORKLOADS.find((x) => x.id === (process.env.PREDICT_WORKLOAD ?? 'W3 B1'))!;

/** Per-export time of the current call (ms), reset before each predict; the last arguments of each export. */
const spent = new Map<string, number>();
const lastArgs = new Map<string, number[]>();
let raw: RawKernels | null = null;
const wrap = (r: RawKernels): RawKernels => {
  raw = r;
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(r)) {
    if (typeof fn !== 'function') { out[name] = fn; continue; }
    out[name] = (...args: unknown[]) => {
      lastArgs.set(name, args as number[]);
      const t0 = performance.now();
      try { return (fn as (...a: unknown[]) => unknown)(...args); } finally { spent.set(name, (spent.get(name) ?? 0) + performance.now() - t0); }
    };
  }
  return out as unknown as RawKernels;
};

const k = await loadKernels({ variant, wrapRaw: wrap });
const m = await fusedModel(w, k);
const { x } = batch(w);
const median = (v: number[]) => { const s = v.slice().sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

for (let i = 0; i < 100; i++) await m.predict(x, { batchSize: w.B });
const totals: number[] = [];
const perExport = new Map<string, number[]>();
for (let i = 0; i < CALLS; i++) {
  spent.clear();
  const t0 = performance.now();
  await m.predict(x, { batchSize: w.B });
  totals.push(performance.now() - t0);
  for (const [name, ms] of spent) { if (!perExport.has(name)) perExport.set(name, []); perExport.get(name)!.push(ms); }
  for (const name of perExport.keys()) if (!spent.has(name)) perExport.get(name)!.push(0);
}
const us = (ms: number) => (ms * 1000).toFixed(1).padStart(8);
const wasmTotal = totals.map((_, i) => [...perExport.values()].reduce((a, v) => a + v[i], 0));
console.log(`${w.id}: ${w.cell.toUpperCase()}(${w.H}) inference, x (${w.B}, ${w.T}, ${w.D}), kernels ${k.variant}, Node ${process.versions.node}, ${CALLS} calls`);
console.log(`  predict total          ${us(median(totals))} µs per call (median; min ${us(Math.min(...totals))})`);
for (const [name, v] of [...perExport].sort((a, b) => median(b[1]) - median(a[1]))) {
  console.log(`  wasm ${name.padEnd(18)}${us(median(v))} µs  (${(v.filter((t) => t > 0).length / CALLS).toFixed(0)} calls per predict)`);
}
console.log(`  JS outside wasm        ${us(median(totals.map((t, i) => t - wasmTotal[i])))} µs`);

// Side by side, alternating call by call (the machine's noise hits both alike): predict with the packed
// weights cached (the default) and predict after reading `model.slabs`, which bumps the weights version and
// so repacks, as every call did before the cache; then the raw kernel with and without FLAG_PREPACKED.
const ab = async (a: () => unknown, b: () => unknown): Promise<[number, number]> => {
  for (let i = 0; i < 50; i++) { await a(); await b(); }
  const ta: number[] = [], tb: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    let t0 = performance.now(); await a(); ta.push(performance.now() - t0);
    t0 = performance.now(); await b(); tb.push(performance.now() - t0);
  }
  return [median(ta), median(tb)];
};
const [cached, repacked] = await ab(() => m.predict(x, { batchSize: w.B }), () => { void m.slabs; return m.predict(x, { batchSize: w.B }); });
console.log(`  A/B predict: cached panels ${us(cached)} µs, repacked every call ${us(repacked)} µs: ${(repacked / cached).toFixed(3)}x`);

// predict against its own recurrent kernel call alone (the arguments predict passed, panels current): the
// difference is everything predict does outside that call.
const r = raw as unknown as Record<string, (...a: number[]) => void>;
const kernelName = w.cell === 'lstm' ? 'lstm_infer' : 'gru_infer';
const captured = lastArgs.get(kernelName);
if (captured) {
  const flagsAt = w.cell === 'lstm' ? 14 : 13, args = captured.slice();
  args[flagsAt] |= 64; // PREPACKED: predict's workspace holds the panels
  const state = w.cell === 'lstm' ? [args[1], args[2]] : [args[1]]; // h (and c): zeros, as predict starts
  const [whole, kernel] = await ab(() => m.predict(x, { batchSize: w.B }), () => { for (const p of state) k.arena.f32(p, w.B * w.H).fill(0); r[kernelName](...args); });
  console.log(`  A/B predict ${us(whole)} µs vs its ${kernelName} call alone ${us(kernel)} µs: ${us(whole - kernel)} µs outside the kernel`);
}

if (w.cell === 'lstm' && r.recurrent_pack_weights) {
  const { B, T, D, H } = w, G = 4 * H, a = k.arena, PREPACKED = 64;
  const mark = a.mark();
  const work = (a.alloc((D + H) * G + 16) + 63) & ~63;
  const W = a.alloc(D * G), U = a.alloc(H * G), b = a.alloc(G), xs = a.alloc(T * B * D), h = a.alloc(B * H), c = a.alloc(B * H), scratch = a.alloc(T * B * G);
  const wt = m.getWeights();
  a.f32(W, D * G).set(wt[0].data); a.f32(U, H * G).set(wt[1].data); a.f32(b, G).set(wt[2].data);
  a.f32(xs, T * B * D).set((x.data as Float32Array).subarray(0, T * B * D));
  const run = (flags: number) => () => { a.f32(h, B * H).fill(0); a.f32(c, B * H).fill(0); r.lstm_infer(0, h, c, scratch, work, xs, W, U, b, 0, T, B, D, H, flags, 1, 2); };
  const [pre, packs] = await ab(run(PREPACKED), run(0));
  const [pack] = await ab(() => r.recurrent_pack_weights(work, W, U, D, H, G), () => {});
  console.log(`  A/B raw lstm_infer: prepacked ${us(pre)} µs, packing ${us(packs)} µs (difference ${us(packs - pre)}); recurrent_pack_weights alone ${us(pack)} µs`);
  a.release(mark);
}
k.dispose();
