// loadKernels(): the one async entry point, identical in Node and browsers.
//
// The release (SIMD) and scalar modules are embedded in the bundle as base64, so the library works from a
// plain static server, from any bundler and from Node without file paths or bundler plugins. A caller who
// prefers a separate .wasm file (or wants the debug build) passes it as `wasm` (bytes, Module, URL, path,
// Response). See docs/decisions.md.

import { Arena, type ArenaOptions } from './arena.js';
import { FusedRnnError, WasmFeatureError } from './errors.js';
import { hasSimd } from './features.js';
import { createKernels, type Backend, type Kernels, type RawKernels } from './kernels.js';
import { referenceRaw } from './reference-kernels.js';
import { embeddedWasm } from './embedded.js';

/** Where loadKernels() gets a wasm build: bytes, a compiled module, a URL or path, or a (promised) fetch Response. */
export type WasmSource = BufferSource | WebAssembly.Module | URL | string | Response | PromiseLike<Response>;

/** Options of loadKernels(): backend, wasm build and source, and the arena sizes. */
export interface LoadOptions extends ArenaOptions {
  /** 'wasm' (default) or 'js' (the plain-TypeScript reference, same interface). */
  backend?: 'wasm' | 'js';
  /**
   * Which wasm build: 'simd' (default; throws WasmFeatureError where SIMD is missing), 'scalar' (no SIMD,
   * benchmark baseline), 'auto' (SIMD if the engine has it, else scalar), 'debug' (needs `wasm`).
   */
  variant?: 'simd' | 'scalar' | 'auto' | 'debug';
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
}

/** Loads the kernels: the embedded SIMD wasm build by default (scalar or the JS reference on request), with a fresh arena. */
export async function loadKernels(options: LoadOptions = {}): Promise<Kernels> {
  const backend = options.backend ?? 'wasm';
  if (backend === 'js') {
    const arena = new Arena(options);
    const raw = referenceRaw(arena);
    return createKernels(options.wrapRaw ? options.wrapRaw(raw) : raw, arena, 'js');
  }
  if (backend !== 'wasm') throw new FusedRnnError(`loadKernels: unknown backend ${JSON.stringify(backend)} (expected "wasm" or "js")`);

  let variant = options.variant ?? 'simd';
  if (variant === 'auto') variant = hasSimd() ? 'simd' : 'scalar';
  if ((variant === 'simd' || variant === 'debug') && !hasSimd()) {
    throw new WasmFeatureError(
      'simd128',
      'fused-rnn kernels need fixed-width WebAssembly SIMD (Chrome 91+, Firefox 89+, Safari 16.4+, Node 16.4+); ' +
        'pass { variant: "auto" } or { variant: "scalar" } to run the slower scalar build instead',
    );
  }
  if (variant !== 'simd' && variant !== 'scalar' && variant !== 'debug') {
    throw new FusedRnnError(`loadKernels: unknown variant ${JSON.stringify(variant)} (expected simd, scalar, auto or debug)`);
  }
  if (variant === 'debug' && options.wasm === undefined) {
    throw new FusedRnnError('loadKernels: the debug build is not embedded; pass its bytes or URL as { wasm }');
  }

  const module = await compile(options.wasm ?? embeddedWasm(variant === 'scalar' ? 'scalar' : 'release'));
  const arena = new Arena(options);
  const instance = await WebAssembly.instantiate(module, { env: { memory: arena.memory, abort } });
  const exports = instance.exports as unknown as RawKernels;
  const raw = options.wrapRaw ? options.wrapRaw(exports) : exports;
  // The module's static data sits below its heap base; the arena starts above it.
  arena.reserveBelow(raw.heap_base());
  const label: Backend = variant === 'scalar' ? 'wasm-scalar' : variant === 'debug' ? 'wasm-debug' : 'wasm-simd';
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
