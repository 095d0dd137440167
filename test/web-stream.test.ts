// The streaming demo page (web/stream.html, issue 20) in headless Chromium, served by scripts/serve-web.mjs:
// a char LM written like `fused-rnn lm train` writes it (model.json + weights.bin + task.json) loads into
// fused-rnn/infer in the page; each typed character is one stream step whose next-character distribution
// equals Node's stream of the same characters; an edit inside the text replays it; int8 weights switch in.
// Needs `npm run build` first and Debian's chromium at /usr/bin/chromium.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { Tokenizer, loadKernels } from '../src/index.js';
import { charLmModel } from '../src/tasks/char-lm.js';
import { saveCharLm } from '../cli/model-dir.js';
import { loadInferenceModel } from '../src/infer/index.js';
import { stopChild } from './helpers/child.js';
import { startServeWeb } from './helpers/serve-web.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const CHROMIUM = '/usr/bin/chromium';
const DIR = join(ROOT, 'test-artifacts', 'stream-lm');

interface StreamState { ready: boolean; weights: string; steps: number; replays: number; latenciesUs: number[]; probabilities: number[]; top: Array<{ char: string; p: number }>; errors: string[] }

test('stream page: one step per keystroke, same distribution as Node, replay on edit, int8 switch', async () => {
  for (const f of ['web/dist/stream.html', 'web/dist/stream.js']) if (!existsSync(join(ROOT, f))) assert.unreachable(`${f} is missing: run npm run build first`);
  const text = 'It is a truth universally acknowledged, that a single man in possession of a good fortune';
  const tokenizer = new Tokenizer({ charLevel: true, lower: false, filters: '' });
  tokenizer.fitOnTexts([text]);
  const V = tokenizer.vocabularySize;
  const model = charLmModel(V, { cell: 'lstm', units: 24, embeddingDim: 8, seed: 5, kernels: await loadKernels() });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  await model.predict([[1, 2, 3]]);
  rmSync(DIR, { recursive: true, force: true });
  await saveCharLm(DIR, { model, tokenizer, cell: 'lstm', units: 24, embeddingDim: 8, history: {}, validationBitsPerChar: [], finalBitsPerChar: NaN, seconds: 0 });
  const typed = 'It is a t';
  const im = await loadInferenceModel(DIR);
  const s = im.stream();
  let want = new Float32Array(0) as Float32Array<ArrayBufferLike>;
  for (const c of typed) want = s.step([tokenizer.wordIndex.get(c) ?? 0]);

  let child: ChildProcess | undefined;
  let browser: Browser | undefined;
  try {
    const served = await startServeWeb();
    child = served.child;
    const url = served.url;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'], headless: true });
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    await page.goto(`${url}stream.html?model=../../test-artifacts/stream-lm/`);
    const get = () => page.evaluate(() => (window as unknown as { __fusedRnnStream: StreamState }).__fusedRnnStream);
    await page.waitForFunction('window.__fusedRnnStream && window.__fusedRnnStream.ready', undefined, { timeout: 20000 });
    await page.type('#stream-text', typed);
    let st = await get();
    assert.equal(st.errors, []);
    assert.is(st.steps, typed.length, 'one step per keystroke');
    assert.is(st.latenciesUs.length, typed.length);
    assert.ok(st.latenciesUs.every((u) => u >= 0 && Number.isFinite(u)));
    assert.is(st.probabilities.length, V);
    for (let i = 0; i < V; i++) assert.ok(Math.abs(st.probabilities[i] - want[i]) <= 1e-6, `p[${i}] ${st.probabilities[i]} vs Node ${want[i]}`);
    assert.is(st.top.length, 5);
    assert.ok((await page.textContent('#stream-latency'))!.includes('µs'));
    // Edit inside the text: replayed with stepMany, same distribution as stepping the new text from scratch.
    await page.fill('#stream-text', 'It was a t');
    st = await get();
    assert.is(st.replays, 1);
    s.reset();
    for (const c of 'It was a t') want = s.step([tokenizer.wordIndex.get(c) ?? 0]);
    for (let i = 0; i < V; i++) assert.ok(Math.abs(st.probabilities[i] - want[i]) <= 1e-6, `replayed p[${i}]`);
    // int8 weights: reloads, keeps the text, close distribution.
    await page.selectOption('#stream-weights', 'int8');
    await page.waitForFunction('window.__fusedRnnStream.ready && window.__fusedRnnStream.weights === "int8"', undefined, { timeout: 20000 });
    st = await get();
    let maxDiff = 0;
    for (let i = 0; i < V; i++) maxDiff = Math.max(maxDiff, Math.abs(st.probabilities[i] - want[i]));
    assert.ok(maxDiff > 0 && maxDiff < 0.02, `int8 vs float32 max |Δp| ${maxDiff}`);
    assert.equal(problems, []);
  } finally {
    await browser?.close();
    await stopChild(child); // SIGTERM; SIGKILL if it hangs on its way out (nodejs/node#54918)
    rmSync(DIR, { recursive: true, force: true });
  }
});

test.run();
