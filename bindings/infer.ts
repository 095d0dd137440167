// The inference-only wasm module (assembly/infer.ts) and its checked entry points, for `fused-rnn/infer`.
// Only the SIMD build is embedded (base64, build/infer-wasm-embedded.js); the scalar fallback is a separate
// file fetched only when an engine without SIMD asks for it (variant 'auto' or 'scalar'), so the default
// download stays small (issue 20). Pointers are byte offsets into one Arena; every call checks its buffers
// lie inside memory and are 4-byte aligned (bindings check, kernels trust: docs/decisions.md).

import { Arena, type ArenaOptions, type Ptr } from './arena.js';
import { FusedRnnError, KernelArgumentError, WasmFeatureError } from './errors.js';
import { hasSimd } from './features.js';
import { inferRelease } from '../build/infer-wasm-embedded.js';
import type { PrivateScratch } from './infer-threads.js';

/** What assembly/infer.ts exports (snake_case, byte offsets, i32 flags and activation codes). */
export interface InferRaw {
  heap_base(): number;
  fill(x: Ptr, value: number, n: number): void;
  copy(dst: Ptr, src: Ptr, n: number): void;
  activation_forward(y: Ptr, x: Ptr, n: number, kind: number): void;
  embedding_forward(y: Ptr, ids: Ptr, W: Ptr, T: number, B: number, E: number, maskZero: number): void;
  dense_forward(y: Ptr, x: Ptr, W: Ptr, b: Ptr, N: number, D: number, U: number, ldy: number, act: number): void;
  infer_pack(P: Ptr, B: Ptr, ldb: number, K: number, N: number): void;
  infer_lstm(y: Ptr, h: Ptr, c: Ptr, scratch: Ptr, qtmp: Ptr, x: Ptr, Wp: Ptr, Ws: Ptr, Up: Ptr, Us: Ptr, b: Ptr, lengths: Ptr,
    T: number, B: number, D: number, H: number, flags: number, activation: number, recurrentActivation: number): void;
  infer_gru(y: Ptr, h: Ptr, scratch: Ptr, qtmp: Ptr, x: Ptr, Wp: Ptr, Ws: Ptr, Pzr: Ptr, Szr: Ptr, Pn: Ptr, Sn: Ptr, b: Ptr, lengths: Ptr,
    T: number, B: number, D: number, H: number, flags: number, activation: number, recurrentActivation: number): void;
  infer_simple_rnn(y: Ptr, h: Ptr, scratch: Ptr, qtmp: Ptr, x: Ptr, Wp: Ptr, Ws: Ptr, Up: Ptr, Us: Ptr, b: Ptr, lengths: Ptr,
    T: number, B: number, D: number, H: number, flags: number, activation: number): void;
  quant_pack(P: Ptr, q: Ptr, K: number, N: number): void;
  quant_packed_bytes(K: number, N: number): number;
  quant_rows(dst: Ptr, A: Ptr, lda: number, M: number, K: number): void;
  embedding_q8_forward(y: Ptr, ids: Ptr, q: Ptr, s: Ptr, T: number, B: number, E: number, maskZero: number): void;
  dense_q8_forward(y: Ptr, x: Ptr, P: Ptr, s: Ptr, b: Ptr, N: number, D: number, U: number, ldy: number, act: number, qtmp: Ptr): void;
  /** One step's units [u0, u1) of an LSTM (int8 weights: the optional scales; qtmp 0 = the thread's scratch). */
  infer_lstm_units(hOut: Ptr, h: Ptr, c: Ptr, scratch: Ptr, x: Ptr, Wp: Ptr, Up: Ptr, b: Ptr, lengths: Ptr,
    B: number, D: number, H: number, u0: number, u1: number, flags: number, activation: number, recurrentActivation: number,
    qtmp?: Ptr, Ws?: Ptr, Us?: Ptr): void;
  /** One step's units [u0, u1) of a GRU; phase 0|3 whole, reset-before on threads: 1 on every share, then 2. */
  infer_gru_units(hOut: Ptr, h: Ptr, scratch: Ptr, x: Ptr, Wp: Ptr, Pzr: Ptr, Pn: Ptr, b: Ptr, lengths: Ptr,
    B: number, D: number, H: number, u0: number, u1: number, flags: number, activation: number, recurrentActivation: number,
    qtmp?: Ptr, Ws?: Ptr, Szr?: Ptr, Sn?: Ptr, phase?: number): void;
  /** infer_lstm_units over a SimpleRNN (same argument layout; c and recurrentActivation unused). */
  infer_simple_rnn_units(hOut: Ptr, h: Ptr, c: Ptr, scratch: Ptr, x: Ptr, Wp: Ptr, Up: Ptr, b: Ptr, lengths: Ptr,
    B: number, D: number, H: number, u0: number, u1: number, flags: number, activation: number, recurrentActivation: number,
    qtmp?: Ptr, Ws?: Ptr, Us?: Ptr): void;
}

/** The helper threads of threaded streaming steps (bindings/infer-threads.ts): `size` threads in all. */
export interface InferThreads {
  readonly size: number;
  /**
   * Prepares a layer's threaded step: kernel fn (0 infer_lstm_units, 1 infer_gru_units, 2
   * infer_simple_rnn_units) with its arguments (≤ 22; u0, u1 at 12, 13 are set per chunk) over H units,
   * cut into chunks of whole 32-column panels; `whole`: the one-thread call of the whole step (same bits),
   * run when no helper is awake; `scratch`: each thread's own copy of one pointer argument (PrivateScratch).
   */
  job(fn: number, args: readonly number[], H: number, whole?: () => void, scratch?: PrivateScratch): InferStepJob;
  /**
   * Computes one step of `job`: the caller claims chunks from the front, helpers that are awake from the
   * back. Returns true when it ran the job's `whole` call instead (no helper awake).
   */
  run(job: InferStepJob): boolean;
  /** Wakes sleeping helpers ahead of back-to-back steps (StepThreads.wakeHelpers). */
  wakeHelpers(): void;
  dispose(): void;
}

/** A layer's prepared threaded step (InferThreads.job): how many chunks its step is cut into. */
export interface InferStepJob {
  readonly chunks: number;
}

/** Flags of the recurrent ABI (docs/recurrent-abi.md). */
export const INFER_FLAGS = { reverse: 1, leftPadded: 2, resetAfter: 8, preQuantized: 64 } as const;
/** Bytes of one row of quant_rows' output for K-long rows (its scale padded to 16 bytes, then Kp int16 to 16). */
export const quantRowBytes = (K: number): number => 16 + ((2 * ((K + 1) & ~1) + 15) & ~15);
/** Activation codes of the ABI. */
export const ACTIVATION_CODES: Readonly<Record<string, number>> = { linear: 0, tanh: 1, sigmoid: 2, relu: 3, hard_sigmoid: 4 };

/** Options of loadInferKernels. */
export interface InferLoadOptions extends ArenaOptions {
  /**
   * 'simd' (default: the embedded build; WasmFeatureError where SIMD is missing), 'scalar' (the fallback
   * build, fetched), or 'auto' (SIMD where the engine has it, else the fetched scalar build).
   */
  variant?: 'simd' | 'scalar' | 'auto';
  /** The module to load instead (bytes, Module, URL, path in Node, Response): e.g. where the scalar file is served. */
  wasm?: BufferSource | WebAssembly.Module | URL | string | Response;
  /**
   * Threads for streaming steps (default 1): with N > 1, N - 1 helper threads share the wasm memory and each
   * LSTM step (float32 weights, units a multiple of 32) is split by units across the N threads; results are
   * bit-identical to one thread. Falls back to 1 thread with a one-line warning where SharedArrayBuffer or
   * blocking is not available (a browser's main thread, a page that is not cross-origin isolated).
   * `kernels.dispose()` (or `model.dispose()`) ends the helpers; idle helpers never keep Node alive.
   */
  threads?: number;
  /**
   * With threads: how long (ms) an idle helper spins for the next step before it sleeps (default 0.3). A
   * sleeping helper takes 50-400 µs to wake, so steps further apart than this run on the calling thread
   * alone (never slower than one thread); latency-critical streams stepping every 1-2 ms may raise it to
   * keep the helper awake, at the cost of a busy core between steps (battery).
   */
  spinMs?: number;
}

/** The instantiated inference module: its memory, raw exports and the build that runs. */
export interface InferKernels {
  readonly raw: InferRaw;
  readonly arena: Arena;
  readonly variant: 'simd' | 'scalar';
  /** Throws KernelArgumentError unless [ptr, ptr + bytes) lies in memory and ptr is 4-byte aligned. */
  check(kernel: string, name: string, ptr: Ptr, bytes: number): void;
  /** The step helpers when the kernels run on more than one thread (options.threads), else null. */
  readonly threads: InferThreads | null;
  /** Ends the helper threads, if any (idempotent); threaded steps throw afterwards. */
  dispose(): void;
}

function decodeBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

async function compile(source: NonNullable<InferLoadOptions['wasm']>): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (ArrayBuffer.isView(source) || source instanceof ArrayBuffer) return WebAssembly.compile(source);
  if (typeof source === 'string' || source instanceof URL) {
    const href = String(source);
    const isNode = typeof process === 'object' && !!process.versions?.node;
    if (isNode && !/^(https?|data|blob):/.test(href)) {
      const { readFile } = await import('node:fs/promises');
      return WebAssembly.compile(await readFile(href.startsWith('file:') ? new URL(href) : href));
    }
    return compile(await fetch(href));
  }
  if (!source.ok) throw new FusedRnnError(`loadInferKernels: fetching the wasm module failed: HTTP ${source.status} ${source.url}`);
  return WebAssembly.compile(await source.arrayBuffer());
}

/** Instantiates the inference-only module in a fresh Arena. */
export async function loadInferKernels(options: InferLoadOptions = {}): Promise<InferKernels> {
  if (typeof options !== 'object' || options === null) throw new FusedRnnError(`loadInferKernels: options must be an object, got ${options === null ? 'null' : typeof options}`); // issue 16
  let variant = options.variant ?? 'simd';
  if (variant === 'auto') variant = hasSimd() ? 'simd' : 'scalar';
  if (variant !== 'simd' && variant !== 'scalar') throw new FusedRnnError(`loadInferKernels: unknown variant ${JSON.stringify(variant)} (expected simd, scalar or auto)`);
  if (variant === 'simd' && !hasSimd()) {
    throw new WasmFeatureError('simd128', 'fused-rnn/infer needs WebAssembly SIMD (Chrome 91+, Firefox 89+, Safari 16.4+, Node 16.4+); pass { variant: "auto" } to fetch the scalar build instead');
  }
  // The scalar build is not embedded: it sits next to the bundle (dist/*/infer-scalar.wasm) unless given.
  const source = options.wasm ?? (variant === 'simd' ? decodeBase64(inferRelease) : new URL('./infer-scalar.wasm', import.meta.url));
  const n = options.threads ?? 1;
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new FusedRnnError(`loadInferKernels: threads must be an integer in [1, 64], got ${String(options.threads)}`);
  if (options.spinMs !== undefined && !(typeof options.spinMs === 'number' && options.spinMs >= 0 && options.spinMs <= 1000)) throw new FusedRnnError(`loadInferKernels: spinMs must be a number of milliseconds in [0, 1000], got ${String(options.spinMs)}`);
  // Threads: loaded on demand, so the one-thread bundle does not carry the helpers (issue 20 size bar).
  const shared = n > 1 ? await (await import('./infer-threads.js')).loadSharedInfer(source, n, options) : null;
  let raw: InferRaw, arena: Arena;
  if (shared) {
    ({ arena } = shared);
    raw = shared.exports as unknown as InferRaw;
  } else {
    const module = await compile(source);
    arena = new Arena(options);
    const abort = () => { throw new FusedRnnError('wasm kernel assertion failed'); };
    const instance = await WebAssembly.instantiate(module, { env: { memory: arena.memory, abort } });
    raw = instance.exports as unknown as InferRaw;
    arena.reserveBelow(raw.heap_base());
  }
  const check = (kernel: string, name: string, ptr: Ptr, bytes: number): void => {
    if (!Number.isInteger(ptr) || ptr % 4 !== 0 || ptr < arena.base) throw new KernelArgumentError(kernel, name, ptr, `is not a 4-byte aligned pointer at or above ${arena.base}`);
    if (ptr + bytes > arena.byteLength) throw new KernelArgumentError(kernel, name, ptr, `+ ${bytes} bytes lies outside memory (${arena.byteLength} bytes)`);
  };
  const threads = shared ? shared.threads : null;
  return { raw, arena, variant, check, threads, dispose: () => threads?.dispose() };
}
