// Finds a headless Chromium for the browser tests (browser, data-browser, web) and launches it with playwright-core.
// Order:
//   1. FUSED_RNN_CHROMIUM=/path/to/chrome: that binary, nothing else (a missing file is a failure).
//   2. A system Chromium (/usr/bin/chromium, chromium-browser, google-chrome*), unless
//      FUSED_RNN_CHROMIUM_SOURCE=npm (or FUSED_RNN_NO_SYSTEM_CHROMIUM=1) says to ignore system paths.
//   3. The Chromium that ships inside the npm package @sparticuz/chromium (a devDependency, so `npm ci`
//      provisions it on any x64/arm64 Linux machine: no system browser, no download at run time). Its binary is
//      unpacked into the temp dir on first use (~3 s) and needs its own launch flags (--no-zygote, --single-process).
// FUSED_RNN_CHROMIUM_SOURCE=system forbids 3. Nothing found is an Error whose message says how to fix it: the
// browser tests fail, they never skip.
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type LaunchOptions } from 'playwright-core';

/** Flags every launch gets: headless as root (no sandbox) on a machine with no network but loopback. */
export const BASE_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Paths tried for a system Chromium, in order. */
export const SYSTEM_CHROMIUM_PATHS = [
  '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable',
];

/** Where the browser comes from and how to start it. */
export interface FoundChromium {
  source: 'env' | 'system' | 'npm';
  executablePath: string;
  args: string[];
}

const HOW_TO_FIX = [
  'How to fix (any one):',
  '  - run `npm ci` (or `npm install`): it installs the devDependency @sparticuz/chromium, which ships a Chromium binary;',
  '  - install a system Chromium: `apt-get install -y chromium` (Debian/Ubuntu);',
  '  - point FUSED_RNN_CHROMIUM at a Chromium/Chrome binary.',
].join('\n');

/** Finds a Chromium per the order above; throws an Error that lists what was tried and how to fix it. */
export async function findChromium(env: NodeJS.ProcessEnv = process.env): Promise<FoundChromium> {
  const explicit = env.FUSED_RNN_CHROMIUM;
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`FUSED_RNN_CHROMIUM=${explicit}: no such file.\n${HOW_TO_FIX}`);
    return { source: 'env', executablePath: explicit, args: BASE_ARGS };
  }
  const only = env.FUSED_RNN_CHROMIUM_SOURCE ?? (env.FUSED_RNN_NO_SYSTEM_CHROMIUM ? 'npm' : undefined);
  if (only !== undefined && only !== 'npm' && only !== 'system') {
    throw new Error(`FUSED_RNN_CHROMIUM_SOURCE=${only}: expected "npm" or "system"`);
  }
  const tried: string[] = [];
  if (only !== 'npm') {
    for (const p of SYSTEM_CHROMIUM_PATHS) {
      if (existsSync(p)) return { source: 'system', executablePath: p, args: BASE_ARGS };
    }
    tried.push(`system paths: ${SYSTEM_CHROMIUM_PATHS.join(', ')} (none exists)`);
  } else {
    tried.push('system paths: ignored (FUSED_RNN_CHROMIUM_SOURCE=npm / FUSED_RNN_NO_SYSTEM_CHROMIUM)');
  }
  if (only !== 'system') {
    try {
      const executablePath = await unpackNpmChromium();
      // The package's binary is a headless shell built to run without a zygote in one process.
      return { source: 'npm', executablePath, args: [...BASE_ARGS, '--no-zygote', '--single-process'] };
    } catch (e) {
      tried.push(`npm package @sparticuz/chromium: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(`no Chromium for the browser tests. Tried:\n  - ${tried.join('\n  - ')}\n${HOW_TO_FIX}`);
}

/**
 * Unpacks @sparticuz/chromium's binary once per package version into <tmp>/fused-rnn-chromium-<version>/ and
 * returns its path. The package itself unpacks into the bare temp dir and reuses whatever `chromium` it finds
 * there (any version, or a half-written file from a concurrent run); unpacking into a private folder that is
 * then renamed into place makes the result versioned and atomic.
 */
async function unpackNpmChromium(): Promise<string> {
  const require = createRequire(import.meta.url);
  // The package exports only its entry (build/index.js); its package.json is one folder above that.
  const pkgJson = join(require.resolve('@sparticuz/chromium'), '..', '..', 'package.json');
  const version = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version;
  const home = join(tmpdir(), `fused-rnn-chromium-${version}`);
  const binary = join(home, 'chromium');
  if (existsSync(binary)) return binary;
  const staging = mkdtempSync(`${home}.partial-`);
  const saved = process.env.TMPDIR;
  try {
    process.env.TMPDIR = staging; // the package unpacks into os.tmpdir(), read at call time
    const mod = (await import('@sparticuz/chromium' as string)) as { default: { executablePath(): Promise<string> } };
    const unpacked = await mod.default.executablePath();
    if (unpacked !== join(staging, 'chromium')) throw new Error(`unpacked to ${unpacked}, expected ${staging}/chromium`);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  try {
    renameSync(staging, home);
  } catch (e) {
    rmSync(staging, { recursive: true, force: true }); // another run renamed its copy first: use that one
    if (!existsSync(binary)) throw e;
  }
  return binary;
}

/** Finds Chromium and launches it headless; the caller closes the browser. */
export async function launchChromium(options: Omit<LaunchOptions, 'executablePath' | 'args'> = {}): Promise<Browser> {
  const found = await findChromium();
  return chromium.launch({ headless: true, ...options, executablePath: found.executablePath, args: found.args });
}
