// A pool of helper threads that run wasm kernels on the same shared memory as the calling thread.
//
// The caller keeps the synchronous kernel interface: run() hands one share of a call to each helper through
// the shared control block (no postMessage per call: a message costs a trip through the event loop, which a
// blocked caller never reaches), runs share 0 itself, then blocks in Atomics.wait until every helper's DONE
// word equals the job's sequence number. Atomics.store/notify on SEQ and DONE order the helpers' plain wasm
// stores before the caller's later reads (the JS memory model covers wasm shared memory).
// Atomics.wait is allowed on Node's main thread and in workers, not on a browser's main thread (see
// threads/options.ts, which falls back to one thread there).
//
// Stepped jobs (runStepped): every thread calls its kernel for k = 0..steps-1 and the threads meet at a
// barrier between two steps (worker-source.ts arrive(): a counter and a generation word in the control
// block, spinning briefly before Atomics.wait), e.g. one recurrent step per call with the units split, where
// step k + 1 needs every thread's part of step k.
//
// Shutdown: helpers are unref()ed in Node, so an idle pool never keeps the process alive; dispose() ends
// their loops (FN = -1) and terminates them.

import { FusedRnnError } from '../errors.js';
import { ABORT, ARGS_F64, BARRIER_INTS, DONE, FN, LANE_INTS, MAX_ARGS, MS_F64, NARGS, PARTIES, SEQ, STATUS, STEPS, WORKER_SOURCE, arrive } from './worker-source.js';

/**
 * Spin bounds, in Atomics.load iterations (≈ 10 ns each on the reference machine), before a thread falls
 * back to Atomics.wait: `idle` for a helper between jobs and for the caller waiting on DONE (≈ 50 µs: the
 * next kernel of a predict or fit step usually follows within that), `barrier` at a stepped job's barrier
 * (≈ 160 µs: longer than the imbalance of one step's shares, short of a scheduler time slice).
 */
export interface SpinOptions {
  idle: number;
  barrier: number;
}
/** The defaults of SpinOptions (docs/performance.md "Threads" has what the spins measured). */
export const DEFAULT_SPIN: SpinOptions = { idle: 5000, barrier: 16384 };

/** The part of a Worker the pool uses, in both Node (worker_threads) and browsers (Web Workers). */
interface HelperWorker {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

/** A started pool: `size` threads in all (the caller and size - 1 helpers) over one shared memory. */
export class ThreadPool {
  private readonly ctl: Int32Array;
  private readonly f64: Float64Array;
  private readonly seqs: number[];
  /** The barrier block's first word (after the last lane). */
  private readonly bar: number;
  /** Milliseconds of the caller's own share in the last run. */
  private ownMs = 0;
  private disposed = false;

  private constructor(
    private readonly workers: HelperWorker[],
    control: SharedArrayBuffer,
    readonly names: readonly string[],
    /** Messages of helper errors, in arrival order (a helper reports over postMessage, then STATUS 1). */
    private readonly errors: string[],
    private readonly spin: SpinOptions,
  ) {
    this.ctl = new Int32Array(control);
    this.f64 = new Float64Array(control);
    this.seqs = workers.map(() => 0);
    this.bar = workers.length * LANE_INTS;
  }

  /** Threads in all, the calling one included. */
  get size(): number {
    return this.workers.length + 1;
  }

  /**
   * Starts `helpers` threads, each instantiating `module` over `memory` (shared) with its kernel scratch at
   * scratch[i]; `names` are the exports run() may call (by index). Resolves when every helper is ready.
   */
  static async start(module: WebAssembly.Module, memory: WebAssembly.Memory, scratch: number[], names: readonly string[], spin: SpinOptions = DEFAULT_SPIN): Promise<ThreadPool> {
    const helpers = scratch.length;
    const control = new SharedArrayBuffer((helpers * LANE_INTS + BARRIER_INTS) * 4);
    const isNode = typeof process === 'object' && !!process.versions?.node;
    const workers: HelperWorker[] = [];
    const ready: Promise<void>[] = [];
    const errors: string[] = [];
    for (let lane = 0; lane < helpers; lane++) {
      const init = { module, memory, control, lane, scratch: scratch[lane], names, barrier: helpers * LANE_INTS, idleSpin: spin.idle, barrierSpin: spin.barrier };
      if (isNode) {
        const { Worker } = await import('node:worker_threads');
        // execArgv []: the parent's loader hooks and flags (tsx, --input-type) mean nothing to a helper.
        const w = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
        ready.push(new Promise<void>((resolve, reject) => {
          w.once('error', reject);
          w.on('message', (m: unknown) => {
            if (m === 'ready') resolve();
            else if (m && typeof m === 'object' && 'error' in m) errors.push(String((m as { error: unknown }).error));
          });
        }));
        // Referenced until ready (an unref'd worker's messages do not keep the loop alive), unref'd after.
        ready[ready.length - 1].then(() => w.unref(), () => {});
        w.postMessage(init);
        workers.push(w);
      } else {
        const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
        const w = new Worker(url);
        ready.push(new Promise<void>((resolve, reject) => {
          w.addEventListener('error', (e) => reject(new FusedRnnError(`threads: a helper failed to start: ${e.message}`)), { once: true });
          w.addEventListener('message', (e: MessageEvent) => {
            if (e.data === 'ready') resolve();
            else if (e.data && typeof e.data === 'object' && 'error' in e.data) errors.push(String(e.data.error));
          });
        }));
        w.postMessage(init);
        workers.push(w);
      }
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      for (const w of workers) w.terminate();
      throw e instanceof FusedRnnError ? e : new FusedRnnError(`threads: a helper failed to start: ${(e as Error)?.message ?? e}`);
    }
    return new ThreadPool(workers, control, names, errors, spin);
  }

  /**
   * Runs kernel `fn` (an index into `names`) once per share: shares[0] on the calling thread through `own`,
   * shares[i] on helper i - 1 (fewer shares than threads leave helpers idle). Returns when all are done.
   */
  run(fn: number, shares: readonly (readonly number[])[], own: (...args: number[]) => unknown): void {
    this.post(fn, shares, 0);
    let failure: unknown = null;
    const t0 = performance.now();
    try {
      own(...shares[0]);
    } catch (e) {
      failure = e;
    }
    this.ownMs = performance.now() - t0;
    this.finish(fn, shares.length, failure);
  }

  /**
   * A stepped job: every share's thread calls kernel `fn` with its args and the step number k appended, for
   * k = 0..steps-1, and all shares' threads meet at a barrier between two steps (so step k + 1 of every
   * thread starts after step k of every thread ended, and sees its stores). Returns when all are done; the
   * first error is thrown after every thread stopped (the others skip their remaining steps).
   */
  runStepped(fn: number, shares: readonly (readonly number[])[], steps: number, own: (...args: number[]) => unknown): void {
    if (!(Number.isInteger(steps) && steps > 0)) throw new FusedRnnError(`threads: steps must be a positive integer, got ${steps}`);
    const ctl = this.ctl, bar = this.bar, parties = shares.length;
    Atomics.store(ctl, bar + ABORT, 0);
    this.post(fn, shares, steps);
    let failure: unknown = null;
    const args = [...shares[0], 0];
    const k = args.length - 1;
    let ms = 0;
    for (let step = 0; step < steps; step++) {
      if (step > 0) arrive(ctl, bar, parties, this.spin.barrier);
      if (Atomics.load(ctl, bar + ABORT) !== 0) continue;
      args[k] = step;
      const t0 = performance.now();
      try {
        own(...args);
      } catch (e) {
        Atomics.store(ctl, bar + ABORT, 1);
        if (failure === null) failure = e;
      }
      ms += performance.now() - t0;
    }
    this.ownMs = ms;
    this.finish(fn, shares.length, failure);
  }

  /**
   * Milliseconds share i of the last run / runStepped took (i = 0: the caller's own; i ≥ 1: helper i − 1,
   * as it measured; a stepped job counts its kernel calls, not the barrier waits). A share a helper did not
   * get in the last run keeps its older value.
   */
  shareMs(i: number): number {
    if (!(Number.isInteger(i) && i >= 0 && i < this.size)) throw new FusedRnnError(`threads: share ${i} of ${this.size}`);
    return i === 0 ? this.ownMs : this.f64[((i - 1) * LANE_INTS >> 1) + MS_F64];
  }

  /** Hands shares[1..] to the helpers (steps: 0 = one call, else a stepped job). */
  private post(fn: number, shares: readonly (readonly number[])[], steps: number): void {
    if (this.disposed) throw new FusedRnnError('threads: the kernels were disposed (kernels.dispose()); load new kernels to run more');
    if (shares.length > this.size) throw new FusedRnnError(`threads: ${shares.length} shares for ${this.size} threads`);
    const ctl = this.ctl;
    const most = steps > 0 ? MAX_ARGS - 1 : MAX_ARGS;
    for (let i = 1; i < shares.length; i++) {
      if (shares[i].length > most) throw new FusedRnnError(`threads: ${shares[i].length} arguments (at most ${most})`);
    }
    for (let i = 1; i < shares.length; i++) {
      const args = shares[i];
      const base = (i - 1) * LANE_INTS;
      const argBase = (base >> 1) + ARGS_F64;
      for (let k = 0; k < args.length; k++) this.f64[argBase + k] = args[k];
      ctl[base + FN] = fn;
      ctl[base + NARGS] = args.length;
      ctl[base + STEPS] = steps;
      ctl[base + PARTIES] = shares.length;
      const seq = (this.seqs[i - 1] = (this.seqs[i - 1] + 1) | 0);
      Atomics.store(ctl, base + SEQ, seq);
      Atomics.notify(ctl, base + SEQ);
    }
  }

  /** Waits for helpers 1..parts-1 (spinning first, then Atomics.wait) and throws the first failure. */
  private finish(fn: number, parts: number, failure: unknown): void {
    const ctl = this.ctl, spin = this.spin.idle;
    for (let i = 1; i < parts; i++) {
      const base = (i - 1) * LANE_INTS;
      const want = this.seqs[i - 1];
      for (let s = 0; s < spin && Atomics.load(ctl, base + DONE) !== want; s++);
      for (let d = Atomics.load(ctl, base + DONE); d !== want; d = Atomics.load(ctl, base + DONE)) Atomics.wait(ctl, base + DONE, d);
      if (ctl[base + STATUS] !== 0 && failure === null) {
        failure = new FusedRnnError(`threads: kernel ${this.names[fn]} failed on helper ${i}${this.errors.length ? `: ${this.errors.shift()}` : ''}`);
      }
    }
    if (failure !== null) throw failure;
  }

  /** Ends every helper (idempotent). Kernels that use this pool throw afterwards. */
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
