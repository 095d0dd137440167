// How many threads loadKernels() starts: the `threads` option resolved against what the platform allows.

import { FusedRnnError } from '../errors.js';

/** loadKernels' `threads` option: a thread count (1 = no helpers, the default) or 'auto' (one per core). */
export type ThreadsOption = number | 'auto';

/** Most threads a pool may have (more than the cores of any machine this runs on helps nothing). */
export const MAX_THREADS = 64;

async function cores(): Promise<number> {
  const isNode = typeof process === 'object' && !!process.versions?.node;
  if (isNode) {
    const os = await import('node:os');
    return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  }
  return typeof navigator === 'object' && navigator.hardwareConcurrency > 0 ? navigator.hardwareConcurrency : 1;
}

/** Why this context cannot run helper threads (a one-line reason), or null when it can. */
export function threadsUnavailable(): string | null {
  if (typeof SharedArrayBuffer !== 'function' || (typeof crossOriginIsolated === 'boolean' && !crossOriginIsolated)) {
    return 'SharedArrayBuffer is not available (a page must be cross-origin isolated: serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
  }
  if (typeof Atomics !== 'object' || typeof Atomics.wait !== 'function') return 'Atomics.wait is not available';
  // A browser's main thread may not block in Atomics.wait; the synchronous kernel calls need it.
  if (typeof window === 'object' && typeof document === 'object') {
    return "a browser's main thread cannot block in Atomics.wait; load the kernels inside a Worker (e.g. train or predict in a Worker) to use threads";
  }
  if (typeof Worker !== 'function' && !(typeof process === 'object' && !!process.versions?.node)) return 'Worker is not available';
  return null;
}

/**
 * The thread count to start: `threads` checked (a typed error names a bad value), 'auto' resolved to the
 * cores, and 1 with a one-line console warning where threads cannot run (threadsUnavailable()).
 */
export async function resolveThreads(threads: unknown): Promise<number> {
  if (threads === undefined || threads === 1) return 1;
  let n: number;
  if (threads === 'auto') n = Math.min(MAX_THREADS, await cores());
  else if (typeof threads === 'number' && Number.isInteger(threads) && threads >= 1 && threads <= MAX_THREADS) n = threads;
  else throw new FusedRnnError(`loadKernels: threads must be an integer in [1, ${MAX_THREADS}] or "auto", got ${typeof threads === 'string' ? JSON.stringify(threads) : String(threads)}`);
  if (n === 1) return 1;
  const why = threadsUnavailable();
  if (why !== null) {
    console.warn(`fused-rnn: running on 1 thread instead of ${n}: ${why}`);
    return 1;
  }
  return n;
}
