// Bundle-size budget (issue 10): the kernel wasm (build/release.wasm) ≤ 100 KB gzipped, and everything the
// browser page loads as code (web/dist/*.js and *.wasm, i.e. page + worker + shared library chunks with the
// embedded base64 wasm; no data files, no source maps) ≤ 400 KB gzipped. KB = 1000 bytes; gzip is node:zlib at
// its default level (6), each file compressed on its own as a server would send it. Prints the numbers
// (README "Bundle sizes"). Needs `npm run build` first.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const KB = 1000;
const WASM_GZIP_BUDGET = 100 * KB;
const PAGE_GZIP_BUDGET = 400 * KB;

interface Size { name: string; raw: number; gzip: number }

const measure = (name: string, bytes: Uint8Array): Size => ({ name, raw: bytes.length, gzip: gzipSync(bytes).length });
const sum = (name: string, xs: Size[]): Size => ({ name, raw: xs.reduce((a, x) => a + x.raw, 0), gzip: xs.reduce((a, x) => a + x.gzip, 0) });
const kb = (n: number) => `${(n / KB).toFixed(1)} KB`;

function need(path: string): Buffer {
  if (!existsSync(join(ROOT, path))) assert.unreachable(`${path} is missing: run npm run build first`);
  return readFileSync(join(ROOT, path));
}

test('bundle sizes: kernel wasm ≤ 100 KB gzipped, the page\'s JS+wasm ≤ 400 KB gzipped', () => {
  const release = measure('build/release.wasm (SIMD kernels)', need('build/release.wasm'));
  const scalar = measure('build/scalar.wasm (no-SIMD fallback)', need('build/scalar.wasm'));
  need('dist/browser/index.js');
  // The library's browser build: its entries and their shared chunks (scripts/build-js.mjs splits), no maps.
  const libraryFiles = readdirSync(join(ROOT, 'dist/browser')).filter((f) => f.endsWith('.js')).sort();
  const library = sum('dist/browser/*.js (library ESM: entries + chunks, both wasm builds embedded)',
    libraryFiles.map((f) => measure(f, readFileSync(join(ROOT, 'dist/browser', f)))));
  need('web/dist/index.html');

  const dist = join(ROOT, 'web/dist');
  const code = readdirSync(dist).filter((f) => f.endsWith('.js') || f.endsWith('.wasm')).sort();
  const pageFiles = code.map((f) => measure(`web/dist/${f}`, readFileSync(join(dist, f))));
  const page = sum('web page: all JS + wasm', pageFiles);
  const other = readdirSync(dist).filter((f) => f.endsWith('.html') || f.endsWith('.css')).map((f) => measure(`web/dist/${f}`, readFileSync(join(dist, f))));
  const pageTotal = sum('web page: + index.html and styles.css', [...pageFiles, ...other]);

  // The page really carries the kernels: the release module's base64 (it starts with "\0asm") is in a chunk.
  const releaseBase64 = readFileSync(join(ROOT, 'build/release.wasm')).toString('base64');
  const allCode = code.map((f) => readFileSync(join(dist, f), 'latin1')).join('\n');
  assert.ok(allCode.includes(releaseBase64.slice(0, 4096)), 'the page bundle embeds build/release.wasm');
  assert.ok(code.includes('main.js') && code.includes('worker.js'), `page and worker entry points: ${code.join(', ')}`);
  // ... in ONE chunk that both the page and the worker import (the same library bundle in both contexts).
  const imports = (f: string) => [...readFileSync(join(dist, f), 'utf8').matchAll(/from\s*"\.\/([\w.-]+\.js)"|import\s*"\.\/([\w.-]+\.js)"/g)].map((m) => m[1] ?? m[2]);
  const reach = (entry: string) => {
    const seen = new Set<string>(), todo = [entry];
    while (todo.length) { const f = todo.pop()!; if (!seen.has(f)) { seen.add(f); todo.push(...imports(f)); } }
    return seen;
  };
  const kernelChunks = code.filter((f) => readFileSync(join(dist, f), 'latin1').includes(releaseBase64.slice(0, 4096)));
  assert.is(kernelChunks.length, 1, `exactly one chunk embeds the wasm: ${kernelChunks.join(', ')}`);
  assert.ok(reach('main.js').has(kernelChunks[0]) && reach('worker.js').has(kernelChunks[0]), `main.js and worker.js both import ${kernelChunks[0]}`);

  const rows = [release, scalar, library, ...pageFiles, page, pageTotal];
  const width = Math.max(...rows.map((r) => r.name.length));
  console.log(`\n${'file'.padEnd(width)}  ${'raw'.padStart(10)}  ${'gzip'.padStart(10)}`);
  for (const r of rows) console.log(`${r.name.padEnd(width)}  ${kb(r.raw).padStart(10)}  ${kb(r.gzip).padStart(10)}`);
  console.log(`budgets: kernel wasm gzip ${kb(release.gzip)} ≤ ${kb(WASM_GZIP_BUDGET)}; page JS+wasm gzip ${kb(page.gzip)} ≤ ${kb(PAGE_GZIP_BUDGET)}\n`);

  assert.ok(release.gzip <= WASM_GZIP_BUDGET, `build/release.wasm is ${kb(release.gzip)} gzipped, over the ${kb(WASM_GZIP_BUDGET)} budget`);
  assert.ok(page.gzip <= PAGE_GZIP_BUDGET, `the page's JS+wasm is ${kb(page.gzip)} gzipped, over the ${kb(PAGE_GZIP_BUDGET)} budget`);
});

test.run();
