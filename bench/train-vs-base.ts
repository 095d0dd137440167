// Training-step speed of this build against an older commit's build, measured side by side in ONE process
// (the machine is shared and noisy): the older commit is exported with `git archive` into a temp directory,
// built there (wasm + JS), and both builds' dist/node/index.js are imported here. Rounds alternate the
// order (base, new / new, base); each round times `steps` one-batch fit() calls per build and keeps the
// median; the ratio printed is median over rounds of new/base step time (1.00 = same speed).
//   W1 = ids (B32, T40) → Embedding(5000, 100) → LSTM(64) → Dense(1, sigmoid), BCE, Adam
//   W2 = ids (B32, T64) → Embedding(80, 64) → LSTM(256, seq) → Dense(80) softmax CE, Adam
// Usage: npm run build && tsx bench/train-vs-base.ts [--base <git ref>] [--rounds 7] [--steps 5]
// Validation first: both builds give the same first-step loss (same seed, same data) or the bench exits 1.
import { execSync } from 'node:child_process';
import { existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeMachine } from './helpers/machine.js';
import { saveResults } from './helpers/results.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const ref = arg('base', process.env.FRNN_BASE ?? '94d8fe8');
const rounds = Number(arg('rounds', '7')), steps = Number(arg('steps', '5'));

type Lib = typeof import('../src/index.js');

function buildBase(): string {
  const dir = mkdtempSync(join(tmpdir(), 'frnn-base-'));
  execSync(`git archive ${ref} | tar -x -C ${dir}`, { stdio: 'inherit', shell: '/bin/bash' });
  symlinkSync(resolve('node_modules'), join(dir, 'node_modules'));
  execSync('node scripts/build-wasm.mjs && node scripts/build-js.mjs', { cwd: dir, stdio: 'inherit' });
  return dir;
}

interface Workload { name: string; B: number; T: number; V: number; seq: boolean; loss: string; make: (L: Lib) => InstanceType<Lib['Sequential']> }
const W: Workload[] = [
  { name: 'W1 lstm', B: 32, T: 40, V: 5000, seq: false, loss: 'binaryCrossentropy',
    make: (L) => new L.Sequential([new L.Embedding({ inputDim: 5000, outputDim: 100 }), new L.LSTM({ units: 64 }), new L.Dense({ units: 1, activation: 'sigmoid' })], { seed: 1 }) },
  { name: 'W2 lstm', B: 32, T: 64, V: 80, seq: true, loss: 'sparseCategoricalCrossentropy',
    make: (L) => new L.Sequential([new L.Embedding({ inputDim: 80, outputDim: 64 }), new L.LSTM({ units: 256, returnSequences: true }), new L.Dense({ units: 80, activation: 'softmax' })], { seed: 1 }) },
];

function data(L: Lib, w: Workload) {
  const r = new L.Random(11);
  const x = { data: Int32Array.from({ length: w.B * w.T }, () => r.int(w.V)), shape: [w.B, w.T] };
  const y = w.seq ? { data: Int32Array.from({ length: w.B * w.T }, () => r.int(w.V)), shape: [w.B, w.T] } : { data: Float32Array.from({ length: w.B }, () => r.int(2)), shape: [w.B, 1] };
  return { x, y };
}

const median = (v: number[]) => v.slice().sort((a, b) => a - b)[v.length >> 1];

async function setup(L: Lib, w: Workload) {
  const kernels = await L.loadKernels({ variant: 'simd' });
  const m = w.make(L);
  (m as unknown as { kernels: unknown }).kernels = kernels;
  m.compile({ optimizer: 'adam', loss: w.loss });
  const { x, y } = data(L, w);
  const first = (await m.fit(x, y, { epochs: 1, batchSize: w.B, shuffle: false })).history.loss[0];
  return {
    first,
    async time(): Promise<number> {
      const t: number[] = [];
      for (let i = 0; i < steps; i++) {
        const t0 = performance.now();
        await m.fit(x, y, { epochs: 1, batchSize: w.B, shuffle: false });
        t.push(performance.now() - t0);
      }
      return median(t);
    },
  };
}

const baseDir = existsSync(ref) ? ref : buildBase();
const base = (await import(pathToFileURL(join(baseDir, 'dist/node/index.js')).href)) as Lib;
const next = (await import(pathToFileURL(resolve('dist/node/index.js')).href)) as Lib;
const rows: Array<Record<string, unknown>> = [];
for (const w of W) {
  const a = await setup(base, w), b = await setup(next, w);
  if (a.first !== b.first) {
    console.error(`${w.name}: first-step loss differs: base ${a.first}, new ${b.first}`);
    process.exit(1);
  }
  for (let i = 0; i < 2; i++) { await a.time(); await b.time(); } // warm-up
  const ratios: number[] = [], tb: number[] = [], tn: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const [x, y] = r % 2 ? [await b.time(), await a.time()] : [await a.time(), await b.time()].reverse();
    tn.push(x); tb.push(y); ratios.push(x / y);
  }
  const row = { workload: w.name, B: w.B, T: w.T, base: ref, baseStepMs: median(tb), newStepMs: median(tn), ratioNewOverBase: median(ratios), rounds, steps };
  rows.push(row);
  console.log(`${w.name} (B${w.B}, T${w.T}): base ${median(tb).toFixed(2)} ms/step, new ${median(tn).toFixed(2)} ms/step, new/base ${median(ratios).toFixed(3)} (median of ${rounds} alternating rounds)`);
}
console.log(`saved ${saveResults('train-vs-base', { machine: describeMachine(), rows })}`);
