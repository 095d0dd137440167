// The published package, checked from its `npm pack` tarball (not the source tree), offline:
//   - publint (every level, suggestions included) and @arethetypeswrong/cli (all four resolution modes, every
//     entry of package.json "exports") on the tarball;
//   - a scratch consumer in a temp folder installs the tarball with `npm install --offline` (its dependencies
//     come from the npm cache that `npm ci` filled), then
//       * Node ESM: imports fused-rnn, trains a small LSTM (the loss falls), imports every subpath and
//         fused-rnn/package.json; Node CommonJS: require() gives the same module instance as import;
//       * strict tsc (skipLibCheck off, so the shipped declarations are checked too) on a usage file under
//         NodeNext (with a CommonJS .cts usage) and under bundler resolution; a file with `units: 'eight'` must
//         fail to compile, naming `units`;
//       * esbuild bundles the usage for the browser (it must pick dist/browser, no node: imports), and the
//         bundle trains the same model in headless Chromium (test/helpers/chromium.ts).
// The project's own typescript and esbuild run the checks. Needs `npm run build` first (npm test does it).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import type { Browser } from 'playwright-core';
import { runChild, type ChildResult } from './helpers/child.js';
import { launchChromium } from './helpers/chromium.js';
// @ts-expect-error: a plain .mjs helper without declarations
import { packageEntries } from '../scripts/package-entries.mjs';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const require = createRequire(import.meta.url);
const TSC = require.resolve('typescript/bin/tsc');
const ATTW = join(ROOT, 'node_modules/@arethetypeswrong/cli/dist/index.js');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
const ENTRIES = packageEntries() as Array<{ subpath: string; name: string }>;
const SPECIFIERS = ENTRIES.map((e) => (e.subpath === '.' ? PKG.name : `${PKG.name}/${e.name}`));

const WORK = mkdtempSync(join(tmpdir(), 'fused-rnn-package-'));
const CONSUMER = join(WORK, 'consumer');
let tarball = '';

// Every command here is node (npm and the fused-rnn bin through their shebangs): test/helpers/child.ts runs
// it, so one that hung in Node's shutdown (nodejs/node#54918) after its work is run once more (note).
function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<ChildResult> {
  return runChild(cmd, args, { cwd, env, timeoutMs: 300_000 });
}
const output = (r: ChildResult) => `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`;
function ok(r: ChildResult, what: string): string {
  if (r.status !== 0) assert.unreachable(`${what} exited with ${r.status}:\n${output(r)}`);
  return r.stdout;
}
const npm = (args: string[], cwd: string) =>
  // npm_config_* from the `npm test` that started us would leak into the child's config; keep only the cache.
  run('npm', args, cwd, Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_config_(?!cache$)/i.test(k))));

/** A package-lock (v3) for the scratch consumer holding the project's lock entries of the package's runtime dependencies, transitively. */
function seedLockfile() {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; dev?: boolean }> };
  const packages: Record<string, unknown> = { '': { name: 'scratch-consumer' } };
  const todo = Object.keys(pkg.dependencies ?? {}).map((name) => `node_modules/${name}`);
  while (todo.length) {
    const path = todo.pop()!;
    if (path in packages) continue;
    const entry = lock.packages[path];
    if (!entry) assert.unreachable(`package-lock.json has no entry ${path}: run npm install`);
    const { dev: _dev, ...rest } = entry;
    packages[path] = rest;
    for (const dep of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
      // Node's lookup: the nearest node_modules/<dep> walking up from this package's folder.
      const parts = path.split('/node_modules/');
      for (let i = parts.length; i >= 0; i--) {
        const candidate = [...parts.slice(0, i), dep].join('/node_modules/');
        const full = i === 0 ? `node_modules/${dep}` : candidate;
        if (lock.packages[full]) { todo.push(full); break; }
      }
    }
  }
  return { name: 'scratch-consumer', lockfileVersion: 3, requires: true, packages };
}

// The toy task every consumer trains: ids in [1, 9], length 8; label 1 when token 3 occurs.
const TRAIN_SOURCE = `
const N = 96, T = 8;
let s = 7;
const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
const ids = new Int32Array(N * T), labels = new Float32Array(N);
for (let n = 0; n < N; n++) {
  for (let t = 0; t < T; t++) ids[n * T + t] = 1 + Math.floor(rnd() * 9);
  if (n % 2 === 0) ids[n * T + Math.floor(rnd() * T)] = 3;
  let has = 0;
  for (let t = 0; t < T; t++) if (ids[n * T + t] === 3) has = 1;
  labels[n] = has;
}
const model = new Sequential([
  new Embedding({ inputDim: 10, outputDim: 8 }),
  new LSTM({ units: 8 }),
  new Dense({ units: 1, activation: 'sigmoid' }),
], { seed: 3 });
model.compile({ optimizer: { className: 'Adam', config: { learningRate: 0.02 } }, loss: 'binaryCrossentropy', metrics: ['accuracy'] });
const history = await model.fit({ data: ids, shape: [N, T] }, { data: labels, shape: [N] }, { epochs: 12, batchSize: 16, verbose: 0 });
const loss = history.history.loss;
`;

test.before(() => {
  for (const e of ENTRIES) {
    if (!existsSync(join(ROOT, `dist/types/${e.name}.d.ts`))) assert.unreachable(`dist/types/${e.name}.d.ts is missing: run npm run build first`);
  }
});

test.after(() => {
  rmSync(WORK, { recursive: true, force: true });
});

test('npm pack: the tarball holds the entries, their types and the CommonJS shims, and no sources or tests', async () => {
  const out = ok(await npm(['pack', '--json', '--pack-destination', WORK], ROOT), 'npm pack');
  const [info] = JSON.parse(out.slice(out.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(WORK, info.filename);
  const files = info.files.map((f) => f.path);
  for (const e of ENTRIES) {
    for (const f of [`dist/node/${e.name}.js`, `dist/browser/${e.name}.js`, `dist/cjs/${e.name}.cjs`, `dist/types/${e.name}.d.ts`, `dist/types/${e.name}.d.cts`]) {
      assert.ok(files.includes(f), `${f} is not in the tarball`);
    }
  }
  assert.ok(files.includes('dist/cli/fused-rnn.js') && files.includes('package.json') && files.includes('README.md'));
  const stray = files.filter((f) => /^(src|bindings|test|assembly|bench|scripts|build)\//.test(f) || f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.d.cts'));
  assert.equal(stray, [], 'sources or tests in the tarball');
});

test('publint: no errors, warnings or suggestions on the tarball', async () => {
  const bytes = readFileSync(tarball);
  const { messages, pkg } = await publint({ pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer }, level: 'suggestion', strict: true });
  const lines = messages.map((m) => `${m.type}: ${formatMessage(m, pkg) ?? m.code}`);
  assert.equal(lines, [], `publint:\n${lines.join('\n')}`);
});

test('attw: every exports entry resolves to types and JavaScript in node10, node16 (CJS and ESM) and bundler modes', async () => {
  const r = await run(process.execPath, [ATTW, tarball, '--format', 'json'], ROOT);
  const parsed = JSON.parse(r.stdout) as { analysis: { problems?: unknown[]; entrypoints: Record<string, { resolutions: Record<string, unknown> }> } };
  const problems = parsed.analysis.problems ?? [];
  if (problems.length || r.status !== 0) {
    const table = await run(process.execPath, [ATTW, tarball, '--no-color', '--no-emoji'], ROOT); // the readable form
    assert.unreachable(`attw found problems (exit ${r.status}):\n${output(table)}\n${JSON.stringify(problems, null, 2)}`);
  }
  const checked = Object.keys(parsed.analysis.entrypoints).sort();
  assert.equal(checked, [...ENTRIES.map((e) => e.subpath), './package.json'].sort(), 'attw checked every exports entry');
  for (const [entry, { resolutions }] of Object.entries(parsed.analysis.entrypoints)) {
    assert.equal(Object.keys(resolutions).sort(), ['bundler', 'node10', 'node16-cjs', 'node16-esm'], `${entry}: four modes`);
  }
});

test('consumer: npm install --offline <tarball> in a scratch folder', async () => {
  mkdirSync(CONSUMER, { recursive: true });
  writeFileSync(join(CONSUMER, 'package.json'), JSON.stringify({ name: 'scratch-consumer', private: true, type: 'module' }, null, 2));
  // `npm ci` fills the cache with tarballs (by integrity) but not with registry metadata, which `npm install`
  // needs to resolve fused-rnn's dependency ranges. A lockfile seeded with the project's own entries for those
  // dependencies (same versions, resolved URLs and integrity) lets the install resolve without the registry.
  writeFileSync(join(CONSUMER, 'package-lock.json'), JSON.stringify(seedLockfile(), null, 2));
  ok(await npm(['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], CONSUMER), 'npm install --offline <tarball>');
  const installed = JSON.parse(readFileSync(join(CONSUMER, 'node_modules', PKG.name, 'package.json'), 'utf8'));
  assert.is(installed.version, PKG.version);
  assert.ok(!existsSync(join(CONSUMER, 'node_modules', PKG.name, 'src')), 'installed from the tarball, not linked to the source tree');
});

test('consumer (Node ESM): imports fused-rnn, trains a small LSTM, loads every subpath; CommonJS require gives the same instance', async () => {
  writeFileSync(join(CONSUMER, 'train.mjs'), `import { Sequential, Embedding, LSTM, Dense } from 'fused-rnn';
import pkg from 'fused-rnn/package.json' with { type: 'json' };
${TRAIN_SOURCE}
const subpaths = {};
for (const s of ${JSON.stringify(SPECIFIERS)}) subpaths[s] = Object.keys(await import(s)).length;
console.log(JSON.stringify({ version: pkg.version, loss, where: import.meta.resolve('fused-rnn'), subpaths }));
`);
  const r = JSON.parse(ok(await run(process.execPath, ['train.mjs'], CONSUMER), 'node train.mjs').trim().split('\n').at(-1)!) as {
    version: string; loss: number[]; where: string; subpaths: Record<string, number>;
  };
  assert.is(r.version, PKG.version);
  assert.ok(r.where.includes(`/consumer/node_modules/${PKG.name}/dist/node/index.js`), `resolved to ${r.where}`);
  assert.is(r.loss.length, 12);
  assert.ok(r.loss.every(Number.isFinite), `losses ${r.loss}`);
  assert.ok(r.loss.at(-1)! < 0.7 * r.loss[0], `the loss falls: ${r.loss.map((l) => l.toFixed(4)).join(', ')}`);
  for (const s of SPECIFIERS) assert.ok(r.subpaths[s] > 0, `${s} exports values: ${JSON.stringify(r.subpaths)}`);

  writeFileSync(join(CONSUMER, 'require.cjs'), `const viaRequire = ${JSON.stringify(SPECIFIERS)}.map((s) => require(s));
Promise.all(${JSON.stringify(SPECIFIERS)}.map((s) => import(s))).then((viaImport) => {
  console.log(JSON.stringify({
    sameInstance: viaRequire.every((m, i) => Object.keys(viaImport[i]).every((k) => m[k] === viaImport[i][k])),
    sequential: typeof viaRequire[0].Sequential, where: require.resolve('fused-rnn'),
  }));
});
`);
  const c = JSON.parse(ok(await run(process.execPath, ['require.cjs'], CONSUMER), 'node require.cjs').trim().split('\n').at(-1)!);
  assert.equal(c.sequential, 'function');
  assert.ok(String(c.where).endsWith(`/node_modules/${PKG.name}/dist/cjs/index.cjs`), `require resolved to ${c.where}`);
  assert.ok(c.sameInstance, 'require() and import() give the same exports (one module instance)');
});

test('consumer: the installed `fused-rnn --version` prints the package version; VERSION matches package.json', async () => {
  const bin = join(CONSUMER, 'node_modules/.bin/fused-rnn');
  assert.ok(existsSync(bin), 'npm linked the fused-rnn bin');
  assert.is(ok(await run(bin, ['--version'], CONSUMER), 'fused-rnn --version').trim(), PKG.version);
  assert.is(ok(await run(bin, ['-V'], CONSUMER), 'fused-rnn -V').trim(), PKG.version);
  const source = readFileSync(join(ROOT, 'src/version.ts'), 'utf8');
  assert.match(source, `export const VERSION = '${PKG.version}';`, 'src/version.ts VERSION must equal package.json "version"');
});

const USAGE_TS = `import { Sequential, Embedding, LSTM, Dense, Adam, FusedRnnError, type LstmOptions, type TensorData, type History, type AdamOptions } from 'fused-rnn';
import pkg from 'fused-rnn/package.json' with { type: 'json' };
const lstm: LstmOptions = { units: 8, returnSequences: false };
const adam: AdamOptions = { learningRate: 0.01 };
const model = new Sequential([new Embedding({ inputDim: 10, outputDim: 4 }), new LSTM(lstm), new Dense({ units: 1, activation: 'sigmoid' })], { seed: 1 });
model.compile({ optimizer: new Adam(adam), loss: 'binaryCrossentropy' });
const x: TensorData = { data: new Int32Array(16).fill(1), shape: [2, 8] };
const history: History = await model.fit(x, [0, 1], { epochs: 1, verbose: 0 });
const firstLoss: number | undefined = history.history.loss?.[0];
const version: string = pkg.version;
export const checks = { firstLoss, version, isError: new FusedRnnError('x') instanceof Error };
`;
const USAGE_CTS = `import fr = require('fused-rnn');
const model: fr.Sequential = new fr.Sequential([new fr.Dense({ units: 2 })]);
export = model;
`;
const BAD_TS = `import { LSTM } from 'fused-rnn';
export const layer = new LSTM({ units: 'eight' });
`;

function tsconfig(name: string, module: string, moduleResolution: string, files: string[]) {
  writeFileSync(join(CONSUMER, name), JSON.stringify({
    compilerOptions: {
      strict: true, target: 'ES2022', module, moduleResolution, noEmit: true, skipLibCheck: false, types: [],
      resolveJsonModule: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true,
    },
    files,
  }, null, 2));
}

test('consumer (strict tsc): the usage compiles under NodeNext (ESM and .cts) and bundler resolution; units: "eight" does not', async () => {
  writeFileSync(join(CONSUMER, 'usage.ts'), USAGE_TS);
  writeFileSync(join(CONSUMER, 'usage.cts'), USAGE_CTS);
  writeFileSync(join(CONSUMER, 'bad.ts'), BAD_TS);
  tsconfig('tsconfig.nodenext.json', 'NodeNext', 'NodeNext', ['usage.ts', 'usage.cts']);
  tsconfig('tsconfig.bundler.json', 'ESNext', 'Bundler', ['usage.ts']);
  tsconfig('tsconfig.bad.json', 'NodeNext', 'NodeNext', ['bad.ts']);
  ok(await run(process.execPath, [TSC, '-p', 'tsconfig.nodenext.json'], CONSUMER), 'tsc (NodeNext)');
  ok(await run(process.execPath, [TSC, '-p', 'tsconfig.bundler.json'], CONSUMER), 'tsc (bundler)');
  const bad = await run(process.execPath, [TSC, '-p', 'tsconfig.bad.json'], CONSUMER);
  assert.is.not(bad.status, 0, 'units: "eight" must not compile');
  assert.match(output(bad), /bad\.ts\(2,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/, output(bad));
  assert.ok(!/error TS\d+/.test(output(bad).replace(/bad\.ts\(2,\d+\): error TS2322[^\n]*/, '')), `only the wrong option fails:\n${output(bad)}`);
});

test('consumer (esbuild, browser): the bundle uses dist/browser, has no node: imports, and trains in headless Chromium', async () => {
  writeFileSync(join(CONSUMER, 'browser.js'), `import { Sequential, Embedding, LSTM, Dense, loadKernels } from 'fused-rnn';
const out = {};
try {
  out.backend = (await loadKernels()).backend;
  ${TRAIN_SOURCE.replace(/\n/g, '\n  ')}
  out.loss = loss;
} catch (e) {
  out.error = String(e && e.stack || e);
}
window.__result = out;
`);
  const bundle = await build({
    entryPoints: [join(CONSUMER, 'browser.js')], absWorkingDir: CONSUMER, bundle: true, format: 'esm', platform: 'browser',
    target: 'es2022', write: false, metafile: true, logLevel: 'silent',
  });
  const inputs = Object.keys(bundle.metafile.inputs);
  assert.ok(inputs.some((f) => f.includes(`node_modules/${PKG.name}/dist/browser/`)), `the bundle should use dist/browser: ${inputs.join(', ')}`);
  assert.ok(!inputs.some((f) => f.includes(`node_modules/${PKG.name}/dist/node/`)), 'no dist/node in the browser bundle');
  const code = bundle.outputFiles[0].text;
  assert.ok(!/^import .* from ["']node:/m.test(code), 'no static node: imports in the browser bundle');

  let browser: Browser | undefined;
  try {
    browser = await launchChromium({ timeout: 15_000 });
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    await page.route('http://consumer.test/**', (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/') return route.fulfill({ contentType: 'text/html', body: '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="/app.js"></script>' });
      if (path === '/app.js') return route.fulfill({ contentType: 'text/javascript', body: code });
      return route.fulfill({ status: 404, body: 'not found' });
    });
    await page.goto('http://consumer.test/', { timeout: 15_000 });
    const handle = await page.waitForFunction(() => (window as unknown as { __result?: unknown }).__result, undefined, { timeout: 60_000 });
    const r = (await handle.jsonValue()) as { backend?: string; loss?: number[]; error?: string };
    assert.is(r.error, undefined, `the page threw: ${r.error}`);
    assert.equal(problems, []);
    assert.ok(r.backend === 'wasm-relaxed' || r.backend === 'wasm-simd', `a SIMD build runs in the browser (variant 'auto'): ${r.backend}`);
    assert.is(r.loss?.length, 12);
    assert.ok(r.loss!.at(-1)! < 0.7 * r.loss![0], `the loss falls in the browser: ${r.loss!.join(', ')}`);
  } finally {
    await browser?.close().catch(() => {});
  }
});

test.run();
