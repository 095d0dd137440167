// Browser smoke test: the browser bundle (dist/browser) in real headless Chromium, served by a static file
// server. test/browser/gemm.html loads the kernels (embedded SIMD build, and a build fetched by URL), runs the
// three GEMM forms on a 13×17×9 shape and compares them to the plain-JS backend in the page. Asserts the
// SIMD backend, matching results, no console errors and no page errors; writes test-artifacts/browser-gemm.png.
// Needs `npm run build` first and a Chromium: test/helpers/chromium.ts finds one (npm @sparticuz/chromium or a system one).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { launchChromium } from './helpers/chromium.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const SCREENSHOT = join(ROOT, 'test-artifacts', 'browser-gemm.png');
const TIMEOUT_MS = 10_000;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
};

/** A static file server over the repo root on 127.0.0.1 and a free port; GET/HEAD only, no directory listing. */
async function serveRoot(): Promise<{ server: Server; origin: string }> {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const file = resolve(ROOT, '.' + path);
    const inside = file === ROOT || file.startsWith(ROOT + sep);
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !inside || relative(ROOT, file).split(sep).includes('.git')) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}`);
    }
  });
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(0, '127.0.0.1', () => ok()));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

interface PageResult {
  ok: boolean;
  backend?: string;
  urlBackend?: string;
  jsBackend?: string;
  checks?: Array<{ check: string; maxDiff: number; pass: boolean }>;
  error?: string;
}

test('browser: gemm in headless Chromium matches the JS backend (embedded and URL-loaded wasm)', async () => {
  for (const built of ['dist/browser/index.js', 'build/release.wasm']) {
    if (!existsSync(join(ROOT, built))) assert.unreachable(`${built} is missing: run npm run build first`);
  }

  let server: Server | undefined;
  let browser: Browser | undefined;
  try {
    const served = await serveRoot();
    server = served.server;
    // chromium.launch gives every run a fresh temporary user-data-dir and removes it on close.
    browser = await launchChromium({ timeout: TIMEOUT_MS });
    const page = await browser.newPage({ viewport: { width: 800, height: 480 } });
    const problems: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console error: ${msg.text()} (${msg.location().url})`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.stack ?? err.message}`));
    page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText ?? ''}`));
    const fetched: string[] = [];
    page.on('response', (res) => {
      fetched.push(`${res.status()} ${new URL(res.url()).pathname}`);
      if (res.status() >= 400) problems.push(`HTTP ${res.status()} for ${res.url()}`);
    });

    await page.goto(`${served.origin}/test/browser/gemm.html`, { timeout: TIMEOUT_MS });
    const handle = await page.waitForFunction(() => (window as unknown as { __gemmResult?: unknown }).__gemmResult, undefined, {
      timeout: TIMEOUT_MS,
    });
    const result = (await handle.jsonValue()) as PageResult;
    mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    assert.is(result.error, undefined, `the page threw: ${result.error}`);
    assert.equal(problems, [], `the page reported problems:\n${problems.join('\n')}`);
    assert.is(result.backend, 'wasm-simd', 'loadKernels() in Chromium should pick the SIMD build');
    assert.is(result.urlBackend, 'wasm-simd', 'loadKernels({ wasm: URL }) should report the SIMD backend');
    assert.is(result.jsBackend, 'js');
    assert.ok(fetched.includes('200 /build/release.wasm'), `the page should fetch /build/release.wasm; it fetched:\n${fetched.join('\n')}`);
    assert.is(result.checks?.length, 6, 'three forms × (embedded, URL-loaded)');
    const failed = (result.checks ?? []).filter((c) => !c.pass).map((c) => `${c.check}: max |diff| ${c.maxDiff}`);
    assert.equal(failed, [], `results differ from the JS backend by more than 1e-5:\n${failed.join('\n')}`);
    assert.ok(result.ok);
  } finally {
    await browser?.close().catch(() => {});
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((done) => server!.close(() => done()));
    }
  }
});

test.run();
