// Recurrent benchmark: LSTM, GRU and SimpleRNN forward and forward+backward, one wasm call per direction per
// sequence, on wasm SIMD vs wasm scalar vs the plain-TypeScript reference (the JS backend), all through the
// same checked Kernels interface. Run with `npm run bench:rnn`.
// Validates every backend against the reference first (exit 1 on mismatch), then times only kernel calls
// (buffers planned outside the timed closures): median of ≥ 5 runs after a warm-up (the reference takes 3
// when one call is slower than a second). Napkin maths: forward ≈ (8 LSTM | 6 GRU | 2 SimpleRNN)·T·B·H·(D+H)
// flops, backward ≈ 2× forward, so forward+backward ≈ 3× forward; tokens/s = T·B / t.
// Bars (issue 4): LSTM forward+backward at T64 B32 D64 H256 ≥ 15 GFLOP/s single-threaded and ≥ 15× the reference.
import { performance } from 'node:perf_hooks';
import { loadKernels, type Kernels } from '../bindings/index.js';
import { closeReport } from '../test/helpers/check-close.js';
import { forwardFlops, planCell, type CellName, type PlannedCell, type Shape } from './helpers/rnn-cells.js';
import { describeMachine } from './helpers/machine.js';
import { saveResults } from './helpers/results.js';

type BackendName = 'simd' | 'scalar' | 'js';
type Mode = 'fwd' | 'fwd+bwd';
const BACKENDS: BackendName[] = ['simd', 'scalar', 'js'];
const MODES: Mode[] = ['fwd', 'fwd+bwd'];
const SHAPES: Shape[] = [
  { label: 'T64 B32 D64 H256', T: 64, B: 32, D: 64, H: 256 },
  { label: 'T40 B32 D100 H64', T: 40, B: 32, D: 100, H: 64 },
  { label: 'T64 B1 D64 H256 (streaming)', T: 64, B: 1, D: 64, H: 256 },
];
const HEADLINE = { cell: 'lstm' as CellName, mode: 'fwd+bwd' as Mode, shape: SHAPES[0].label };

/** Every backend exposes every family here; a cell missing from the bindings is reported and skipped. */
function cellsAvailable(k: Kernels): CellName[] {
  const cells: CellName[] = ['lstm', 'simple_rnn'];
  if (typeof (k as Partial<Kernels>).gruForward === 'function') cells.splice(1, 0, 'gru');
  return cells;
}

/** Median seconds of `runs` calls after `warmup` untimed calls. */
function medianSeconds(fn: () => void, runs: number, warmup: number): { median: number; samples: number[] } {
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    samples.push((performance.now() - t0) / 1000);
  }
  const sorted = [...samples].sort((p, q) => p - q);
  const mid = sorted.length >> 1;
  return { median: sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2, samples };
}

function validate(name: string, got: Record<string, Float32Array>, want: Record<string, Float32Array>): void {
  for (const key of Object.keys(want)) {
    let scale = 0;
    for (const v of want[key]) scale = Math.max(scale, Math.abs(v));
    const report = closeReport(`${name} ${key}`, got[key], want[key], 1e-4 * Math.max(1, scale), 1e-3);
    if (report) {
      console.error(`validation failed, not timing:\n${report}`);
      process.exit(1);
    }
  }
}

const fmt = (x: number, digits = 1) => x.toFixed(digits);

async function main(): Promise<void> {
  const kernels: Record<BackendName, Kernels> = {
    simd: await loadKernels(),
    scalar: await loadKernels({ variant: 'scalar' }),
    js: await loadKernels({ backend: 'js' }),
  };
  const machine = describeMachine();
  console.log(`rnn benchmark on ${machine.cpuModel} (${machine.cores} cores), node ${machine.node}, single-threaded`);
  const cells = cellsAvailable(kernels.simd);
  if (!cells.includes('gru')) console.log('gru: skipped (the bindings do not expose gruForward)');

  const rows: unknown[] = [];
  const lines: string[] = [];
  const rates = new Map<string, Record<BackendName, number>>();

  for (const shape of SHAPES) {
    for (const cell of cells) {
      const planned = Object.fromEntries(BACKENDS.map((b) => [b, planCell(kernels[b], cell, shape)])) as Record<BackendName, PlannedCell>;
      // Validate one forward + backward of every backend against the reference.
      for (const b of ['js', 'simd', 'scalar'] as const) {
        planned[b].forward();
        planned[b].backward();
      }
      const want = planned.js.read();
      validate(`${cell} ${shape.label} simd`, planned.simd.read(), want);
      validate(`${cell} ${shape.label} scalar`, planned.scalar.read(), want);

      for (const mode of MODES) {
        const flops = forwardFlops(cell, shape) * (mode === 'fwd' ? 1 : 3);
        const seconds = {} as Record<BackendName, number>;
        const samples = {} as Record<BackendName, number[]>;
        for (const b of BACKENDS) {
          const p = planned[b];
          const fn = mode === 'fwd' ? p.forward : () => { p.forward(); p.backward(); };
          // The reference already ran once (validation); a slow backend gets fewer timed runs.
          const probe = medianSeconds(fn, 1, 0).median;
          const runs = b === 'js' && probe > 1 ? 3 : 5;
          const m = medianSeconds(fn, runs, b === 'js' || probe > 1 ? 0 : 1);
          seconds[b] = m.median;
          samples[b] = m.samples;
        }
        const gf = Object.fromEntries(BACKENDS.map((b) => [b, flops / seconds[b] / 1e9])) as Record<BackendName, number>;
        const tokens = Object.fromEntries(BACKENDS.map((b) => [b, (shape.T * shape.B) / seconds[b]])) as Record<BackendName, number>;
        const ratios = { simdOverScalar: seconds.scalar / seconds.simd, simdOverJs: seconds.js / seconds.simd };
        const name = `${cell} ${mode} ${shape.label}`;
        rates.set(name, gf);
        rows.push({ cell, mode, shape, flops, seconds, samples, gflops: gf, tokensPerSecond: tokens, ratios });
        const line = `${name.padEnd(44)} GFLOP/s: simd ${fmt(gf.simd)}, scalar ${fmt(gf.scalar)}, js ${fmt(gf.js, 2)} | ` +
          `tokens/s simd ${Math.round(tokens.simd)} | simd/scalar ${fmt(ratios.simdOverScalar)}x, simd/js ${fmt(ratios.simdOverJs)}x`;
        lines.push(line);
        console.log(line);
      }
      for (const b of BACKENDS) planned[b].release();
    }
  }

  const headlineName = `${HEADLINE.cell} ${HEADLINE.mode} ${HEADLINE.shape}`;
  const headline = rates.get(headlineName)!;
  const ratio = headline.simd / headline.js;
  const bars = { gflops: headline.simd >= 15, ratioOverJs: ratio >= 15 };
  const file = saveResults('rnn', {
    benchmark: 'rnn',
    unit: 'GFLOP/s = napkin flops / t / 1e9; forward (8 LSTM | 6 GRU | 2 SimpleRNN)·T·B·H·(D+H), forward+backward 3× forward',
    machine,
    cells,
    rows,
    headline: { name: headlineName, gflops: headline.simd, simdOverJs: ratio, bars },
  });
  console.log(`\nsummary:\n${lines.join('\n')}\nsaved ${file}`);
  console.log(`bars: ≥ 15 GFLOP/s ${bars.gflops ? 'met' : 'MISSED'}, ≥ 15x js ${bars.ratioOverJs ? 'met' : 'MISSED'}`);
  console.log(`lstm fwd+bwd T64 B32 D64 H256: ${fmt(headline.simd)} GFLOP/s, simd/js: ${fmt(ratio)}x`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
