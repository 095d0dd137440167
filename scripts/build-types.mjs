// Type declarations for the package: `tsc -p tsconfig.types.json` emits one .d.ts per source file into
// build/dts/, then rollup-plugin-dts bundles them into dist/types/<name>.d.ts, one per entry of package.json
// "exports" (scripts/package-entries.mjs). All entries go through ONE rollup build, so declarations that several
// subpaths share (Sequential, the errors, ...) land once, in a shared chunk that each entry imports: a class
// is the same type whether a consumer reaches it through `fused-rnn` or `fused-rnn/<subpath>`.
// `@internal` declarations are stripped (tsconfig.types.json: stripInternal).
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { rollup } from 'rollup';
import { dts } from 'rollup-plugin-dts';
import { ROOT, packageEntries } from './package-entries.mjs';

const entries = packageEntries();
rmSync(join(ROOT, 'build/dts'), { recursive: true, force: true });
rmSync(join(ROOT, 'dist/types'), { recursive: true, force: true });

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const emitted = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.types.json')], { stdio: 'inherit', cwd: ROOT });
if (emitted.status !== 0) throw new Error('tsc -p tsconfig.types.json failed (declaration emit): see the errors above');

const input = Object.fromEntries(entries.map((e) => [e.name, join(ROOT, 'build/dts', e.source.replace(/\.ts$/, '.d.ts'))]));
const bundle = await rollup({
  input,
  plugins: [dts({ respectExternal: false })],
  // Packages stay imports (the consumer installs them); node: built-ins too.
  external: (id) => !id.startsWith('.') && !id.startsWith('/'),
  onwarn(warning, warn) {
    if (warning.code === 'CIRCULAR_DEPENDENCY') return; // type-only cycles are harmless in declarations
    warn(warning);
  },
});
await bundle.write({ dir: join(ROOT, 'dist/types'), format: 'es', entryFileNames: '[name].d.ts', chunkFileNames: 'shared-[hash].d.ts' });
await bundle.close();

// CommonJS declarations (the "require" condition): the same text as .d.cts files, importing the .d.cts chunks,
// so TypeScript reads them as the types of a CommonJS module (dist/cjs/<name>.cjs).
const typesDir = join(ROOT, 'dist/types');
for (const f of readdirSync(typesDir).filter((f) => f.endsWith('.d.ts'))) {
  const text = readFileSync(join(typesDir, f), 'utf8').replace(/(from\s+'\.\/[\w.-]+)\.js'/g, "$1.cjs'");
  writeFileSync(join(typesDir, f.replace(/\.d\.ts$/, '.d.cts')), text);
}
console.log(`dist/types: ${entries.map((e) => `${e.name}.d.ts, ${e.name}.d.cts`).join(', ')}`);
