// `npm run bench:browser`: W2f (training) and W3 B32 (inference) of bench/peers/workloads.ts for fused-rnn,
// TensorFlow.js 4.22 (wasm backend) and onnxruntime-web 1.30 inside headless Chromium (Debian's
// /usr/bin/chromium or the other binaries test/helpers/chromium.ts finds, driven by playwright-core), at 1 and
// 2 threads, on the cross-origin isolated page of scripts/serve-web.mjs (COOP/COEP: SharedArrayBuffer, so
// fused-rnn's helper Workers and the peers' pthreads exist). Every cell runs in a fresh module Worker
// (bench/browser-probe.ts, bundled here with esbuild), alternating fused-rnn and the peer for ROUNDS rounds
// with the timed runs pooled (as bench:peers does for its headline cells). All peers get fused-rnn's seeded
// weights; first losses / output sums are cross-checked (rel 1e-4). Prints a table, saves
// bench/results/browser-<date>.json and ends with the line
//   browser W3 B32 vs ort-web: <r>x, W2f vs tfjs-wasm: <r>x
// (W3 B32: both at 1 thread; W2f: fused-rnn on 2 threads vs tfjs-wasm on 2 threads, its best cell here).
// BROWSER_ROUNDS (default 2) and BROWSER_CELLS (e.g. "W3 B32") narrow a run.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { loadKernels } from '../src/index.js';
import { launchChromium } from '../test/helpers/chromium.js';
import type { BrowserCellRequest } from './browser-probe.js';
import { describeMachine } from './helpers/machine.js';
import { saveResults } from './helpers/results.js';
import { buildOnnxRnn, kerasDirections } from './peers/onnx-model.js';
import { WORKLOADS, fusedModel, itemsPerRun } from './peers/workloads.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const OUT = join(ROOT, 'build/bench-browser');
const ROUNDS = Math.max(1, Number(process.env.BROWSER_ROUNDS ?? 2));
const ONLY = process.env.BROWSER_CELLS ? new Set(process.env.BROWSER_CELLS.split(',').map((s) => s.trim())) : null;

type Peer = BrowserCellRequest['peer'];
type WorkloadId = BrowserCellRequest['workload'];
interface Cell {
  peer: Peer; workload: WorkloadId; threads: number; ok: boolean; error?: string; times?: number[]; medianMs?: number;
  check?: number; version?: string; isolated?: boolean; warmup?: number; rounds?: number;
}

const PLAN: Array<[WorkloadId, Peer, number]> = [
  ['W2f', 'fused-rnn', 1], ['W2f', 'tfjs-wasm', 1], ['W2f', 'fused-rnn', 2], ['W2f', 'tfjs-wasm', 2],
  ['W3 B32', 'fused-rnn', 1], ['W3 B32', 'ort-web', 1], ['W3 B32', 'fused-rnn', 2], ['W3 B32', 'ort-web', 2],
];

async function bundle(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  await build({
    entryPoints: [join(ROOT, 'bench/browser-probe.ts')], bundle: true, format: 'esm', platform: 'browser', target: 'es2022',
    outfile: join(OUT, 'probe.js'), external: ['node:*'], logLevel: 'error',
    // onnxruntime-web's bundle mentions Node built-ins behind runtime checks that are false in a browser.
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  // The W3 B32 model for onnxruntime-web: fused-rnn's seeded LSTM(256) weights in an ONNX LSTM graph.
  const w3 = WORKLOADS.find((w) => w.id === 'W3 B32')!;
  const fused = await fusedModel(w3, await loadKernels());
  const bytes = buildOnnxRnn({ cell: 'lstm', D: w3.D!, H: w3.H, resetAfter: false, returnSequences: w3.returnSequences, directions: kerasDirections(fused.getWeights()) });
  writeFileSync(join(OUT, 'W3-B32.onnx'), bytes);
}

async function serve(): Promise<{ server: ChildProcess; origin: string }> {
  const server = spawn(process.execPath, [join(ROOT, 'scripts/serve-web.mjs'), '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`serve-web.mjs printed no URL: ${out}`)), 10000);
    server.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /https?:\/\/\S+\/web\/dist\//.exec(out);
      if (m) { clearTimeout(timer); ok(m[0]); }
    });
  });
  return { server, origin: new URL(url).origin };
}

async function runCell(page: Page, origin: string, workload: WorkloadId, peer: Peer, threads: number): Promise<Cell> {
  const t = Date.now();
  const req: BrowserCellRequest = { peer, workload, threads, origin };
  const r = await page.evaluate(async ({ src, req }) => new Promise<unknown>((ok) => {
    const w = new Worker(src, { type: 'module' });
    w.onmessage = (e) => { w.terminate(); ok(e.data); };
    w.onerror = (e) => { w.terminate(); ok({ ...req, ok: false, error: e.message }); };
    w.postMessage(req);
  }), { src: `${origin}/build/bench-browser/probe.js`, req }) as Cell;
  const w = WORKLOADS.find((x) => x.id === workload)!;
  const rate = r.ok ? `${fmt(itemsPerRun(w) / (r.medianMs! / 1000))} ${w.unit}` : `failed: ${r.error?.split('\n')[0]}`;
  console.log(`  ${workload.padEnd(7)} ${peer.padEnd(9)} ${threads}t ${rate} (${((Date.now() - t) / 1000).toFixed(0)} s)`);
  return r;
}

function fmt(v: number): string {
  return v >= 1000 ? Math.round(v).toLocaleString('en-US') : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toPrecision(2);
}

async function main(): Promise<void> {
  await bundle();
  const { server, origin } = await serve();
  let browser: Browser | undefined;
  const load0 = loadavg();
  const cells = new Map<string, Cell>();
  let chromiumVersion = '';
  try {
    browser = await launchChromium({ timeout: 60_000 });
    chromiumVersion = browser.version();
    const page = await browser.newPage();
    await page.goto(`${origin}/web/dist/`);
    if (!(await page.evaluate(() => crossOriginIsolated))) throw new Error('the page is not cross-origin isolated (COOP/COEP missing): no threads');
    console.log(`Chromium ${chromiumVersion}, page ${origin}/web/dist/ (cross-origin isolated), ${ROUNDS} rounds, cells in fresh module Workers:`);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [workload, peer, threads] of PLAN) {
        if (ONLY && !ONLY.has(workload)) continue;
        const key = `${workload}|${peer}|${threads}`;
        const next = await runCell(page, origin, workload, peer, threads);
        const prev = cells.get(key);
        if (!prev) { cells.set(key, { ...next, rounds: 1 }); continue; }
        if (!prev.ok || !next.ok) { cells.set(key, prev.ok ? prev : next); continue; }
        const times = [...prev.times!, ...next.times!];
        const sorted = [...times].sort((a, b) => a - b);
        cells.set(key, { ...prev, times, medianMs: sorted[sorted.length >> 1], rounds: (prev.rounds ?? 1) + 1 });
      }
    }
  } finally {
    await browser?.close();
    server.kill();
  }
  const load1 = loadavg();

  const rate = (workload: WorkloadId, peer: Peer, threads: number) => {
    const c = cells.get(`${workload}|${peer}|${threads}`);
    return c?.ok ? itemsPerRun(WORKLOADS.find((w) => w.id === workload)!) / (c.medianMs! / 1000) : NaN;
  };
  const mismatches: string[] = [];
  for (const c of cells.values()) {
    const f = cells.get(`${c.workload}|fused-rnn|1`);
    if (!c.ok || !f?.ok || c === f) continue;
    const tol = 1e-4 * Math.max(1, Math.abs(f.check!));
    if (!(Math.abs(c.check! - f.check!) <= tol)) mismatches.push(`${c.workload} ${c.peer} ${c.threads}t: ${c.check} vs fused-rnn ${f.check}`);
  }
  console.log('\n| workload | unit | threads | fused-rnn | tfjs-wasm | ort-web |\n| --- | --- | --- | --- | --- | --- |');
  for (const id of ['W2f', 'W3 B32'] as const) {
    if (ONLY && !ONLY.has(id)) continue;
    const w = WORKLOADS.find((x) => x.id === id)!;
    for (const threads of [1, 2]) {
      const f = rate(id, 'fused-rnn', threads);
      const col = (p: Peer) => {
        const c = cells.get(`${id}|${p}|${threads}`);
        if (!c) return '–';
        if (!c.ok) return `fails: ${c.error?.split('\n')[0].slice(0, 60)}`;
        const r = rate(id, p, threads);
        return p === 'fused-rnn' ? fmt(r) : `${fmt(r)} (${(f / r).toFixed(1)}x)`;
      };
      console.log(`| ${id} | ${w.unit} | ${threads} | ${col('fused-rnn')} | ${col('tfjs-wasm')} | ${col('ort-web')} |`);
    }
  }
  console.log(`\nMedians of the timed runs of ${ROUNDS} alternating rounds (each cell a fresh Worker: ~0.5 s warm-up, ~1.5 s timed). (Nx) = fused-rnn / peer at the same thread count.`);
  console.log(`Versions: ${[...new Set([...cells.values()].filter((c) => c.version).map((c) => c.version))].join('; ')}; Chromium ${chromiumVersion}.`);
  console.log(`Load average (1 min) before/after: ${load0[0].toFixed(2)} / ${load1[0].toFixed(2)} on ${describeMachine().cores} cores.`);
  console.log(mismatches.length ? `CROSS-CHECK MISMATCHES:\n  ${mismatches.join('\n  ')}` : 'Cross-checks: every peer\'s first loss / output sum matches fused-rnn (rel 1e-4) on identical weights.');
  const w3 = rate('W3 B32', 'fused-rnn', 1) / rate('W3 B32', 'ort-web', 1);
  const w2f = rate('W2f', 'fused-rnn', 2) / rate('W2f', 'tfjs-wasm', 2);
  const summary = `browser W3 B32 vs ort-web: ${w3.toFixed(2)}x, W2f vs tfjs-wasm: ${w2f.toFixed(1)}x`;
  const saved = saveResults('browser', {
    machine: describeMachine(), chromium: chromiumVersion, loadAverage: { before: load0, after: load1 }, rounds: ROUNDS, mismatches,
    cells: [...cells.values()].map((c) => ({ ...c, rate: rate(c.workload, c.peer, c.threads) })), summary,
  });
  console.log(`saved ${saved}`);
  console.log(summary);
  if (mismatches.length) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
