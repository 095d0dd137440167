// fused-rnn/infer streaming on 2 threads in headless Chromium, on the page `npm run web` serves (COOP/COEP:
// cross-origin isolated): inside a Worker, loadInferenceModel(bytes, { threads: 2 }) starts a helper Web
// Worker over a shared memory (bindings/infer-threads.ts, started from a Blob URL) and its LSTM steps give
// the one-thread bits; on the page's main thread (which may not block in Atomics.wait) it falls back to one
// thread with a one-line warning and still gives the same bits.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { stopChild } from './helpers/child.js';
import { startServeWeb } from './helpers/serve-web.js';
import { launchChromium } from './helpers/chromium.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const TIMEOUT_MS = 30_000;

// The probe: an LSTM(64) → Dense model built and saved by the training library, streamed 12 steps (B = 2) on
// 1 and on `threads` threads through fused-rnn/infer, compared bit for bit (outputs and state).
const PROBE = `
import { LSTM, Dense, Sequential, loadKernels, saveModelToBytes } from './src/index.ts';
import { loadInferenceModel, loadInferKernels } from './src/infer/index.ts';
async function run(bytes, threads) {
  const kernels = await loadInferKernels({ threads });
  const m = await loadInferenceModel(bytes, { kernels });
  const s = m.stream({ batchSize: 2 });
  const out = [];
  for (let t = 0; t < 12; t++) out.push(...s.step([[Math.sin(t), Math.cos(t), 0.1 * t], [Math.cos(2 * t), -0.2, Math.sin(3 * t)]]));
  for (const st of s.state) out.push(...st.h, ...st.c);
  const n = kernels.threads ? kernels.threads.size : 1;
  kernels.dispose();
  return { n, out };
}
async function check(threads) {
  const net = new Sequential([new LSTM({ units: 64, returnSequences: true, inputShape: [null, 3] }), new Dense({ units: 4 })], { seed: 3, kernels: await loadKernels({ variant: 'simd' }) });
  await net.predict([[[0, 0, 0]]]);
  const bytes = saveModelToBytes(net);
  const [one, many] = [await run(bytes, 1), await run(bytes, threads)];
  return { threads: many.n, isolated: globalThis.crossOriginIsolated === true, equal: one.out.length === 12 * 2 * 4 + 2 * 2 * 64 && one.out.length === many.out.length && one.out.every((v, i) => Object.is(v, many.out[i])) };
}
if (typeof window === 'undefined') check(2).then((r) => postMessage(r), (e) => postMessage({ error: String(e && e.stack || e) }));
else globalThis.__threadsCheck = check;
`;

test('Chromium: fused-rnn/infer 2-thread steps inside a Worker on the cross-origin isolated page; 1 thread and a warning on the main thread', async () => {
  mkdirSync(join(ROOT, 'build'), { recursive: true });
  await build({
    stdin: { contents: PROBE, resolveDir: ROOT, sourcefile: 'infer-threads-probe.ts', loader: 'ts' },
    bundle: true, format: 'esm', platform: 'browser', target: 'es2022', outfile: join(ROOT, 'build/infer-threads-probe.js'),
    external: ['node:*'], logLevel: 'error',
  });
  let server: ChildProcess | undefined;
  let browser: Browser | undefined;
  try {
    const served = await startServeWeb();
    server = served.child;
    const url = served.url;
    const origin = new URL(url).origin;
    const headers = (await fetch(`${origin}/build/infer-threads-probe.js`)).headers;
    assert.is(headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.is(headers.get('cross-origin-embedder-policy'), 'require-corp');

    browser = await launchChromium({ timeout: TIMEOUT_MS });
    const page = await browser.newPage();
    const warnings: string[] = [];
    page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
    await page.goto(`${origin}/web/dist/`, { timeout: TIMEOUT_MS });
    assert.is(await page.evaluate(() => crossOriginIsolated), true, 'npm run web serves a cross-origin isolated page');

    const inWorker = await page.evaluate(async (src) => new Promise((ok) => {
      const w = new Worker(src, { type: 'module' });
      w.onmessage = (e) => ok(e.data);
      w.onerror = (e) => ok({ error: e.message });
    }), `${origin}/build/infer-threads-probe.js`);
    assert.equal(inWorker, { threads: 2, isolated: true, equal: true });

    const onMain = await page.evaluate(async (src) => {
      await import(src);
      return (globalThis as unknown as { __threadsCheck: (n: number) => Promise<unknown> }).__threadsCheck(2);
    }, `${origin}/build/infer-threads-probe.js`);
    assert.equal(onMain, { threads: 1, isolated: true, equal: true });
    const fallback = warnings.filter((w) => w.includes('fused-rnn/infer: running on 1 thread instead of 2'));
    assert.is(fallback.length, 1, `one warning, got ${JSON.stringify(warnings)}`);
    assert.match(fallback[0], /main thread cannot block in Atomics\.wait/);
  } finally {
    await browser?.close();
    await stopChild(server); // SIGTERM; SIGKILL if it hangs on its way out (nodejs/node#54918)
  }
});

test.run();
