// Bundles with esbuild: the library for Node (ESM) and browsers (ESM), its CommonJS entries, and the CLI (Node,
// executable). Library entries come from package.json "exports" (scripts/package-entries.mjs): "." →
// dist/{node,browser}/index.js and dist/cjs/index.cjs, "./name" → dist/{node,browser}/name.js and dist/cjs/name.cjs.
// All entries of one platform are ONE esbuild build with code splitting, so what several entries share (kernels,
// layers, errors) is one chunk, and one class is one class whichever subpath it came through (instanceof works
// across `fused-rnn` and `fused-rnn/<subpath>`). Chunks sit next to the entries (chunk-*.js): code that resolves
// files against import.meta.url (src/data/datasets.ts: ../../data/) needs every file at the same depth.
// Packages stay imports (`packages: 'external'`): a subpath's runtime dependency is a dependency (or
// peerDependency) of the package, installed once by the consumer, never a second copy inside dist/.
// Every bundle embeds the wasm builds, so no loader plugin or file copy is needed by consumers.
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';
import { packageEntries } from './package-entries.mjs';

/**
 * The browser build has no `node:` specifiers left, so a consumer's bundler (esbuild, Vite, webpack) needs no
 * configuration: the library reaches Node built-ins only through dynamic `import('node:…')` on Node-only paths
 * (reading files, saving checkpoints), and here each becomes a tiny chunk that rejects with a clear error. A
 * static import of a built-in would break every page, so it fails the build instead.
 */
const nodeBuiltinsForBrowsers = {
  name: 'node-builtins-for-browsers',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => {
      if (args.kind !== 'dynamic-import') {
        return { errors: [{ text: `${args.importer} imports ${args.path} statically: the browser build can only reach Node built-ins through await import() on a Node-only path` }] };
      }
      return { path: args.path, namespace: 'node-builtin' };
    });
    b.onLoad({ filter: /.*/, namespace: 'node-builtin' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`fused-rnn: ${args.path} is not available in this browser build (a Node-only code path was reached)`)});
`,
      loader: 'js',
    }));
  },
};

const entries = packageEntries();
const entryPoints = Object.fromEntries(entries.map((e) => [e.name, e.source]));
const common = { bundle: true, format: 'esm', target: 'es2022', sourcemap: true, logLevel: 'warning' };
const library = { ...common, entryPoints, splitting: true, chunkNames: 'chunk-[hash]', packages: 'external' };
for (const d of ['dist/node', 'dist/browser', 'dist/cjs']) rmSync(d, { recursive: true, force: true });
await build({ ...library, platform: 'node', outdir: 'dist/node' });
// Browsers: whitespace minified (what a page downloads; identifiers and syntax kept, so class and error names
// stay as written; source maps map back), docs/decisions.md "Minified browser build".
await build({ ...library, platform: 'browser', outdir: 'dist/browser', plugins: [nodeBuiltinsForBrowsers], minifyWhitespace: true });
// CommonJS entries: require() of the ES module (Node >= 20.19 and >= 22.12 load ESM through require when it has
// no top-level await), so `require('fused-rnn')` and `import 'fused-rnn'` give the same classes, one instance.
mkdirSync('dist/cjs', { recursive: true });
for (const e of entries) {
  const what = e.subpath === '.' ? 'fused-rnn' : `fused-rnn/${e.name}`;
  writeFileSync(`dist/cjs/${e.name}.cjs`, `'use strict';\n// CommonJS entry of ${what}: the ES module, loaded through require(esm).\nmodule.exports = require('../node/${e.name}.js');\n`);
}
// Issue 20: fused-rnn/infer's worker script and scalar fallback next to its bundle (scripts/build-infer.mjs).
await import('./build-infer.mjs');
// The CLI: third-party CommonJS packages (commander, csv-parse) need `require` inside an ESM bundle.
await build({
  ...common, entryPoints: { 'fused-rnn': 'cli/fused-rnn.ts' }, platform: 'node', outdir: 'dist/cli',
  // The interop parsers (import/export commands) load lazily from the package's dependencies (h5wasm is ~4 MB).
  external: ['h5wasm', 'jsfive', 'fflate'],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
chmodSync('dist/cli/fused-rnn.js', 0o755);
console.log(`${entries.map((e) => `${e.node}, ${e.browser}, ${e.cjs}`).join(', ')}, ./dist/cli/fused-rnn.js`);
// The browser page (web/): its own esbuild step into web/dist/ (see web/build.mjs).
await import('../web/build.mjs');
