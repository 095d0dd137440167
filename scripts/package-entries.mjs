// The package's public entry points, read from package.json "exports" (the one list: see docs/decisions.md,
// "Package entry points"). Each subpath "./name" follows one pattern, checked here so a typo fails the build:
//   "./name": { "types": "./dist/types/name.d.ts", "browser": "./dist/browser/name.js", "default": "./dist/node/name.js" }
// with its source at src/name/index.ts ("." is src/index.ts, output name "index"). "./package.json" is exported
// as itself. Used by scripts/build-js.mjs (esbuild), scripts/build-types.mjs (rollup-plugin-dts), typedoc.json
// generation (scripts/docs.mjs), and the package tests.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * @typedef {object} PackageEntry
 * @property {string} subpath   the exports key: "." or "./name"
 * @property {string} name      output base name: "index" for ".", else "name"
 * @property {string} source    TypeScript entry, relative to the root: src/index.ts or src/name/index.ts
 * @property {string} types     ./dist/types/<name>.d.ts
 * @property {string} cjsTypes  ./dist/types/<name>.d.cts
 * @property {string} browser   ./dist/browser/<name>.js
 * @property {string} node      ./dist/node/<name>.js
 * @property {string} cjs       ./dist/cjs/<name>.cjs
 */

/** The exports map's entry for `name`, exactly as package.json must spell it (conditions in this order). */
export function exportsEntry(name) {
  return {
    import: { types: `./dist/types/${name}.d.ts`, browser: `./dist/browser/${name}.js`, default: `./dist/node/${name}.js` },
    require: { types: `./dist/types/${name}.d.cts`, default: `./dist/cjs/${name}.cjs` },
  };
}

/** package.json "typesVersions": "fused-rnn/name" → dist/types/name.d.ts under node10 resolution; "types" maps to itself. */
export const TYPES_VERSIONS = { '*': { 'dist/*': ['./dist/*'], 'package.json': ['./package.json'], '*': ['./dist/types/*.d.ts'] } };

/** @returns {PackageEntry[]} every code entry of package.json "exports", "." first; throws on a bad entry. */
export function packageEntries(pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))) {
  const exportsMap = pkg.exports;
  if (!exportsMap || typeof exportsMap !== 'object' || !exportsMap['.']) throw new Error('package.json: "exports" must have "."');
  const problems = [];
  const entries = [];
  for (const [subpath, target] of Object.entries(exportsMap)) {
    if (subpath === './package.json') {
      if (target !== './package.json') problems.push(`"./package.json" must map to "./package.json"`);
      continue;
    }
    const m = /^\.(?:\/([a-z][a-z0-9-]*))?$/.exec(subpath);
    if (!m) {
      problems.push(`${JSON.stringify(subpath)}: subpaths are "./name" (lower case, digits, dashes)`);
      continue;
    }
    const name = m[1] ?? 'index';
    const source = m[1] ? `src/${name}/index.ts` : 'src/index.ts';
    const want = exportsEntry(name);
    if (JSON.stringify(target) !== JSON.stringify(want)) {
      problems.push(`${JSON.stringify(subpath)} must be ${JSON.stringify(want)} (types first); it is ${JSON.stringify(target)}`);
    }
    if (!existsSync(join(ROOT, source))) problems.push(`${JSON.stringify(subpath)}: its source ${source} does not exist`);
    entries.push({
      subpath, name, source, types: want.import.types, cjsTypes: want.require.types, browser: want.import.browser,
      node: want.import.default, cjs: want.require.default,
    });
  }
  if (!('./package.json' in exportsMap)) problems.push('"./package.json" must be exported');
  if (JSON.stringify(pkg.typesVersions) !== JSON.stringify(TYPES_VERSIONS)) {
    problems.push(`"typesVersions" must be ${JSON.stringify(TYPES_VERSIONS)}`);
  }
  if (pkg.types !== './dist/types/index.d.ts' || pkg.main !== './dist/node/index.js') {
    problems.push('"main" must be "./dist/node/index.js" and "types" "./dist/types/index.d.ts"');
  }
  if (problems.length) throw new Error(`package.json "exports" does not follow the entry pattern:\n  ${problems.join('\n  ')}`);
  return entries;
}
