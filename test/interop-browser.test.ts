// The model-import page (web/interop.html, built into web/dist) in headless Chromium: files given to its file
// input (as a drop gives them) import in the browser (.keras, .h5, TF.js model.json + shard, ONNX) and predict
// the framework's output within 1e-5; a damaged file shows a typed error; no console errors.
// Needs `npm run build` first and a Chromium (test/helpers/chromium.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { stopChild } from './helpers/child.js';
import { startServeWeb } from './helpers/serve-web.js';
import { launchChromium } from './helpers/chromium.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const FIX = join(ROOT, 'test/fixtures/interop');
const TIMEOUT_MS = 30_000;

interface State { ready: boolean; loaded: null | { name: string; format: string; layers: Array<{ source: string; target: string; params: number }> }; output: null | { shape: number[]; values: number[] }; errors: string[] }
const state = (page: Page) => page.evaluate(() => (window as unknown as { __fusedRnnInterop: State }).__fusedRnnInterop);

const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);

test('interop page: drop .keras / .h5 / TF.js / ONNX, predict within 1e-5 of the framework; damaged file → typed error', async () => {
  assert.ok(existsSync(join(ROOT, 'web/dist/interop.html')), 'web/dist/interop.html is missing: run npm run build first');
  let server: ChildProcess | undefined;
  let browser: Browser | undefined;
  try {
    const served = await startServeWeb();
    server = served.child;
    browser = await launchChromium({ timeout: TIMEOUT_MS });
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${served.url}interop.html`);
    await page.waitForFunction('window.__fusedRnnInterop && window.__fusedRnnInterop.ready', undefined, { timeout: TIMEOUT_MS });

    const keras = JSON.parse(readFileSync(join(FIX, 'a_lstm.json'), 'utf8'));
    const torch = JSON.parse(readFileSync(join(FIX, 'd_torch_bilstm.json'), 'utf8'));
    const cases = [
      { files: ['a_lstm.keras'], format: 'keras', ids: keras.input.value[1], want: keras.output.value[1] },
      { files: ['a_lstm.h5'], format: 'h5', ids: keras.input.value[2], want: keras.output.value[2] },
      { files: ['tfjs/a_lstm/model.json', 'tfjs/a_lstm/weights.bin'], format: 'tfjs', ids: keras.input.value[0], want: keras.output.value[0] },
      { files: ['d_torch_bilstm.onnx'], format: 'onnx', ids: torch.input.value[3], want: torch.output.value[3] },
    ];
    for (const c of cases) {
      await page.setInputFiles('#files', c.files.map((f) => join(FIX, f)));
      await page.waitForFunction(`(() => { const s = window.__fusedRnnInterop; return s.loaded && s.loaded.format === ${JSON.stringify(c.format)}; })()`, undefined, { timeout: TIMEOUT_MS });
      await page.fill('#ids', c.ids.join(', '));
      await page.click('#predict');
      await page.waitForFunction('window.__fusedRnnInterop.output !== null', undefined, { timeout: TIMEOUT_MS });
      const s = await state(page);
      const want = flat(c.want);
      assert.equal(s.output!.shape, [1, want.length], `${c.format} shape`);
      s.output!.values.forEach((v, i) => assert.ok(Math.abs(v - want[i]) <= 1e-5, `${c.format}[${i}]: ${v} vs ${want[i]}`));
      assert.ok((await page.textContent('#layers tbody'))!.length > 0, 'layer table shown');
    }
    await page.setInputFiles('#files', { name: 'broken.keras', mimeType: 'application/octet-stream', buffer: readFileSync(join(FIX, 'a_lstm.keras')).subarray(0, 4000) });
    await page.waitForFunction('window.__fusedRnnInterop.errors.length > 0', undefined, { timeout: TIMEOUT_MS });
    const s = await state(page);
    assert.match(s.errors[0], /^ModelFileError: broken\.keras: is not a readable zip/);
    assert.match((await page.textContent('#status'))!, /ModelFileError/);
    assert.equal(problems, []);
  } finally {
    await browser?.close();
    await stopChild(server); // SIGTERM; SIGKILL if it hangs on its way out (nodejs/node#54918)
  }
});

test.run();
