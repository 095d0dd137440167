// fused-rnn/interop as a package entry: the main entry (`import 'fused-rnn'`) does not reach any interop code
// or parser (its static import closure in dist/ has no fflate/jsfive/h5wasm import and no interop class); the
// interop entry loads its parsers only through dynamic import(); prints the interop entry's own size
// (gzipped, what it adds on top of the main entry's chunks) and the parsers' sizes. Needs `npm run build`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const DIST = join(ROOT, 'dist/browser');
const read = (f: string) => readFileSync(join(DIST, f), 'utf8');
const staticImports = (f: string) => [...read(f).matchAll(/(?:^|[;\n}])\s*import\s*(?:[\w*{}\s,$]+from\s*)?["']([^"']+)["']/g)].map((m) => m[1]);
const gz = (s: string | Buffer) => gzipSync(s).length;

/** Files reachable from an entry through static imports of local chunks; bare package imports collected. */
function closure(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>(), packages = new Set<string>(), todo = [entry];
  while (todo.length) {
    const f = todo.pop()!;
    if (files.has(f)) continue;
    files.add(f);
    for (const spec of staticImports(f)) {
      if (spec.startsWith('./')) todo.push(spec.slice(2));
      else packages.add(spec);
    }
  }
  return { files, packages };
}

test('import "fused-rnn" reaches no interop code or parser; the interop entry loads parsers lazily', () => {
  assert.ok(existsSync(join(DIST, 'interop.js')), 'dist/browser/interop.js is missing: run npm run build first');
  const main = closure('index.js');
  const interop = closure('interop.js');
  for (const p of ['fflate', 'jsfive', 'h5wasm']) assert.not.ok(main.packages.has(p), `the main entry imports ${p}`);
  for (const f of main.files) {
    const code = read(f);
    for (const marker of ['UnsupportedModelError', 'ModelFileError', 'planOnnx', 'readSafetensors']) assert.not.ok(code.includes(marker), `${f} (reached by the main entry) contains interop code: ${marker}`);
  }
  for (const p of ['fflate', 'jsfive', 'h5wasm']) assert.not.ok(interop.packages.has(p), `the interop entry imports ${p} statically`);
  const interopCode = [...interop.files].filter((f) => !main.files.has(f)).map(read).join('\n');
  for (const p of ['fflate', 'jsfive', 'h5wasm']) assert.match(interopCode, new RegExp(`import\\(["']${p}["']\\)`), `${p} is loaded with a dynamic import()`);
  const sum = (fs: Iterable<string>) => [...fs].reduce((a, f) => a + gz(read(f)), 0);
  const own = [...interop.files].filter((f) => !main.files.has(f));
  const pkg = (p: string) => gz(readFileSync(join(ROOT, 'node_modules', p)));
  console.log(`\nmain entry static closure: ${main.files.size} files, ${(sum(main.files) / 1000).toFixed(1)} KB gz`);
  console.log(`interop entry on top of it: ${own.join(', ')}: ${(sum(own) / 1000).toFixed(1)} KB gz (unminified ESM)`);
  console.log(`lazy parsers: fflate ${(pkg('fflate/esm/browser.js') / 1000).toFixed(1)} KB gz, jsfive ${(pkg('jsfive/dist/esm/index.mjs') / 1000).toFixed(1)} KB gz, h5wasm ${((pkg('h5wasm/dist/esm/hdf5_hl.js') + pkg('h5wasm/dist/esm/hdf5_util.js')) / 1000).toFixed(1)} KB gz`);
});

test.run();
