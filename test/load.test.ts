// loadKernels: variants, SIMD detection and the missing-SIMD error, the URL/path option, the debug build.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { rejectsTyped } from './helpers/assert-throws.js';
import { FusedRnnError, hasSimd, loadKernels, WasmFeatureError, type Kernels } from '../bindings/index.js';

async function smoke(k: Kernels): Promise<void> {
  const a = k.arena;
  const A = a.putF32([1, 2, 3, 4]), B = a.putF32([5, 6, 7, 8]), C = a.alloc(4);
  k.gemmNN(C, A, B, 2, 2, 2);
  assert.equal(Array.from(a.readF32(C, 4)), [19, 22, 43, 50], `${k.backend} computes [[1,2],[3,4]]·[[5,6],[7,8]]`);
}

test('Node 20 has SIMD; the default is the embedded SIMD build', async () => {
  assert.ok(hasSimd());
  const k = await loadKernels();
  assert.is(k.backend, 'wasm-simd');
  await smoke(k);
});

test('scalar, auto, js backends', async () => {
  for (const [opts, label] of [[{ variant: 'scalar' }, 'wasm-scalar'], [{ variant: 'auto' }, 'wasm-simd'], [{ backend: 'js' }, 'js']] as const) {
    const k = await loadKernels(opts);
    assert.is(k.backend, label);
    await smoke(k);
  }
});

test('from a file path, a file: URL, bytes and a compiled Module; the debug build', async () => {
  await smoke(await loadKernels({ wasm: 'build/release.wasm' }));
  await smoke(await loadKernels({ wasm: pathToFileURL('build/release.wasm') }));
  await smoke(await loadKernels({ wasm: readFileSync('build/release.wasm') }));
  await smoke(await loadKernels({ wasm: new WebAssembly.Module(readFileSync('build/scalar.wasm')), variant: 'scalar' }));
  const debug = await loadKernels({ variant: 'debug', wasm: 'build/debug.wasm' });
  assert.is(debug.backend, 'wasm-debug');
  await smoke(debug);
  await rejectsTyped(() => loadKernels({ variant: 'debug' }), FusedRnnError, /debug build is not embedded/);
});

test('an engine without SIMD: a clear WasmFeatureError, and "auto" falls back to the scalar build', async () => {
  const validate = WebAssembly.validate;
  WebAssembly.validate = () => false;
  try {
    assert.not.ok(hasSimd());
    let err: unknown;
    try { await loadKernels(); } catch (e) { err = e; }
    assert.ok(err instanceof WasmFeatureError, 'WasmFeatureError');
    assert.match((err as Error).message, /WebAssembly feature "simd128" is not available: .* pass \{ variant: "auto" \}/);
    const k = await loadKernels({ variant: 'auto' });
    assert.is(k.backend, 'wasm-scalar');
    await smoke(k);
  } finally {
    WebAssembly.validate = validate;
  }
});

test('unknown options and a missing file are clear errors', async () => {
  await rejectsTyped(() => loadKernels({ backend: 'gpu' as never }), FusedRnnError, /unknown backend "gpu"/);
  await rejectsTyped(() => loadKernels({ variant: 'fast' as never }), FusedRnnError, /unknown variant "fast"/);
  await rejectsTyped(() => loadKernels({ wasm: 'build/no-such.wasm' }), Error, /ENOENT/);
});

test.run();
