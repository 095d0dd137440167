// fused-rnn/tfjs in headless Chromium: the BUILT browser bundle (dist/browser/tfjs.js) with TensorFlow.js
// 4.22 (core, layers, cpu and wasm backends) bundled by esbuild into one page script (test/browser/tfjs-page.js).
// On tfjs' cpu and wasm backends the page compares a stock model and its fused twin (masked LSTM →
// Bidirectional(GRU)) on identical weights: predict outputs and weight gradients within 1e-5, fused kernels
// counted. Served from memory on 127.0.0.1 (page, bundle, and tfjs-backend-wasm's .wasm files).
// Needs `npm run build` first; Chromium from test/helpers/chromium.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { launchChromium } from './helpers/chromium.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const WASM_DIR = join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
const TIMEOUT_MS = 60_000;

interface PageResult {
  ok: boolean;
  error?: string;
  backend?: string;
  checks?: Array<{ check: string; maxDiff: number; pass: boolean }>;
  calls?: { infer: number; forward: number; backward: number };
}

test('browser: fused tfjs layers equal stock tfjs on the cpu and wasm backends in Chromium', async () => {
  if (!existsSync(join(ROOT, 'dist/browser/tfjs.js'))) assert.unreachable('dist/browser/tfjs.js is missing: run npm run build first');
  const bundle = await build({
    entryPoints: [join(ROOT, 'test/browser/tfjs-page.js')], bundle: true, format: 'esm', platform: 'browser',
    write: false, logLevel: 'error', external: ['node:*'],
  });
  const files: Record<string, [string, string | Uint8Array]> = {
    '/': ['text/html; charset=utf-8', '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>fused-rnn/tfjs</title><script type="module" src="/page.js"></script>'],
    '/page.js': ['text/javascript; charset=utf-8', bundle.outputFiles[0].contents],
  };
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const wasm = /^\/node_modules\/@tensorflow\/tfjs-backend-wasm\/dist\/(tfjs-backend-wasm[a-z-]*\.wasm)$/.exec(path);
    if (wasm && existsSync(join(WASM_DIR, wasm[1]))) {
      res.writeHead(200, { 'content-type': 'application/wasm' }).end(readFileSync(join(WASM_DIR, wasm[1])));
      return;
    }
    const file = files[path];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file[0] }).end(file[1]);
  });
  let browser: Browser | undefined;
  try {
    await new Promise<void>((ok, fail) => server.once('error', fail).listen(0, '127.0.0.1', () => ok()));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium({ timeout: TIMEOUT_MS });
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`); });
    await page.goto(origin + '/', { timeout: TIMEOUT_MS });
    const handle = await page.waitForFunction(() => (window as unknown as { __tfjsResult?: unknown }).__tfjsResult, undefined, { timeout: TIMEOUT_MS });
    const result = (await handle.jsonValue()) as PageResult;
    assert.is(result.error, undefined, `the page failed: ${result.error}`);
    assert.equal(problems, [], problems.join('\n'));
    assert.ok(result.backend === 'wasm-relaxed' || result.backend === 'wasm-simd', `a SIMD build runs the fused layers in Chromium (variant 'auto'): ${result.backend}`);
    assert.is(result.checks?.length, 4, 'predict and gradients on cpu and wasm');
    const failed = (result.checks ?? []).filter((c) => !c.pass).map((c) => `${c.check}: max |diff| ${c.maxDiff}`);
    assert.equal(failed, [], failed.join('\n'));
    assert.ok(result.calls!.infer > 0 && result.calls!.forward > 0 && result.calls!.backward > 0, `fused kernels ran: ${JSON.stringify(result.calls)}`);
    assert.ok(result.ok);
  } finally {
    await browser?.close().catch(() => {});
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  }
});

test.run();
