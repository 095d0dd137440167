// Bundles with esbuild: the library for Node (ESM) and browsers (ESM), and the CLI (Node, executable).
// Every bundle embeds the wasm builds, so no loader plugin or file copy is needed by consumers.
import { chmodSync } from 'node:fs';
import { build } from 'esbuild';

const common = { bundle: true, format: 'esm', target: 'es2022', sourcemap: true, logLevel: 'warning' };
await build({ ...common, entryPoints: { index: 'src/index.ts' }, platform: 'node', outdir: 'dist/node' });
await build({ ...common, entryPoints: { index: 'src/index.ts' }, platform: 'browser', outdir: 'dist/browser', external: ['node:*'] });
// Issue 20: fused-rnn/infer, the inference-only entry (its own small wasm module embedded; the scalar fallback
// and the worker script sit next to the bundle: scripts/build-infer.mjs).
await build({ ...common, entryPoints: { infer: 'src/infer/index.ts' }, platform: 'node', outdir: 'dist/node' });
await build({ ...common, entryPoints: { infer: 'src/infer/index.ts' }, platform: 'browser', outdir: 'dist/browser', external: ['node:*'], minify: true });
await import('./build-infer.mjs');
// The CLI: third-party CommonJS packages (commander, csv-parse) need `require` inside an ESM bundle.
await build({
  ...common, entryPoints: { 'fused-rnn': 'cli/fused-rnn.ts' }, platform: 'node', outdir: 'dist/cli',
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
chmodSync('dist/cli/fused-rnn.js', 0o755);
console.log('dist/node/index.js, dist/browser/index.js, dist/cli/fused-rnn.js');
// The browser page (web/): its own esbuild step into web/dist/ (see web/build.mjs).
await import('../web/build.mjs');
