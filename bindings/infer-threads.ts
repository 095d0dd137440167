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
// Work sharing, not a fixed split: a layer's step is cut into CHUNKS of whole 32-column panels (units
// [c·cu, (c+1)·cu)); each chunk is one infer_lstm_units / infer_gru_units call, whose columns are the same
// panel sums whoever runs them, so the bits never depend on who computed what. The caller publishes the step
// (SEQ), then claims chunks from the FRONT, the helpers from the BACK (each thread keeps touching the same
// weight columns step after step, so they stay in its own core's L2), each chunk by a compareExchange of its
// CLAIM word from an older step tag to this step's. The caller runs every chunk it can claim and then waits
// only for the chunks a helper has claimed (and is computing): a helper that sleeps, is preempted or slow costs
// the step nothing but the chunks it took. Then h = y (the layer).
//
// Stale helpers: SEQ packs the step tag (27 bits) with its chunk count, read in one atomic load; a claim
// succeeds only when the CLAIM word holds an OLDER tag (wrap-aware), and when a step is over every one of its
// chunks holds its tag or a newer one, so a helper that wakes late claims nothing of a finished step, and a
// successful claim proves the step is still running (the caller waits for that chunk), so the arguments it
// then reads are that step's. Helpers read the arguments only after a successful claim.
//
// Waking: a helper spins on SEQ (Atomics.load) for spinMs after its last step, then sleeps in Atomics.wait
// (an idle stream burns no core). The caller notifies a sleeping helper only in a burst (two steps in a row
// less than wakeGapMs after the one before), not for steps far apart: the notify costs the caller about a
// step, and the helper would arrive too late and spin for nothing. While no helper is awake the caller claims
// every chunk and runs the layer's one-thread call (same bits, no per-chunk overhead).
//
// Control block (Int32Array over a SharedArrayBuffer), hot words each on their own 64-byte line (16 ints):
//   line 0 SEQ (tag << 5 | chunks - 1) | line 1 EXIT, FN (0 lstm, 1 gru, 2 simple_rnn), H, CU (chunk units),
//   COUNT (chunks run by helpers), LIMIT / DELAY / ORDER / PAUSE (test and measurement hooks), SARG / SSTRIDE
//   (the job's per-thread scratch: argument index and byte stride, 0 = shared) |
//   line 2 WAITING (caller in Atomics.wait on a DONE word), ERR (tag of a failed chunk; read by the caller
//   every step, so not on line 1, which COUNT changes every chunk) | lines 3-5 the 22 f64 arguments |
//   one line per helper: SLEEP (0 awake, 1 asleep, 2 notified) | one line per chunk: CLAIM, DONE (tags).

import { Arena, PAGE_BYTES, type ArenaOptions } from './arena.js';
import { FusedRnnError } from './errors.js';
import { withSharedMemoryImport } from './threads/shared-module.js';

const SEQ = 0, EXIT = 16, FN = 17, HW = 18, CU = 19, ERR = 33, COUNT = 21, LIMIT = 22, DELAY = 23, ORDER = 24, PAUSE = 25, SARG = 26, SSTRIDE = 27;
// ARGS f64 arguments at int ARGS_I32 (u0, u1 at 12, 13: set per chunk; kernels ignore the ones past their own).
const WAITING = 32, ARGS_I32 = 48, ARGS = 22, LINE = 16, LANES = 96;
/** At most this many chunks per step (5 bits of SEQ); bigger layers take several panels per chunk. */
const MAX_CHUNKS = 32;
const TAG_MASK = (1 << 27) - 1;
/** Default helper spin after its last step (ms): a few steps' worth at streaming pace, not more (battery). */
const HELPER_SPIN_MS = 0.3;
/**
 * Units per chunk, in 32-column panels; 0: one chunk per thread (the default). MEASURED (LSTM(256), B = 1,
 * back-to-back, alternating processes): one chunk per thread 15.1-15.8 µs per step vs the session-4 static
 * halves 14.5-15.7 in the same minutes, chunks of 64 units 17.1-25.3 (the middle chunks change hands between
 * steps, so their weights move between the cores' L2s, and the helper got 27-34 % of the work instead of
 * half); the caller alone pays +2-3 µs per step over 8 chunks, +1-2 over 4. Finer chunks help only a helper
 * that arrives in the middle of a step.
 */
const CHUNK_PANELS = 0;
/**
 * How long the caller spins on a claimed chunk before it sleeps on it (ms). A claimed chunk is ≈ 2-3 µs of
 * work, so a longer wait means the helper was preempted mid-chunk; sleeping then frees this core, where the
 * scheduler may run the helper (measured with a CPU-bound process on the other core, docs/inference.md).
 */
const CALLER_SPIN_MS = 0.05;

// The helper's program as source text (Node: new Worker(source, { eval: true }); browsers: a Blob URL), so it
// needs no file next to the bundle. The first message carries the module, the memory, the control buffer, the
// lane, the scratch pointer and the spin time; it replies 'ready'.
const HELPER_SOURCE = `
'use strict';
const isNode = typeof process === 'object' && !!(process.versions && process.versions.node);
const port = isNode ? (process.getBuiltinModule ? process.getBuiltinModule('node:worker_threads') : require('node:worker_threads')).parentPort : self;
function start(init) {
  const instance = new WebAssembly.Instance(init.module, { env: { memory: init.memory, abort() { throw new Error('wasm kernel assertion failed'); } } });
  const ex = instance.exports;
  ex.set_thread_scratch(init.scratch);
  const kernels = [ex.infer_lstm_units, ex.infer_gru_units, ex.infer_simple_rnn_units];
  const ctl = new Int32Array(init.control), f64 = new Float64Array(init.control), a = new Float64Array(${ARGS});
  const sleep = ${LANES} + init.lane * ${LINE}, claims = ${LANES} + init.lanes * ${LINE}, spin = init.spinMs;
  let seen = Atomics.load(ctl, ${SEQ});
  port.postMessage('ready');
  for (;;) {
    let word = Atomics.load(ctl, ${SEQ});
    if (word === seen) {
      let until = performance.now() + spin;
      for (let i = 1; (word = Atomics.load(ctl, ${SEQ})) === seen; i++) {
        if ((i & 255) === 0 && performance.now() > until) {
          Atomics.store(ctl, sleep, 1);
          Atomics.wait(ctl, ${SEQ}, seen);
          Atomics.store(ctl, sleep, 0);
          until = performance.now() + spin;
        }
      }
    }
    seen = word;
    if (Atomics.load(ctl, ${EXIT}) !== 0) break;
    const s = word >>> 5, n = (word & 31) + 1, front = ctl[${ORDER}] !== 0, pause = ctl[${PAUSE}];
    if (pause > 0) for (const t = performance.now() + pause / 1000; performance.now() < t;); // (a late helper)
    let limit = ctl[${LIMIT}];
    for (let q = 0; q < n && limit !== 0; q++) {
      const c = front ? q : n - 1 - q, w = claims + c * ${LINE};
      const v = Atomics.load(ctl, w);
      if (((v - s) << 5) >> 5 >= 0) { if (init.lanes === 1 && !front) break; continue; } // claimed in this step already, or the step is over
      if (Atomics.compareExchange(ctl, w, v, s) !== v) {
        // The only helper: the chunks beyond a claimed one are the caller's (it claims in order), so stop
        // here rather than read the caller's lines (each read costs the caller a cache miss on its next claim).
        if (init.lanes === 1 && !front) break;
        continue;
      }
      limit--;
      // Claimed: step s is still running (the caller waits for this chunk), so the arguments are its own.
      const delay = ctl[${DELAY}];
      if (delay > 0) for (const t = performance.now() + delay / 1000; performance.now() < t;);
      for (let i = 0; i < ${ARGS}; i++) a[i] = f64[${ARGS_I32 / 2} + i];
      const stride = ctl[${SSTRIDE}];
      if (stride !== 0) a[ctl[${SARG}]] += (init.lane + 1) * stride; // this thread's own copy of the gate scratch
      const cu = ctl[${CU}], u0 = c * cu, u1 = Math.min(ctl[${HW}], u0 + cu);
      try {
        kernels[ctl[${FN}]](a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], u0, u1, a[14], a[15], a[16], a[17], a[18], a[19], a[20], a[21]);
      } catch (e) {
        Atomics.store(ctl, ${ERR}, s);
        port.postMessage({ error: String((e && e.message) || e) });
      }
      Atomics.add(ctl, ${COUNT}, 1);
      Atomics.store(ctl, w + 1, s);
      if (Atomics.load(ctl, ${WAITING}) !== 0) Atomics.notify(ctl, w + 1);
    }
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

type UnitsKernel = (...args: number[]) => void;

// Runs f; returns what it threw, or null.
function attempt(f: () => void): unknown {
  try {
    f();
    return null;
  } catch (e) {
    return e;
  }
}

/** One layer's threaded step (see StepThreads.job): its kernel, arguments and chunks. */
export class StepJob {
  /** The caller's call of chunk c (units [c·cu, min((c + 1)·cu, H))). */
  readonly own: Array<() => void>;
  constructor(readonly fn: number, readonly args: Float64Array, readonly H: number, readonly cu: number, readonly chunks: number, kernel: UnitsKernel,
    /** The layer's one-thread call of the whole step (same bits), run when no helper is awake; or null. */
    readonly whole: (() => void) | null,
    /** Per-thread scratch (StepThreads.job): the argument it replaces and the byte stride; stride 0: shared. */
    readonly scratch: PrivateScratch = { arg: 0, stride: 0 }) {
    const a = Array.from({ length: ARGS }, (_, i) => args[i] ?? 0);
    this.own = Array.from({ length: chunks }, (_, c) => {
      const u0 = c * cu, u1 = Math.min(H, u0 + cu);
      return () => kernel(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], u0, u1, a[14], a[15], a[16], a[17], a[18], a[19], a[20], a[21]);
    });
  }
}

/**
 * A job's per-thread scratch: argument `arg` (a pointer) is thread t's own copy at args[arg] + t · stride
 * (t = 0 the caller, 1, 2, ... the helpers by lane). For kernels whose scratch holds only what one chunk call
 * writes and reads back (the gate pre-activations of its units): chunks of different threads then write
 * different pages. MEASURED (LSTM(256), B = 1, one chunk per thread, docs/inference.md): with one shared
 * scratch row, the caller's half ran 10.3-10.8 µs while the helper ran the other half, 8.8-8.9 alone; with
 * its own scratch, 9.0-9.2. The threads' columns never shared a cache line (64-byte aligned halves); the
 * cores' prefetchers pulled each other's lines of the same pages.
 */
export interface PrivateScratch {
  arg: number;
  stride: number;
}

/** Test and measurement hooks of StepThreads (never needed in use). */
export interface StepThreadsTuning {
  /** Chunks a helper may claim per step (-1: no limit, the default; 0: it never joins). */
  helperLimit?: number;
  /** A helper spins this long (µs) after each claim before it computes (a slow or preempted helper). */
  helperDelayUs?: number;
  /** A helper spins this long (µs) after it sees a new step before it claims (a helper that comes late). */
  helperPauseUs?: number;
  /** Before claiming, the caller waits (≤ 2 s) until helpers have claimed this many chunks (0: no wait). */
  callerWait?: number;
  /** 'ends' (default): the caller claims from the front, helpers from the back; 'front': everyone from the front. */
  order?: 'ends' | 'front';
  /** How long the caller spins on a chunk a helper claimed before it sleeps on it (ms, default CALLER_SPIN_MS). */
  callerSpinMs?: number;
  /** Units per chunk in 32-column panels for jobs made afterwards (0, the default: one chunk per thread). */
  chunkPanels?: number;
  /** Whether the caller runs a job's `whole` call when no helper is awake (default true; false: always chunks). */
  whole?: boolean;
}

/**
 * The helpers of threaded streaming steps: `size` threads in all, the caller included. job() prepares a
 * layer's step (kernel, arguments, chunks); run(job) computes one step with the helpers that join it.
 */
export class StepThreads {
  private readonly ctl: Int32Array;
  private readonly f64: Float64Array;
  private readonly claims: number;
  private tag = 0;
  private current: StepJob | null = null;
  private last = -Infinity;
  private short = false;
  private callerWait = 0;
  private chunkPanels = CHUNK_PANELS;
  private callerSpinMs = CALLER_SPIN_MS;
  private wholeOk = true;
  /** Steps less than this long (ms) after the previous one notify a sleeping helper (wakeGapFor(spinMs)). */
  wakeGapMs: number;
  private disposed = false;

  private constructor(private readonly workers: HelperWorker[], control: SharedArrayBuffer, private readonly errors: string[],
    private readonly kernels: UnitsKernel[], readonly spinMs: number) {
    this.ctl = new Int32Array(control);
    this.f64 = new Float64Array(control);
    this.claims = LANES + workers.length * LINE;
    this.ctl[ERR] = -1;
    this.ctl[LIMIT] = -1;
    this.wakeGapMs = wakeGapFor(spinMs);
  }

  /** Threads in all, the calling one included. */
  get size(): number {
    return this.workers.length + 1;
  }

  /** Starts one helper per scratch block over `memory`; resolves when all are ready. */
  static async start(module: WebAssembly.Module, memory: WebAssembly.Memory, scratch: number[], exports: WebAssembly.Exports, spinMs = HELPER_SPIN_MS): Promise<StepThreads> {
    const lanes = scratch.length;
    const control = new SharedArrayBuffer((LANES + (lanes + MAX_CHUNKS) * LINE) * 4);
    const isNode = typeof process === 'object' && !!process.versions?.node;
    const workers: HelperWorker[] = [], ready: Promise<void>[] = [], errors: string[] = [];
    for (let lane = 0; lane < lanes; lane++) {
      const init = { module, memory, control, lane, lanes, scratch: scratch[lane], spinMs };
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
    const ex = exports as unknown as Record<'infer_lstm_units' | 'infer_gru_units' | 'infer_simple_rnn_units', UnitsKernel>;
    return new StepThreads(workers, control, errors, [ex.infer_lstm_units, ex.infer_gru_units, ex.infer_simple_rnn_units], spinMs);
  }

  /**
   * A layer's threaded step: kernel fn (0 infer_lstm_units, 1 infer_gru_units, 2 infer_simple_rnn_units) with
   * its arguments (≤ 22; u0, u1 at 12, 13 are set per chunk) over H units (a multiple of 32), cut into
   * chunks of whole 32-column panels; `whole` (optional): the layer's one-thread call of the whole step with
   * the same bits, run when no helper is awake. A step that needs a barrier (all chunks of phase 1 before phase 2)
   * is two jobs run one after the other: run() returns only when every chunk is done. `scratch` (optional):
   * each thread's own copy of one pointer argument (PrivateScratch; the caller allocates size copies).
   */
  job(fn: number, args: readonly number[], H: number, whole: (() => void) | null = null, scratch?: PrivateScratch): StepJob {
    const panels = H / 32, per = Math.max(this.chunkPanels || Math.ceil(panels / this.size), Math.ceil(panels / MAX_CHUNKS));
    if (scratch && !(Number.isInteger(scratch.arg) && scratch.arg >= 0 && scratch.arg < ARGS && Number.isInteger(scratch.stride) && scratch.stride >= 0 && scratch.stride < 2 ** 31)) {
      throw new FusedRnnError(`infer threads: bad per-thread scratch (argument ${scratch.arg}, stride ${scratch.stride})`);
    }
    return new StepJob(fn, Float64Array.from(args), H, per * 32, Math.ceil(panels / per), this.kernels[fn], whole, scratch);
  }

  /**
   * Computes one step of `job` with the helpers that join it; returns when every chunk is done: true when
   * it ran the job's `whole` call instead (no helper awake), false when it ran the chunks.
   */
  run(job: StepJob): boolean {
    if (this.disposed) throw new FusedRnnError('infer threads: the kernels were disposed; load new kernels (or a new model) to run more steps');
    // Wake a sleeping helper only in a burst: this step and the previous one each came less than wakeGapMs
    // after the one before (one short gap is often jitter of a stream spaced wider, e.g. a late step).
    const now = performance.now(), short = now - this.last < this.wakeGapMs, wake = (short && this.short) || this.callerWait > 0;
    this.last = now;
    this.short = short;
    // Every helper asleep and not notified (SLEEP 1; only this thread notifies): run the layer's one-thread call
    // without publishing the step, touching only the SLEEP lines. A helper that has not reached Atomics.wait
    // yet finds SEQ unchanged and sleeps. MEASURED (spaced steps, docs/inference.md): publishing and claiming
    // every chunk cost a step that follows 2-20 ms of idling +15-20 µs over the one-thread model.
    if (!wake && job.whole !== null && this.wholeOk && this.allAsleep()) {
      job.whole();
      return true;
    }
    const ctl = this.ctl, n = job.chunks, claims = this.claims;
    // A stream's layer passes the same job every step: its arguments are in the block already.
    if (this.current !== job) {
      this.f64.set(job.args, ARGS_I32 >> 1);
      ctl[FN] = job.fn;
      ctl[HW] = job.H;
      ctl[CU] = job.cu;
      ctl[SARG] = job.scratch.arg;
      ctl[SSTRIDE] = job.scratch.stride;
      this.current = job;
    }
    const s = (this.tag = (this.tag + 1) & TAG_MASK);
    Atomics.store(ctl, SEQ, (s << 5) | (n - 1));
    if (wake) this.wakeHelpers();
    if (this.callerWait > 0) this.letHelpersClaim(s, n, Math.min(this.callerWait, n));
    // Every helper asleep and not notified by now (one fell asleep since the check above): claim every chunk,
    // then run the layer's one-thread call on them all (same bits). MEASURED (LSTM(256), B = 1): the caller alone over 8 chunks
    // of 32 units cost +2-3 µs over the one-thread step, over 4 chunks +1-2. A notified helper (in a burst)
    // gets chunks instead, so that it joins the step it wakes in: running whole while it woke (50-400 µs)
    // measured 20-55 % of back-to-back steps at one-thread speed (the helper falls asleep in the caller's
    // GC pauses > 0.3 ms).
    const whole = job.whole !== null && this.wholeOk && this.callerWait === 0 && this.allAsleep();
    const full = n === 32 ? -1 : (1 << n) - 1;
    let mine = 0, failure: unknown = null;
    for (let c = 0; c < n; c++) {
      const w = claims + c * LINE, v = Atomics.load(ctl, w);
      if (((v - s) << 5) >> 5 >= 0) continue; // a helper's
      if (Atomics.compareExchange(ctl, w, v, s) !== v) continue;
      mine |= 1 << c;
      // After a failure the rest are still claimed (not run): every chunk of a finished step carries its tag.
      if (!whole && failure === null) failure = attempt(job.own[c]);
    }
    if (whole) {
      if (mine === full) failure = attempt(job.whole!);
      else for (let c = 0; c < n && failure === null; c++) if (mine & (1 << c)) failure = attempt(job.own[c]); // a helper woke meanwhile
    }
    for (let c = 0; c < n; c++) if ((mine & (1 << c)) === 0) this.await(claims + c * LINE + 1, s);
    if (failure === null && Atomics.load(ctl, ERR) === s) {
      failure = new FusedRnnError(`infer threads: ${['infer_lstm_units', 'infer_gru_units', 'infer_simple_rnn_units'][job.fn]} failed on a helper${this.errors.length ? `: ${this.errors.shift()}` : ''}`);
    }
    if (failure !== null) throw failure;
    return whole && mine === full;
  }

  // Whether every helper sleeps and was not notified (SLEEP 1).
  private allAsleep(): boolean {
    for (let i = 0; i < this.workers.length; i++) if (Atomics.load(this.ctl, LANES + i * LINE) !== 1) return false;
    return true;
  }

  // Waits until DONE word `w` holds tag s: the chunk is claimed, so its helper is computing it.
  private await(w: number, s: number): void {
    const ctl = this.ctl;
    if (Atomics.load(ctl, w) === s) return;
    const until = performance.now() + this.callerSpinMs;
    for (let i = 1; Atomics.load(ctl, w) !== s; i++) {
      if ((i & 63) === 0 && performance.now() > until) {
        Atomics.store(ctl, WAITING, 1);
        const d = Atomics.load(ctl, w);
        if (d !== s) Atomics.wait(ctl, w, d);
        Atomics.store(ctl, WAITING, 0);
      }
    }
  }

  // Test hook (callerWait): spins until helpers hold `want` chunks of step s (at most 2 s).
  private letHelpersClaim(s: number, n: number, want: number): void {
    const until = performance.now() + 2000;
    for (;;) {
      let held = 0;
      for (let c = 0; c < n; c++) if (Atomics.load(this.ctl, this.claims + c * LINE) === s) held++;
      if (held >= want || performance.now() > until) return;
    }
  }

  /**
   * Notifies sleeping helpers (once each: SLEEP 1 → 2), which then spin for the next steps: for a caller
   * that knows steps come back to back (a whole sequence stepped on threads), rather than waiting for run()
   * to see a burst. Costs the caller ≈ 20-30 µs when a helper sleeps (Atomics.notify on this VM).
   */
  wakeHelpers(): void {
    let any = false;
    for (let i = 0; i < this.workers.length; i++) {
      const w = LANES + i * LINE;
      if (Atomics.load(this.ctl, w) === 1 && Atomics.compareExchange(this.ctl, w, 1, 2) === 1) any = true;
    }
    if (any) Atomics.notify(this.ctl, SEQ);
  }

  /** Whether every helper sleeps in Atomics.wait (tests: an idle stream burns no core). */
  asleep(): boolean {
    for (let i = 0; i < this.workers.length; i++) if (Atomics.load(this.ctl, LANES + i * LINE) === 0) return false;
    return true;
  }

  /** Chunks run by helpers so far (tests and measurements). */
  helperChunks(): number {
    return Atomics.load(this.ctl, COUNT);
  }

  /** Test and measurement hooks (StepThreadsTuning); unset fields keep their values. */
  tune(t: StepThreadsTuning): void {
    if (t.helperLimit !== undefined) Atomics.store(this.ctl, LIMIT, t.helperLimit);
    if (t.helperDelayUs !== undefined) Atomics.store(this.ctl, DELAY, t.helperDelayUs);
    if (t.helperPauseUs !== undefined) Atomics.store(this.ctl, PAUSE, t.helperPauseUs);
    if (t.order !== undefined) Atomics.store(this.ctl, ORDER, t.order === 'front' ? 1 : 0);
    if (t.callerWait !== undefined) this.callerWait = t.callerWait;
    if (t.chunkPanels !== undefined) this.chunkPanels = t.chunkPanels;
    if (t.callerSpinMs !== undefined) this.callerSpinMs = t.callerSpinMs;
    if (t.whole !== undefined) this.wholeOk = t.whole;
  }

  /** Ends every helper (idempotent); run() throws afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    Atomics.store(this.ctl, EXIT, 1);
    Atomics.store(this.ctl, SEQ, Atomics.load(this.ctl, SEQ) ^ 1);
    Atomics.notify(this.ctl, SEQ);
    for (const w of this.workers) w.terminate();
  }
}

/**
 * Steps closer than this to the previous one (twice in a row) wake a sleeping helper (ms). MEASURED on the
 * 2-vCPU VM: Atomics.notify of a sleeping thread costs the CALLER 18 µs (asleep 0.5-1 ms) to 31 µs (20 ms),
 * about a whole step, and the helper runs 50-400 µs later, so a notify pays only in bursts: steps 1 ms
 * apart took 44 µs with a wake per step vs 25 without; 16-step windows 0.6 ms apart 12.3 vs 20.7 µs per step.
 */
function wakeGapFor(spinMs: number): number {
  return spinMs + 0.5;
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
  source: BufferSource | WebAssembly.Module | URL | string | Response, threads: number, options: ArenaOptions & { spinMs?: number },
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
  return { exports: instance.exports, arena, threads: await StepThreads.start(module, arena.memory, scratch, instance.exports, options.spinMs) };
}
