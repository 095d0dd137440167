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
// Shutdown: helpers are unref()ed in Node, so an idle pool never keeps the process alive; dispose() ends
// their loops (FN = -1) and terminates them.

import { FusedRnnError } from '../errors.js';
import { ARGS_F64, DONE, FN, LANE_INTS, MAX_ARGS, NARGS, SEQ, STATUS, WORKER_SOURCE } from './worker-source.js';

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
  private disposed = false;

  private constructor(
    private readonly workers: HelperWorker[],
    control: SharedArrayBuffer,
    readonly names: readonly string[],
    /** Messages of helper errors, in arrival order (a helper reports over postMessage, then STATUS 1). */
    private readonly errors: string[],
  ) {
    this.ctl = new Int32Array(control);
    this.f64 = new Float64Array(control);
    this.seqs = workers.map(() => 0);
  }

  /** Threads in all, the calling one included. */
  get size(): number {
    return this.workers.length + 1;
  }

  /**
   * Starts `helpers` threads, each instantiating `module` over `memory` (shared) with its kernel scratch at
   * scratch[i]; `names` are the exports run() may call (by index). Resolves when every helper is ready.
   */
  static async start(module: WebAssembly.Module, memory: WebAssembly.Memory, scratch: number[], names: readonly string[]): Promise<ThreadPool> {
    const helpers = scratch.length;
    const control = new SharedArrayBuffer(helpers * LANE_INTS * 4);
    const isNode = typeof process === 'object' && !!process.versions?.node;
    const workers: HelperWorker[] = [];
    const ready: Promise<void>[] = [];
    const errors: string[] = [];
    for (let lane = 0; lane < helpers; lane++) {
      const init = { module, memory, control, lane, scratch: scratch[lane], names };
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
    return new ThreadPool(workers, control, names, errors);
  }

  /**
   * Runs kernel `fn` (an index into `names`) once per share: shares[0] on the calling thread through `own`,
   * shares[i] on helper i - 1 (fewer shares than threads leave helpers idle). Returns when all are done.
   */
  run(fn: number, shares: readonly (readonly number[])[], own: (...args: number[]) => unknown): void {
    if (this.disposed) throw new FusedRnnError('threads: the kernels were disposed (kernels.dispose()); load new kernels to run more');
    if (shares.length > this.size) throw new FusedRnnError(`threads: ${shares.length} shares for ${this.size} threads`);
    const ctl = this.ctl;
    for (let i = 1; i < shares.length; i++) {
      const args = shares[i];
      if (args.length > MAX_ARGS) throw new FusedRnnError(`threads: ${args.length} arguments (at most ${MAX_ARGS})`);
      const base = (i - 1) * LANE_INTS;
      const argBase = (base >> 1) + ARGS_F64;
      for (let k = 0; k < args.length; k++) this.f64[argBase + k] = args[k];
      ctl[base + FN] = fn;
      ctl[base + NARGS] = args.length;
      const seq = (this.seqs[i - 1] = (this.seqs[i - 1] + 1) | 0);
      Atomics.store(ctl, base + SEQ, seq);
      Atomics.notify(ctl, base + SEQ);
    }
    let failure: unknown = null;
    try {
      own(...shares[0]);
    } catch (e) {
      failure = e;
    }
    for (let i = 1; i < shares.length; i++) {
      const base = (i - 1) * LANE_INTS;
      const want = this.seqs[i - 1];
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
