// Bundles the library with esbuild: dist/node (ESM, platform node) and dist/browser (ESM, platform browser).
// Both embed the wasm builds, so no loader plugin or file copy is needed by consumers.
import { build } from 'esbuild';

const common = { entryPoints: { index: 'src/index.ts' }, bundle: true, format: 'esm', target: 'es2022', sourcemap: true, logLevel: 'warning' };
await build({ ...common, platform: 'node', outdir: 'dist/node' });
await build({ ...common, platform: 'browser', outdir: 'dist/browser', external: ['node:*'] });
console.log('dist/node/index.js, dist/browser/index.js');
