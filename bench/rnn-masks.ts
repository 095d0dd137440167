// Masking cost of the fused recurrent kernels: LSTM and GRU forward+backward at T64 B32 D64 H256 without a
// mask, with per-sample lengths (right and left padding), with the equivalent one-sided step masks and with a
// gappy step mask; optionally against a baseline build of the kernels in the same process (the "no slowdown
// for the one-sided case" check of issue 14):
//   npm run build && tsx bench/rnn-masks.ts [--baseline path/to/release.wasm]
// Validates first (masked == lengths bit for bit on the current build; current == baseline within 1e-5 where
// both have the feature; exit 1 otherwise), then times alternating rounds (each round runs every case once,
// in rotating order, so drift on a shared machine hits every case alike) and reports medians and ratios.
// Napkin maths: forward+backward ≈ 3 · (8 LSTM | 6 GRU) · T·B·H·(D+H) flops over the valid steps.
import { performance } from 'node:perf_hooks';
import { loadKernels, type Kernels } from '../bindings/index.js';
import { closeReport } from '../test/helpers/check-close.js';
import { uniform } from '../test/helpers/random.js';
import { forwardFlops, planCell, type CellName, type Masking, type PlannedCell, type Shape } from './helpers/rnn-cells.js';
import { describeMachine } from './helpers/machine.js';
import { saveResults } from './helpers/results.js';

const SHAPE: Shape = { label: 'T64 B32 D64 H256', T: 64, B: 32, D: 64, H: 256 };
const ROUNDS = Number(process.env.ROUNDS ?? 15);
const CELLS: CellName[] = ['lstm', 'gru'];
const { T, B } = SHAPE;

// lengths spread over [T/4, T]: a realistic padded batch
const LENGTHS = Array.from({ length: B }, (_, b) => Math.round(T / 4 + ((b * 37) % B) * (3 * T / 4) / (B - 1)));
const maskOf = (valid: (b: number, t: number) => boolean) => {
  const m = new Uint8Array(T * B);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) m[t * B + b] = valid(b, t) ? 1 : 0;
  return m;
};
const u = uniform(T * B, 11, 0, 1);
const MODES: Array<{ name: string; masking: Masking; needsMask: boolean }> = [
  { name: 'no mask', masking: {}, needsMask: false },
  { name: 'lengths right', masking: { lengths: LENGTHS }, needsMask: false },
  { name: 'lengths left', masking: { lengths: LENGTHS, leftPadded: true }, needsMask: false },
  { name: 'stepMask right', masking: { stepMask: maskOf((b, t) => t < LENGTHS[b]) }, needsMask: true },
  { name: 'stepMask left', masking: { stepMask: maskOf((b, t) => t >= T - LENGTHS[b]) }, needsMask: true },
  { name: 'stepMask gappy', masking: { stepMask: maskOf((b, t) => t < LENGTHS[b] && u[t * B + b] < 0.8) }, needsMask: true },
];

function validOf(m: Masking): (b: number, t: number) => boolean {
  if (m.stepMask) return (b, t) => m.stepMask![t * B + b] === 1;
  if (m.lengths) return (b, t) => (m.leftPadded ? t >= T - m.lengths![b] : t < m.lengths![b]);
  return () => true;
}

const median = (xs: number[]) => { const s = [...xs].sort((p, q) => p - q); return s[s.length >> 1]; };

function fail(report: string): never {
  console.error(`validation failed, not timing:\n${report}`);
  process.exit(1);
}

function compare(label: string, got: Record<string, Float32Array>, want: Record<string, Float32Array>, exact: boolean): void {
  for (const key of Object.keys(want)) {
    let scale = 0;
    for (const v of want[key]) scale = Math.max(scale, Math.abs(v));
    const report = exact ? closeReport(`${label} ${key}`, got[key], want[key], 0, 0) : closeReport(`${label} ${key}`, got[key], want[key], 1e-5 * Math.max(1, scale), 1e-5);
    if (report) fail(report);
  }
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--baseline');
  const baselinePath = i > 0 ? process.argv[i + 1] : null;
  const builds: Array<{ name: string; k: Kernels }> = [{ name: 'current', k: await loadKernels({ initialBytes: 256 << 20 }) }];
  if (baselinePath) builds.push({ name: 'baseline', k: await loadKernels({ wasm: baselinePath, initialBytes: 256 << 20 }) });

  interface Case { cell: CellName; build: string; mode: string; planned: PlannedCell; flops: number; times: number[] }
  const cases: Case[] = [];
  for (const cell of CELLS) {
    for (const build of builds) {
      for (const mode of MODES) {
        if (build.name === 'baseline' && mode.needsMask) continue; // the baseline predates step masks
        const planned = planCell(build.k, cell, SHAPE, mode.masking);
        const valid = validOf(mode.masking);
        let steps = 0;
        for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) steps += valid(b, t) ? 1 : 0;
        cases.push({ cell, build: build.name, mode: mode.name, planned, flops: 3 * forwardFlops(cell, SHAPE) * steps / (T * B), times: [] });
      }
    }
  }
  // validation: one forward + backward each; step masks == lengths bit for bit; baseline == current
  const results = new Map<string, Record<string, Float32Array>>();
  for (const c of cases) {
    c.planned.forward();
    c.planned.backward();
    results.set(`${c.cell}/${c.build}/${c.mode}`, c.planned.read());
  }
  for (const cell of CELLS) {
    compare(`${cell} stepMask right == lengths right`, results.get(`${cell}/current/stepMask right`)!, results.get(`${cell}/current/lengths right`)!, true);
    compare(`${cell} stepMask left == lengths left`, results.get(`${cell}/current/stepMask left`)!, results.get(`${cell}/current/lengths left`)!, true);
    // the baseline carried h0 through leading masked steps where Keras (and now the kernels) output 0; with
    // h0 != 0 the two differ there, so compare only the cases without leading masked steps
    if (baselinePath) for (const mode of ['no mask', 'lengths right']) {
      compare(`${cell} ${mode}: current vs baseline`, results.get(`${cell}/current/${mode}`)!, results.get(`${cell}/baseline/${mode}`)!, false);
    }
  }
  console.log(`validated (step masks == lengths bit for bit${baselinePath ? '; current == baseline' : ''}); ${ROUNDS} alternating rounds`);
  for (let r = 0; r < ROUNDS; r++) {
    for (let j = 0; j < cases.length; j++) {
      const c = cases[(j + r) % cases.length];
      const t0 = performance.now();
      c.planned.forward();
      c.planned.backward();
      c.times.push((performance.now() - t0) / 1000);
    }
  }
  const rows = cases.map((c) => ({ cell: c.cell, build: c.build, mode: c.mode, ms: 1000 * median(c.times), gflops: c.flops / median(c.times) / 1e9 }));
  console.log(`\nfwd+bwd ${SHAPE.label}, lengths in [${Math.min(...LENGTHS)}, ${Math.max(...LENGTHS)}], median of ${ROUNDS}`);
  for (const r of rows) console.log(`${r.cell.padEnd(5)} ${r.build.padEnd(9)} ${r.mode.padEnd(15)} ${r.ms.toFixed(2).padStart(8)} ms  ${r.gflops.toFixed(1).padStart(5)} GFLOP/s (valid steps)`);
  const ms = (cell: string, build: string, mode: string) => rows.find((r) => r.cell === cell && r.build === build && r.mode === mode)!.ms;
  console.log('');
  for (const cell of CELLS) {
    for (const mode of ['lengths right', 'lengths left']) {
      const masked = mode.replace('lengths', 'stepMask');
      console.log(`${cell} ${mode}: stepMask/lengths ${(ms(cell, 'current', masked) / ms(cell, 'current', mode)).toFixed(3)}x` +
        (baselinePath ? `, current/baseline ${(ms(cell, 'current', mode) / ms(cell, 'baseline', mode)).toFixed(3)}x` : ''));
    }
    if (baselinePath) console.log(`${cell} no mask: current/baseline ${(ms(cell, 'current', 'no mask') / ms(cell, 'baseline', 'no mask')).toFixed(3)}x`);
  }
  console.log(`saved ${saveResults('rnn-masks', { machine: describeMachine(), shape: SHAPE, lengths: LENGTHS, rounds: ROUNDS, baseline: baselinePath, rows })}`);
}

void main();
