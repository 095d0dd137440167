// Streaming on several threads for `fused-rnn/infer` (loadInferKernels({ threads: N })), loaded lazily so the
// one-thread bundle does not carry it (test/bundle-size.test.ts).
//
//   | module statics | main scratch | helper scratch × (N - 1) | arena ... |   one shared WebAssembly.Memory
//
// The inference module's memory import is byte-patched to a shared one (threads/shared-module.ts, the same
// patch the training library's threads use: the helpers run exactly the bytes the caller runs), and N - 1
// persistent helpers (worker_threads in Node, Web Workers in browsers) instantiate it over the same memory,
// each with its own kernel scratch (set_thread_scratch).
//
// Why spinning, not a message per step: a streaming step is ≈ 10-20 µs, and a postMessage round trip or an
// Atomics.wait wake-up costs tens to hundreds of µs (≈ 350 µs measured on the 2-vCPU VM of this work). Each helper spins on its lane's SEQ word (Atomics.load) for up to
// HELPER_SPIN_MS after its last job, then sleeps in Atomics.wait (an idle stream burns no core); the caller
// notifies only when the helper's SLEEP word says it sleeps. The caller spins on DONE likewise (then waits).
// The Atomics operations on SEQ / DONE order each side's plain wasm stores before the other side's loads.
//
// Control block (Int32Array over a SharedArrayBuffer): one lane of LANE_INTS words per helper:
//   SEQ (job number, bumped by the caller) | DONE (last finished job) | FN (0 infer_lstm_units, 1 infer_gru_units, -1 exit)
//   | STATUS (0 ok, 1 failed) | SLEEP (helper in Atomics.wait) | WAITING (caller in Atomics.wait)
//   | f64 arguments from word ARGS_I32.

import { Arena, PAGE_BYTES, type ArenaOptions } from './arena.js';
import { FusedRnnError } from './errors.js';
import { withSharedMemoryImport } from './threads/shared-module.js';

const LANE_INTS = 64, SEQ = 0, DONE = 1, FN = 2, STATUS = 3, SLEEP = 4, WAITING = 5, ARGS_I32 = 8;
/** How long a helper spins for the next step before it sleeps (ms): a few steps' worth at streaming pace. */
const HELPER_SPIN_MS = 0.3;
/** How long the caller spins for a helper's share before it sleeps (ms). */
const CALLER_SPIN_MS = 2;

// The helper's program as source text (Node: new Worker(source, { eval: true }); browsers: a Blob URL), so it
// needs no file next to the bundle. Protocol: the control block above; the first message carries the module,
// the memory, the control buffer, the lane and the scratch pointer; it replies 'ready'.
const HELPER_SOURCE = `
'use strict';
const isNode = typeof process === 'object' && !!(process.versions && process.versions.node);
const port = isNode ? (process.getBuiltinModule ? process.getBuiltinModule('node:worker_threads') : require('node:worker_threads')).parentPort : self;
function start(init) {
  const instance = new WebAssembly.Instance(init.module, { env: { memory: init.memory, abort() { throw new Error('wasm kernel assertion failed'); } } });
  const ex = instance.exports;
  ex.set_thread_scratch(init.scratch);
  const kernels = [ex.infer_lstm_units, ex.infer_gru_units];
  const ctl = new Int32Array(init.control), f64 = new Float64Array(init.control);
  const base = init.lane * ${LANE_INTS}, a = (base + ${ARGS_I32}) >> 1;
  let seen = Atomics.load(ctl, base + ${SEQ});
  port.postMessage('ready');
  for (;;) {
    let seq = Atomics.load(ctl, base + ${SEQ});
    if (seq === seen) {
      let until = performance.now() + ${HELPER_SPIN_MS};
      for (let i = 1; (seq = Atomics.load(ctl, base + ${SEQ})) === seen; i++) {
        if ((i & 255) === 0 && performance.now() > until) {
          Atomics.store(ctl, base + ${SLEEP}, 1);
          Atomics.wait(ctl, base + ${SEQ}, seen);
          Atomics.store(ctl, base + ${SLEEP}, 0);
          until = performance.now() + ${HELPER_SPIN_MS}; // woken without a job (wake()): spin for the next
        }
      }
    }
    seen = seq;
    const fn = ctl[base + ${FN}];
    if (fn < 0) break;
    try {
      kernels[fn](f64[a], f64[a + 1], f64[a + 2], f64[a + 3], f64[a + 4], f64[a + 5], f64[a + 6], f64[a + 7], f64[a + 8],
        f64[a + 9], f64[a + 10], f64[a + 11], f64[a + 12], f64[a + 13], f64[a + 14], f64[a + 15], f64[a + 16]);
      ctl[base + ${STATUS}] = 0;
    } catch (e) {
      ctl[base + ${STATUS}] = 1;
      port.postMessage({ error: String((e && e.message) || e) });
    }
    Atomics.store(ctl, base + ${DONE}, seq);
    if (Atomics.load(ctl, base + ${WAITING}) !== 0) Atomics.notify(ctl, base + ${DONE});
  }
}
if (isNode) port.once('message', start);
else self.addEventListener('message', (e) => start(e.data), { once: true });
`;

/** Why this context cannot run step helpers (one line), or null when it can. */
export function stepThreadsUnavailable(): string | null {
  if (typeof SharedArrayBuffer !== 'function' || (typeof crossOriginIsolated === 'boolean' && !crossOriginIsolated)) {
    return 'SharedArrayBuffer is not available (serve the page cross-origin isolated: Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy: require-corp)';
  }
  if (typeof Atomics !== 'object' || typeof Atomics.wait !== 'function') return 'Atomics.wait is not available';
  if (typeof window === 'object' && typeof document === 'object') return "a browser's main thread cannot block in Atomics.wait; load the model inside a Worker (e.g. createPredictor(source, { worker: true, threads }))";
  if (typeof Worker !== 'function' && !(typeof process === 'object' && !!process.versions?.node)) return 'Worker is not available';
  return null;
}

interface HelperWorker {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

/**
 * The helpers of threaded streaming steps: `size` threads in all, the caller included. run() hands job i
 * (the 17 arguments of infer_lstm_units) to helper i, runs `own` on the calling thread, and returns when
 * every helper is done.
 */
export class StepThreads {
  private readonly ctl: Int32Array;
  private readonly f64: Float64Array;
  private readonly seqs: number[];
  private readonly last: Array<Float64Array | null>;
  private disposed = false;

  private constructor(private readonly workers: HelperWorker[], control: SharedArrayBuffer, private readonly errors: string[]) {
    this.ctl = new Int32Array(control);
    this.f64 = new Float64Array(control);
    this.seqs = workers.map(() => 0);
    this.last = workers.map(() => null);
  }

  /** Threads in all, the calling one included. */
  get size(): number {
    return this.workers.length + 1;
  }

  /** Starts one helper per scratch block over `memory`; resolves when all are ready. */
  static async start(module: WebAssembly.Module, memory: WebAssembly.Memory, scratch: number[]): Promise<StepThreads> {
    const control = new SharedArrayBuffer(scratch.length * LANE_INTS * 4);
    const isNode = typeof process === 'object' && !!process.versions?.node;
    const workers: HelperWorker[] = [], ready: Promise<void>[] = [], errors: string[] = [];
    for (let lane = 0; lane < scratch.length; lane++) {
      const init = { module, memory, control, lane, scratch: scratch[lane] };
      if (isNode) {
        const { Worker } = await import('node:worker_threads');
        // execArgv []: the parent's loader hooks and flags (tsx, --input-type) mean nothing to a helper.
        const w = new Worker(HELPER_SOURCE, { eval: true, execArgv: [] });
        const up = new Promise<void>((resolve, reject) => {
          w.once('error', reject);
          w.on('message', (m: unknown) => {
            if (m === 'ready') resolve();
            else if (m && typeof m === 'object' && 'error' in m) errors.push(String((m as { error: unknown }).error));
          });
        });
        // Referenced until ready, unref'd after: an idle helper never keeps the process alive.
        up.then(() => w.unref(), () => {});
        ready.push(up);
        w.postMessage(init);
        workers.push(w);
      } else {
        const url = URL.createObjectURL(new Blob([HELPER_SOURCE], { type: 'text/javascript' }));
        const w = new Worker(url);
        const up = new Promise<void>((resolve, reject) => {
          w.addEventListener('error', (e) => reject(new FusedRnnError(`infer threads: a helper failed to start: ${e.message}`)), { once: true });
          w.addEventListener('message', (e: MessageEvent) => {
            if (e.data === 'ready') resolve();
            else if (e.data && typeof e.data === 'object' && 'error' in e.data) errors.push(String(e.data.error));
          });
        });
        up.finally(() => URL.revokeObjectURL(url)).catch(() => {});
        ready.push(up);
        w.postMessage(init);
        workers.push(w);
      }
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      for (const w of workers) w.terminate();
      throw e instanceof FusedRnnError ? e : new FusedRnnError(`infer threads: a helper failed to start: ${(e as Error)?.message ?? e}`);
    }
    return new StepThreads(workers, control, errors);
  }

  /** Runs jobs[i] (kernel fn: 0 infer_lstm_units, 1 infer_gru_units) on helper i and `own` here; returns when all are done. */
  run(jobs: readonly Float64Array[], own: () => void, fn = 0): void {
    if (this.disposed) throw new FusedRnnError('infer threads: the kernels were disposed; load new kernels (or a new model) to run more steps');
    const ctl = this.ctl;
    for (let i = 0; i < jobs.length; i++) {
      const base = i * LANE_INTS;
      // A stream's layer passes the same job array every step: its arguments are in the lane already.
      if (this.last[i] !== jobs[i]) {
        this.f64.set(jobs[i], (base + ARGS_I32) >> 1);
        ctl[base + FN] = fn;
        this.last[i] = jobs[i];
      }
      Atomics.store(ctl, base + SEQ, (this.seqs[i] = (this.seqs[i] + 1) | 0));
      if (Atomics.load(ctl, base + SLEEP) !== 0) Atomics.notify(ctl, base + SEQ);
    }
    let failure: unknown = null;
    try {
      own();
    } catch (e) {
      failure = e;
    }
    for (let i = 0; i < jobs.length; i++) {
      const base = i * LANE_INTS, want = this.seqs[i];
      if (Atomics.load(ctl, base + DONE) !== want) {
        const until = performance.now() + CALLER_SPIN_MS;
        for (let n = 1; Atomics.load(ctl, base + DONE) !== want; n++) {
          if ((n & 255) === 0 && performance.now() > until) {
            Atomics.store(ctl, base + WAITING, 1);
            const d = Atomics.load(ctl, base + DONE);
            if (d !== want) Atomics.wait(ctl, base + DONE, d);
            Atomics.store(ctl, base + WAITING, 0);
          }
        }
      }
      if (ctl[base + STATUS] !== 0 && failure === null) {
        failure = new FusedRnnError(`infer threads: ${fn ? 'infer_gru_units' : 'infer_lstm_units'} failed on helper ${i + 1}${this.errors.length ? `: ${this.errors.shift()}` : ''}`);
      }
    }
    if (failure !== null) throw failure;
  }

  /**
   * Whether a helper sleeps in Atomics.wait, so that a step would wait for its wake-up (415 µs measured
   * against a 62 µs one-thread step). Always false while `wakeOnIdle` is false (tests pin the split path).
   */
  idle(): boolean {
    if (this.disposed || !this.wakeOnIdle) return false; // (a disposed pool: run() reports it)
    for (let i = 0; i < this.workers.length; i++) if (Atomics.load(this.ctl, i * LANE_INTS + SLEEP) !== 0) return true;
    return false;
  }

  /** Whether idle() reports sleeping helpers (default true). */
  wakeOnIdle = true;

  /** Wakes sleeping helpers without a job: they spin for the next one (HELPER_SPIN_MS). */
  wake(): void {
    if (this.disposed) return;
    for (let i = 0; i < this.workers.length; i++) if (Atomics.load(this.ctl, i * LANE_INTS + SLEEP) !== 0) Atomics.notify(this.ctl, i * LANE_INTS + SEQ);
  }

  /** Ends every helper (idempotent); run() throws afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (let i = 0; i < this.workers.length; i++) {
      const base = i * LANE_INTS;
      this.ctl[base + FN] = -1;
      Atomics.store(this.ctl, base + SEQ, (this.seqs[i] + 1) | 0);
      Atomics.notify(this.ctl, base + SEQ);
      this.workers[i].terminate();
    }
  }
}

/** The module's raw bytes for the shared-memory patch (a compiled Module cannot be patched). */
async function bytesOf(source: BufferSource | WebAssembly.Module | URL | string | Response): Promise<Uint8Array | null> {
  if (source instanceof WebAssembly.Module) return null;
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  if (typeof source === 'string' || source instanceof URL) {
    const href = String(source);
    const isNode = typeof process === 'object' && !!process.versions?.node;
    if (isNode && !/^(https?|data|blob):/.test(href)) {
      const { readFile } = await import('node:fs/promises');
      return new Uint8Array(await readFile(href.startsWith('file:') ? new URL(href) : href));
    }
    return bytesOf(await fetch(href));
  }
  if (!source.ok) throw new FusedRnnError(`loadInferKernels: fetching the wasm module failed: HTTP ${source.status} ${source.url}`);
  return new Uint8Array(await source.arrayBuffer());
}

/** The inference module over a shared arena with `threads` threads in all, or null (with a one-line warning) where it cannot run. */
export async function loadSharedInfer(
  source: BufferSource | WebAssembly.Module | URL | string | Response, threads: number, options: ArenaOptions,
): Promise<{ exports: WebAssembly.Exports; arena: Arena; threads: StepThreads } | null> {
  const why = stepThreadsUnavailable();
  const bytes = why === null ? await bytesOf(source) : null;
  if (why !== null || bytes === null) {
    console.warn(`fused-rnn/infer: running on 1 thread instead of ${threads}: ${why ?? 'the wasm option is a compiled WebAssembly.Module (pass its bytes to share its memory)'}`);
    return null;
  }
  const arena = new Arena({ ...options, shared: true });
  const module = await WebAssembly.compile(withSharedMemoryImport(bytes, arena.maximumBytes / PAGE_BYTES) as BufferSource);
  const abort = () => { throw new FusedRnnError('wasm kernel assertion failed'); };
  const instance = await WebAssembly.instantiate(module, { env: { memory: arena.memory, abort } });
  const ex = instance.exports as unknown as { heap_base(): number; kernel_scratch_bytes(): number };
  const scratchBytes = Math.ceil(ex.kernel_scratch_bytes() / 64) * 64;
  const first = Math.ceil(ex.heap_base() / 64) * 64;
  const scratch = Array.from({ length: threads - 1 }, (_, i) => first + i * scratchBytes);
  arena.reserveBelow(first + (threads - 1) * scratchBytes);
  return { exports: instance.exports, arena, threads: await StepThreads.start(module, arena.memory, scratch) };
}
