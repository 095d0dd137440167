// loadKernels: variants, SIMD detection and the missing-SIMD error, the URL/path option, the debug build.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { rejectsTyped } from './helpers/assert-throws.js';
import { FusedRnnError, hasRelaxedSimd, hasSimd, loadKernels, WasmFeatureError, type Kernels } from '../bindings/index.js';

async function smoke(k: Kernels): Promise<void> {
  const a = k.arena;
  const A = a.putF32([1, 2, 3, 4]), B = a.putF32([5, 6, 7, 8]), C = a.alloc(4);
  k.gemmNN(C, A, B, 2, 2, 2);
  assert.equal(Array.from(a.readF32(C, 4)), [19, 22, 43, 50], `${k.backend} computes [[1,2],[3,4]]·[[5,6],[7,8]]`);
}

test('Node has SIMD; the default (auto) is the relaxed-SIMD build where the engine validates it, else the SIMD build', async () => {
  assert.ok(hasSimd());
  const k = await loadKernels();
  assert.is(k.backend, hasRelaxedSimd() ? 'wasm-relaxed' : 'wasm-simd');
  assert.is(k.variant, hasRelaxedSimd() ? 'relaxed' : 'simd');
  await smoke(k);
  const simd = await loadKernels({ variant: 'simd' });
  assert.is(simd.variant, 'simd');
  await smoke(simd);
});

test('scalar, auto, js backends', async () => {
  for (const [opts, label] of [[{ variant: 'scalar' }, 'wasm-scalar'], [{ variant: 'auto' }, hasRelaxedSimd() ? 'wasm-relaxed' : 'wasm-simd'], [{ backend: 'js' }, 'js']] as const) {
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

test('an engine without SIMD: "simd" and "relaxed" are clear WasmFeatureErrors; the default (auto) falls back to the scalar build with one warning', async () => {
  const validate = WebAssembly.validate, warn = console.warn;
  const warnings: string[] = [];
  WebAssembly.validate = () => false;
  console.warn = (m: string) => { warnings.push(m); };
  try {
    assert.not.ok(hasSimd());
    assert.not.ok(hasRelaxedSimd());
    for (const [variant, feature] of [['simd', 'simd128'], ['relaxed', 'relaxed-simd']] as const) {
      let err: unknown;
      try { await loadKernels({ variant }); } catch (e) { err = e; }
      assert.ok(err instanceof WasmFeatureError, `${variant}: WasmFeatureError`);
      assert.match((err as Error).message, new RegExp(`WebAssembly feature "${feature}" is not available: .* pass \\{ variant: "auto" \\}`));
    }
    for (const k of [await loadKernels({ variant: 'auto' }), await loadKernels()]) {
      assert.is(k.backend, 'wasm-scalar');
      assert.is(k.variant, 'scalar');
      await smoke(k);
    }
    assert.is(warnings.length, 2);
    assert.match(warnings[0], /SIMD is not available here; running the scalar kernels/);
  } finally {
    WebAssembly.validate = validate;
    console.warn = warn;
  }
});

test('the relaxed build: picked by auto where relaxed SIMD validates, its own label; with { wasm } the variant names the build', async () => {
  if (hasRelaxedSimd()) {
    const k = await loadKernels({ variant: 'relaxed' });
    assert.is(k.backend, 'wasm-relaxed');
    await smoke(k);
  }
  const fromFile = await loadKernels({ wasm: 'build/release.wasm' });
  assert.is(fromFile.variant, 'simd', 'a module passed in is labelled simd unless variant says otherwise');
  assert.is((await loadKernels({ wasm: 'build/scalar.wasm', variant: 'scalar' })).variant, 'scalar');
});

test('unknown options and a missing file are clear errors', async () => {
  await rejectsTyped(() => loadKernels({ backend: 'gpu' as never }), FusedRnnError, /unknown backend "gpu"/);
  await rejectsTyped(() => loadKernels({ variant: 'fast' as never }), FusedRnnError, /unknown variant "fast"/);
  await rejectsTyped(() => loadKernels({ wasm: 'build/no-such.wasm' }), Error, /ENOENT/);
});

test.run();
