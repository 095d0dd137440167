// The browser page (web/, built into web/dist by `npm run build`) in real headless Chromium, served by
// scripts/serve-web.mjs (the `npm run web` server) on a free port. One page session, in order:
//   loads without console/page errors, kernels wasm-simd in the worker; the one-neuron toy slider updates y;
//   a short LSTM run (1 epoch, T = 16, 16 units, random embeddings) in the worker lowers the loss and draws the
//   loss/accuracy charts and the gradient heatmap; a typed sentence gets a prediction; the downloaded model file,
//   uploaded again, predicts the same number on the main thread; screenshot → test-artifacts/web.png;
//   a longer GRU + GloVe run keeps the page responsive (rAF frames advance, a click handler runs while the
//   worker trains) and Stop ends it after the current batch.
// FUSED_RNN_DOCS_SCREENSHOT=1 also writes docs/web-screenshot.png (the README picture).
// Needs `npm run build` first and a Chromium: test/helpers/chromium.ts finds one (npm @sparticuz/chromium or a system one).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { get as httpGet } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { stopChild } from './helpers/child.js';
import { startServeWeb } from './helpers/serve-web.js';
import { launchChromium } from './helpers/chromium.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const ARTIFACTS = join(ROOT, 'test-artifacts');
const TIMEOUT_MS = 20_000;

/** The page's test hook (web/src/main.ts `state`), the fields read here. */
interface PageState {
  ready: boolean;
  backend: string;
  phase: 'idle' | 'training' | 'done' | 'error';
  batchesPerEpoch: number;
  losses: number[];
  acc: number[];
  heatRows: number[][];
  heatmapDraws: number;
  summary: null | { stopped: boolean; testAccuracy: number; steps: number; maxlen: number };
  modelSource: null | 'worker' | 'file';
  predictions: Array<{ source: 'worker' | 'file'; text: string; probability: number }>;
  loadedFile: null | { name: string; maxlen: number; layers: string[] };
  toy: { w: number; T: number; y: number; dLdw: number; updates: number };
  frames: number;
  errors: string[];
}

const getState = (page: Page) => page.evaluate(() => (window as unknown as { __fusedRnnState: PageState }).__fusedRnnState);
const waitFor = (page: Page, predicate: string, timeout = TIMEOUT_MS) =>
  page.waitForFunction(`(() => { const s = window.__fusedRnnState; return !!s && (${predicate}); })()`, undefined, { timeout });
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function train(page: Page, o: { cell: string; embeddings: string; epochs: number; units: number; maxlen: number }): Promise<void> {
  await page.selectOption('#cell', o.cell);
  await page.selectOption('#embeddings', o.embeddings);
  await page.fill('#epochs', String(o.epochs));
  await page.fill('#units', String(o.units));
  await page.fill('#maxlen', String(o.maxlen));
  await page.click('#train');
}

test('web page: train in a worker, live charts and heatmap, predict, download/upload, toy, responsive, stop', async () => {
  for (const built of ['web/dist/index.html', 'web/dist/main.js', 'web/dist/worker.js']) {
    if (!existsSync(join(ROOT, built))) assert.unreachable(`${built} is missing: run npm run build first`);
  }

  let server: ChildProcess | undefined;
  let browser: Browser | undefined;
  try {
    const served = await startServeWeb();
    server = served.child;

    // --- the server: MIME types, .gz as bytes, redirect to the page, nothing outside the root.
    const origin = new URL(served.url).origin;
    const head = async (path: string) => fetch(origin + path, { method: 'HEAD', redirect: 'manual' });
    const wasm = await head('/build/release.wasm');
    assert.is(wasm.status, 200);
    assert.is(wasm.headers.get('content-type'), 'application/wasm');
    const gz = await head('/data/glove.sentiment.100d.txt.gz');
    assert.is(gz.headers.get('content-type'), 'application/gzip');
    assert.is(gz.headers.get('content-encoding'), null, '.gz is served as bytes');
    assert.is((await head('/web/dist/worker.js')).headers.get('content-type'), 'text/javascript; charset=utf-8');
    const root = await head('/');
    assert.is(root.status, 302);
    assert.is(root.headers.get('location'), '/web/dist/');
    for (const raw of ['/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/data/..%2f..%2f..%2fetc%2fpasswd']) {
      // A raw request line (fetch would normalise the dots away before sending).
      const status = await new Promise<number>((ok, fail) => {
        httpGet({ host: '127.0.0.1', port: Number(new URL(origin).port), path: raw }, (res) => { res.resume(); ok(res.statusCode ?? 0); }).on('error', fail);
      });
      assert.ok(status === 403 || status === 404, `${raw} → HTTP ${status}`);
    }
    assert.is((await head('/.git/HEAD')).status, 403);
    assert.is((await head('/no/such/file')).status, 404);

    browser = await launchChromium({ timeout: TIMEOUT_MS });
    const context = await browser.newContext({ viewport: { width: 1240, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console ${msg.type()}: ${msg.text()} (${msg.location().url})`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.stack ?? err.message}`));
    page.on('requestfailed', (req) => {
      if (!req.url().startsWith('blob:')) problems.push(`request failed: ${req.url()} ${req.failure()?.errorText ?? ''}`);
    });
    page.on('response', (res) => { if (res.status() >= 400) problems.push(`HTTP ${res.status()} for ${res.url()}`); });
    page.on('worker', (w) => w.on('console', (msg) => { if (msg.type() === 'error') problems.push(`worker console error: ${msg.text()}`); }));

    // --- loads: the worker has the SIMD kernels and the 3,000 sentences.
    await page.goto(served.url, { timeout: TIMEOUT_MS });
    await waitFor(page, 's.ready || s.errors.length > 0');
    let s = await getState(page);
    assert.equal(s.errors, [], 'page errors while loading');
    assert.ok(s.backend === 'wasm-relaxed' || s.backend === 'wasm-simd', `the worker runs a SIMD build, got ${s.backend}`);
    assert.match(await page.textContent('#status') ?? '', /3000 sentences \(1500 positive\)/);

    // --- the one-neuron toy: y = w^T, dL/dw = T·w^(T−1) for T = 1000.
    assert.is(s.toy.y, 1, 'w = 1 at load');
    await page.locator('#toy-w').fill('1.01');
    s = await getState(page);
    assert.is(s.toy.w, 1.01);
    assert.ok(Math.abs(s.toy.y / 20959.155 - 1) < 1e-6, `y for w = 1.01 is ${s.toy.y}`);
    assert.ok(Math.abs(s.toy.dLdw / (1000 * 1.01 ** 999) - 1) < 1e-9, `dL/dw for w = 1.01 is ${s.toy.dLdw}`);
    assert.is(await page.textContent('#toy-y'), '20959');
    assert.is(await page.textContent('#toy-verdict'), 'exploding');
    await page.click('.presets button[data-w="0.99"]');
    s = await getState(page);
    assert.ok(Math.abs(s.toy.y / 4.3171e-5 - 1) < 1e-3, `y for w = 0.99 is ${s.toy.y}`);
    assert.is(await page.textContent('#toy-verdict'), 'vanishing');
    assert.ok(await page.locator('#toy-chart svg path.series').count() === 1, 'the toy chart has its series');

    // --- a short LSTM run lowers the loss; the charts and the heatmap are drawn.
    await train(page, { cell: 'lstm', embeddings: 'random', epochs: 1, units: 16, maxlen: 16 });
    await waitFor(page, "s.phase !== 'training'", 30_000);
    s = await getState(page);
    assert.equal(s.errors, [], 'errors during training');
    assert.is(s.phase, 'done');
    assert.is(s.summary?.stopped, false);
    assert.is(s.summary?.maxlen, 16);
    assert.is(s.losses.length, s.batchesPerEpoch, 'one loss per batch');
    const first = mean(s.losses.slice(0, 8)), last = mean(s.losses.slice(-8));
    assert.ok(first > 0.68 && first < 0.71, `the first batches' loss is near ln 2: ${first}`);
    assert.ok(last < first - 0.05, `the loss falls over the epoch: first 8 batches ${first.toFixed(4)}, last 8 ${last.toFixed(4)}`);
    assert.ok(s.acc.length >= 4 && s.acc.at(-1)! > 0.6, `validation accuracy ${s.acc.join(', ')}`);
    assert.ok(s.summary!.testAccuracy > 0.6, `test accuracy ${s.summary!.testAccuracy}`);
    assert.is(s.heatRows.length, s.batchesPerEpoch, 'one heatmap row per training step');
    assert.ok(s.heatRows.every((r) => r.length === 16), 'heatmap rows have T = 16 entries');
    assert.ok(s.heatmapDraws >= 1);
    assert.is(await page.locator('#heatmap svg g.cells rect').count(), s.batchesPerEpoch * 16, 'one heatmap cell per (step, t)');
    assert.is(await page.locator('#loss-chart svg path.series').count(), 2, 'the loss chart is drawn (batch loss and its running mean)');
    assert.ok(await page.locator('#acc-chart svg circle').count() >= 4, 'the accuracy chart has points');

    // --- prediction for typed text (worker model).
    const sentence = 'This phone is terrible, it broke after two days.';
    await page.fill('#text', sentence);
    await page.click('#predict');
    await waitFor(page, 's.predictions.length >= 1');
    s = await getState(page);
    const trained = s.predictions[0];
    assert.is(trained.source, 'worker');
    assert.is(trained.text, sentence);
    assert.ok(trained.probability > 0 && trained.probability < 1, `probability ${trained.probability}`);
    assert.match(await page.textContent('#prediction') ?? '', trained.probability.toFixed(6));

    // --- download the model, upload it again: the main thread predicts the same number.
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: TIMEOUT_MS }), page.click('#download')]);
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, 'web-model.frnt');
    await download.saveAs(file);
    assert.is(download.suggestedFilename(), 'sentiment-lstm-random.frnt');
    const bytes = readFileSync(file);
    assert.is(bytes.subarray(0, 4).toString('latin1'), 'FRNT');
    const headerLength = bytes.readUInt32LE(8);
    assert.is(bytes.subarray(12 + headerLength, 16 + headerLength).toString('latin1'), 'FRNN', 'the checkpoint follows the header');
    assert.is(JSON.parse(bytes.subarray(12, 12 + headerLength).toString('utf8')).maxlen, 16);
    await page.setInputFiles('#model-file', file);
    await waitFor(page, "s.predictions.length >= 2 || s.errors.length > 0");
    s = await getState(page);
    assert.equal(s.errors, [], 'errors while loading the model file');
    const reloaded = s.predictions[1];
    assert.is(reloaded.source, 'file');
    assert.is(s.modelSource, 'file');
    assert.equal(s.loadedFile?.layers, ['Embedding', 'LSTM', 'Dropout', 'Dense']);
    assert.ok(Math.abs(reloaded.probability - trained.probability) <= 1e-6,
      `the reloaded model predicts ${reloaded.probability}, the trained one ${trained.probability}`);
    await page.click('#predict');
    await waitFor(page, 's.predictions.length >= 3');
    assert.ok(Math.abs((await getState(page)).predictions[2].probability - trained.probability) <= 1e-6);

    await page.screenshot({ path: join(ARTIFACTS, 'web.png'), fullPage: true });
    if (process.env.FUSED_RNN_DOCS_SCREENSHOT) {
      // The README picture: header, training and prediction sections (the toy is below), under 200 KB.
      const end = await page.evaluate(() => document.getElementById('predict-section')!.getBoundingClientRect().bottom + window.scrollY);
      await page.screenshot({ path: join(ROOT, 'docs/web-screenshot.png'), fullPage: true, clip: { x: 0, y: 0, width: 1240, height: Math.ceil(end + 12) } });
      console.log(`docs/web-screenshot.png: ${statSync(join(ROOT, 'docs/web-screenshot.png')).size} bytes`);
    }

    // --- responsiveness and Stop: a long GRU + GloVe run.
    await train(page, { cell: 'gru', embeddings: 'glove', epochs: 30, units: 32, maxlen: 24 });
    await waitFor(page, "s.losses.length >= 4 || s.phase !== 'training'");
    s = await getState(page);
    assert.is(s.phase, 'training', 'still training');
    const frames0 = s.frames, updates0 = s.toy.updates, t0 = Date.now();
    await page.click('.presets button[data-w="1.01"]'); // a click handler on the main thread
    await page.waitForTimeout(400);
    s = await getState(page);
    assert.is(s.phase, 'training', 'the run is still going during the probe');
    assert.is(s.toy.updates, updates0 + 1, 'the click handler ran while the worker trained');
    assert.is(s.toy.w, 1.01);
    const frames = s.frames - frames0, seconds = (Date.now() - t0) / 1000;
    assert.ok(frames >= 10 * seconds, `requestAnimationFrame ran ${frames} times in ${seconds.toFixed(2)} s of training`);
    const stepsBeforeStop = s.losses.length;
    await page.click('#stop');
    await waitFor(page, "s.phase !== 'training'", 10_000);
    s = await getState(page);
    assert.equal(s.errors, []);
    assert.is(s.phase, 'done');
    assert.is(s.summary?.stopped, true);
    assert.ok(s.summary!.steps >= stepsBeforeStop && s.summary!.steps < 30 * s.batchesPerEpoch, `stopped after ${s.summary!.steps} steps`);
    assert.is(s.losses.length, s.summary!.steps, 'every batch before the stop was reported');
    assert.is(s.modelSource, 'worker', 'Predict uses the newly trained model');

    assert.equal(problems, [], `the page reported problems:\n${problems.join('\n')}`);
  } finally {
    await browser?.close().catch(() => {});
    await stopChild(server); // SIGTERM; SIGKILL if it hangs on its way out (nodejs/node#54918)
  }
});

test.run();
