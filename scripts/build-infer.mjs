// Issue 20: the files fused-rnn/infer loads from next to its bundle, for Node and browsers: the worker
// script of createPredictor(source, { worker: true }) (dist/*/infer-worker.js) and the scalar wasm fallback
// (dist/*/infer-scalar.wasm, fetched only where SIMD is missing). scripts/build-js.mjs runs this after the
// library entries (dist/*/infer.js) are built.
import { copyFileSync, mkdirSync } from 'node:fs';
import { build } from 'esbuild';

const common = { bundle: true, format: 'esm', target: 'es2022', sourcemap: true, logLevel: 'warning', entryPoints: { 'infer-worker': 'src/infer/worker-main.ts' } };
await build({ ...common, platform: 'node', outdir: 'dist/node' });
await build({ ...common, platform: 'browser', outdir: 'dist/browser', external: ['node:*'], minify: true });
for (const d of ['dist/node', 'dist/browser']) {
  mkdirSync(d, { recursive: true });
  copyFileSync('build/infer-scalar.wasm', `${d}/infer-scalar.wasm`);
}
