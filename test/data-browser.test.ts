// The data pipeline in a real browser (headless Chromium): src/data bundled by esbuild for the browser, served
// through Playwright request interception (no server, nothing written to disk). The page loads the three
// embedded data sets through their default URLs (fetch; the .gz files through DecompressionStream), fits a
// Tokenizer, builds the GloVe embedding matrix, and checks that a missing file is a DataError naming the URL.
// Needs a Chromium: test/helpers/chromium.ts finds one (npm @sparticuz/chromium or a system one).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { launchChromium } from './helpers/chromium.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const ORIGIN = 'http://fused-rnn.test';
// The bundle sits two folders below the root, like dist/browser/index.js, so its `../../data/` is /data/.
const BUNDLE_PATH = '/bundle/browser/data.js';

const PAGE = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>data</title>
<script type="module">
import * as d from '${BUNDLE_PATH}';
const out = {};
try {
  const s = await d.loadSentiment();
  out.sentences = s.texts.length;
  out.positives = s.labels.reduce((a, b) => a + b, 0);
  const novel = await d.loadPrideAndPrejudice();
  out.novelLength = novel.length;
  out.novelStart = novel.slice(0, 19);
  const g = await d.loadSentimentGlove();
  out.gloveWords = g.size;
  out.theFirst = g.get('the')[0];
  const tok = new d.Tokenizer({ oovToken: '<unk>' }).fitOnTexts(s.texts);
  const padded = d.padSequences(tok.textsToSequences(s.texts.slice(0, 4)), { maxlen: 20 });
  out.paddedShape = padded.shape;
  const m = d.embeddingMatrix(tok, g, { oov: 'random', seed: 1 });
  out.matrixShape = m.shape;
  out.typesFound = m.coverage.typesFound;
  const bytes = new TextEncoder().encode('x 1 2\\ny 3 4\\n');
  const gz = await new Response(new Blob([bytes]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer();
  out.gzWords = (await d.loadWordVectors(gz)).words;
  try {
    await d.loadWordVectors('${ORIGIN}/data/missing.txt');
  } catch (e) {
    out.missing = e.name + ': ' + e.message;
  }
} catch (e) {
  out.error = String(e && e.stack || e);
}
window.__dataResult = out;
</script>`;

const MIME: Record<string, string> = { '.tsv': 'text/tab-separated-values', '.gz': 'application/gzip', '.txt': 'text/plain' };

test('browser: embedded data sets load by URL (fetch + DecompressionStream), tokenizer and embedding matrix work', async () => {
  const bundle = await build({
    entryPoints: [join(ROOT, 'src/data/index.ts')], bundle: true, format: 'esm', platform: 'browser', target: 'es2022',
    external: ['node:*'], write: false, logLevel: 'silent',
  });
  const code = bundle.outputFiles[0].text;
  assert.ok(!/^import .* from ["']node:/m.test(code), 'no static node: imports in the browser bundle');

  let browser: Browser | undefined;
  try {
    browser = await launchChromium({ timeout: 10_000 });
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    const fetched: string[] = [];
    await page.route(`${ORIGIN}/**`, async (route) => {
      const path = new URL(route.request().url()).pathname;
      fetched.push(path);
      if (path === '/page.html') return route.fulfill({ contentType: 'text/html', body: PAGE });
      if (path === BUNDLE_PATH) return route.fulfill({ contentType: 'text/javascript', body: code });
      const file = join(ROOT, path);
      if (path.startsWith('/data/') && existsSync(file)) {
        return route.fulfill({ contentType: MIME[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream', body: readFileSync(file) });
      }
      return route.fulfill({ status: 404, contentType: 'text/plain', body: 'not found' });
    });
    await page.goto(`${ORIGIN}/page.html`, { timeout: 10_000 });
    const handle = await page.waitForFunction(() => (window as unknown as { __dataResult?: unknown }).__dataResult, undefined, { timeout: 15_000 });
    const r = (await handle.jsonValue()) as Record<string, unknown>;
    assert.is(r.error, undefined, `the page threw: ${String(r.error)}`);
    assert.equal(problems, []);
    assert.equal(r.sentences, 3000);
    assert.equal(r.positives, 1500);
    assert.equal(r.novelLength, 684768);
    assert.equal(r.novelStart, 'PRIDE AND PREJUDICE');
    assert.equal(r.gloveWords, 4860);
    assert.equal(r.theFirst, Math.fround(-0.0382));
    assert.equal(r.paddedShape, [4, 20]);
    assert.equal(r.matrixShape, [5273, 100]); // 5,271 words + oov + padding
    assert.equal(r.typesFound, 4860);
    assert.equal(r.gzWords, ['x', 'y']);
    assert.ok(String(r.missing).startsWith(`DataError: ${ORIGIN}/data/missing.txt: HTTP 404`), String(r.missing));
    for (const f of ['/data/sentiment.tsv', '/data/prideprejudice.txt.gz', '/data/glove.sentiment.100d.txt.gz']) {
      assert.ok(fetched.includes(f), `fetched ${f}; got ${fetched.join(', ')}`);
    }
  } finally {
    await browser?.close().catch(() => {});
  }
});

test.run();
