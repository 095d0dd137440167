// Builds the browser page into web/dist/: main.js (the page) and worker.js (the training worker) share one
// code-split chunk with the library (kernels with the embedded wasm, layers, data, diagnostics), plus
// index.html and styles.css copied as they are. Run from anywhere; `scripts/build-js.mjs` calls it last.
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const WEB = dirname(fileURLToPath(import.meta.url));
const OUT = join(WEB, 'dist');
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
await build({
  entryPoints: { main: join(WEB, 'src/main.ts'), worker: join(WEB, 'src/worker.ts'), stream: join(WEB, 'src/stream-demo.ts'), interop: join(WEB, 'src/interop-page.ts') }, // stream: issue 20, interop: issue 15
  outdir: OUT, bundle: true, splitting: true, format: 'esm', platform: 'browser', target: 'es2022',
  external: ['node:*'], minify: true, sourcemap: 'linked', chunkNames: 'lib-[hash]', logLevel: 'warning',
  legalComments: 'none', keepNames: true, // class names: error names (new.target.name) and layer names stay readable
});
for (const f of ['index.html', 'styles.css', 'stream.html', 'interop.html']) copyFileSync(join(WEB, f), join(OUT, f));
console.log(`web/dist: ${readdirSync(OUT).sort().join(', ')}`);
