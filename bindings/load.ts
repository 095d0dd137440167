// loadKernels(): the one async entry point, identical in Node and browsers.
//
// The release (SIMD) and scalar modules are embedded in the bundle as base64, so the library works from a
// plain static server, from any bundler and from Node without file paths or bundler plugins. A caller who
// prefers a separate .wasm file (or wants the debug build) passes it as `wasm` (bytes, Module, URL, path,
// Response). See docs/decisions.md.

import { Arena, type ArenaOptions } from './arena.js';
import { ArenaError, FusedRnnError, WasmFeatureError } from './errors.js';
import { hasRelaxedSimd, hasSimd } from './features.js';
import { createKernels, type Backend, type Kernels, type RawKernels } from './kernels.js';
import { referenceRaw } from './reference-kernels.js';
import { embeddedWasm } from './embedded.js';
import { resolveThreads } from './threads/options.js';

/** Where loadKernels() gets a wasm build: bytes, a compiled module, a URL or path, or a (promised) fetch Response. */
export type WasmSource = BufferSource | WebAssembly.Module | URL | string | Response | PromiseLike<Response>;

/** Options of loadKernels(): backend, wasm build and source, and the arena sizes. */
export interface LoadOptions extends ArenaOptions {
  /** 'wasm' (default) or 'js' (the plain-TypeScript reference, same interface). */
  backend?: 'wasm' | 'js';
  /**
   * Which wasm build: 'auto' (default: 'relaxed' where the engine validates relaxed SIMD, else 'simd', else
   * 'scalar'), 'relaxed' (SIMD + f32x4.relaxed_madd in the GEMM micro-kernels: the fastest; deterministic on
   * one engine and CPU, throws WasmFeatureError where relaxed SIMD is missing), 'simd' (fixed-width SIMD with
   * separate multiply and add: bit-identical on every engine, the portable choice for replaying a training
   * run; throws where SIMD is missing), 'scalar' (no SIMD, benchmark baseline), 'debug' (needs `wasm`).
   * `kernels.variant` says which build runs.
   */
  variant?: 'auto' | 'relaxed' | 'simd' | 'scalar' | 'debug';
  /**
   * Load this module instead of the embedded one (bytes, compiled Module, URL, file path in Node, Response).
   * `variant` then names which build it is (the label in `kernels.backend`).
   */
  wasm?: WasmSource;
  /**
   * Profiling hook: wraps the raw exports before the checked interface is built (e.g. to time every wasm
   * call, as bench/train.ts does to separate kernel time from JS time). Not for production use.
   */
  wrapRaw?: (raw: RawKernels) => RawKernels;
  /**
   * Threads to run the big kernels on (LSTM forward and backward split by batch rows; LSTM inference by
   * batch rows, or at B = 1 by hidden units with a barrier per step; weight gradients by columns; GEMMs by
   * row blocks): a count (default 1) or 'auto' (one per core). Helpers are Workers sharing the arena's
   * memory; where that is impossible (no SharedArrayBuffer: a page that is not cross-origin isolated; a
   * browser's main thread, which cannot block) the kernels run on 1 thread after a one-line warning.
   * `kernels.threads` says how many run; `kernels.dispose()` ends the helpers. docs/performance.md.
   */
  threads?: number | 'auto';
  /**
   * With threads: the smallest call (in flops) split across them; smaller calls run on the calling thread,
   * since waking helpers costs tens of microseconds. Default 4e6; 0 splits every call (tests do).
   */
  threadMinFlops?: number;
}

/** Loads the kernels: the embedded SIMD wasm build by default (scalar or the JS reference on request), with a fresh arena. */
export async function loadKernels(options: LoadOptions = {}): Promise<Kernels> {
  if (typeof options !== 'object' || options === null) throw new ArenaError(`loadKernels: options must be an object, got ${options === null ? 'null' : typeof options}`); // issue 16: no TypeError
  const backend = options.backend ?? 'wasm';
  if (backend === 'js') {
    const arena = new Arena(options);
    const raw = referenceRaw(arena);
    return createKernels(options.wrapRaw ? options.wrapRaw(raw) : raw, arena, 'js');
  }
  if (backend !== 'wasm') throw new FusedRnnError(`loadKernels: unknown backend ${JSON.stringify(backend)} (expected "wasm" or "js")`);

  // With `wasm` given, `variant` names the build passed in (default 'simd', the build bindings/ used to embed).
  let variant = options.variant ?? (options.wasm === undefined ? 'auto' : 'simd');
  if (variant === 'auto') {
    variant = hasRelaxedSimd() ? 'relaxed' : hasSimd() ? 'simd' : 'scalar';
    // A silent 10× slowdown would hide: say it once.
    if (variant === 'scalar') console.warn('fused-rnn: WebAssembly SIMD is not available here; running the scalar kernels (about 10x slower)');
  }
  if (variant === 'relaxed' && !hasRelaxedSimd()) {
    throw new WasmFeatureError(
      'relaxed-simd',
      'the relaxed build needs relaxed WebAssembly SIMD (Chrome 114+, Firefox 145+, Node 22+; Node 20 with ' +
        '--experimental-wasm-relaxed-simd); pass { variant: "auto" } or { variant: "simd" } instead',
    );
  }
  if ((variant === 'simd' || variant === 'debug') && !hasSimd()) {
    throw new WasmFeatureError(
      'simd128',
      'fused-rnn kernels need fixed-width WebAssembly SIMD (Chrome 91+, Firefox 89+, Safari 16.4+, Node 16.4+); ' +
        'pass { variant: "auto" } or { variant: "scalar" } to run the slower scalar build instead',
    );
  }
  if (variant !== 'relaxed' && variant !== 'simd' && variant !== 'scalar' && variant !== 'debug') {
    throw new FusedRnnError(`loadKernels: unknown variant ${JSON.stringify(variant)} (expected auto, relaxed, simd, scalar or debug)`);
  }
  if (variant === 'debug' && options.wasm === undefined) {
    throw new FusedRnnError('loadKernels: the debug build is not embedded; pass its bytes or URL as { wasm }');
  }

  const label: Backend = variant === 'scalar' ? 'wasm-scalar' : variant === 'debug' ? 'wasm-debug' : variant === 'relaxed' ? 'wasm-relaxed' : 'wasm-simd';
  const threads = await resolveThreads(options.threads);
  const minFlops = options.threadMinFlops;
  if (minFlops !== undefined && (typeof minFlops !== 'number' || !(minFlops >= 0))) throw new FusedRnnError(`loadKernels: threadMinFlops must be a number >= 0, got ${String(minFlops)}`);
  if (threads > 1) {
    const src = options.wasm ?? embeddedWasm(variant === 'scalar' ? 'scalar' : variant === 'relaxed' ? 'relaxed' : 'release');
    if (ArrayBuffer.isView(src) || src instanceof ArrayBuffer) {
      const bytes = ArrayBuffer.isView(src) ? new Uint8Array(src.buffer, src.byteOffset, src.byteLength) : new Uint8Array(src);
      const { loadThreadedKernels } = await import('./threads/start.js');
      return loadThreadedKernels(bytes, threads, options, label, { abort }, options.wrapRaw, options.threadMinFlops);
    }
    console.warn(`fused-rnn: running on 1 thread instead of ${threads}: threads need the module's bytes (pass { wasm } as bytes, or use the embedded build)`);
  }
  const module = await compile(options.wasm ?? embeddedWasm(variant === 'scalar' ? 'scalar' : variant === 'relaxed' ? 'relaxed' : 'release'));
  const arena = new Arena(options);
  const instance = await WebAssembly.instantiate(module, { env: { memory: arena.memory, abort } });
  const exports = instance.exports as unknown as RawKernels;
  const raw = options.wrapRaw ? options.wrapRaw(exports) : exports;
  // The module's static data sits below its heap base; the arena starts above it.
  arena.reserveBelow(raw.heap_base());
  return createKernels(raw, arena, label);
}

/** AssemblyScript's abort import (only the debug build with asserts calls it). */
function abort(_message: number, _file: number, line: number, column: number): never {
  throw new FusedRnnError(`wasm kernel assertion failed at line ${line}:${column}`);
}

async function compile(source: WasmSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (ArrayBuffer.isView(source) || source instanceof ArrayBuffer) return WebAssembly.compile(source);
  if (typeof source === 'string' || source instanceof URL) {
    const href = String(source);
    const isNode = typeof process === 'object' && !!process.versions?.node;
    if (isNode && !/^(https?|data|blob):/.test(href)) {
      const { readFile } = await import('node:fs/promises');
      const path = href.startsWith('file:') ? new URL(href) : href;
      return WebAssembly.compile(await readFile(path));
    }
    return compile(fetch(href));
  }
  const response = await source;
  if (!response.ok) throw new FusedRnnError(`loadKernels: fetching the wasm module failed: HTTP ${response.status} ${response.url}`);
  return WebAssembly.compile(await response.arrayBuffer());
}
