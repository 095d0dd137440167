// Threads in headless Chromium, on the page `npm run web` serves (scripts/serve-web.mjs sends COOP/COEP, so
// the page is cross-origin isolated): inside a Worker, loadKernels({ threads: 2 }) runs helper Web Workers
// over a shared memory and gives the one-thread bits; on the page's main thread (which may not block in
// Atomics.wait) it falls back to one thread with a one-line warning.
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

// The probe: LSTM forward + backward and a GEMM on 1 and on `threads` threads, compared bit for bit.
const PROBE = `
import { loadKernels } from './bindings/index.ts';
async function once(threads) {
  const k = await loadKernels({ variant: 'simd', threads, threadMinFlops: 0 });
  const a = k.arena, T = 6, B = 9, D = 5, H = 8, G = 4 * H;
  let s = 1;
  const put = (n) => { const p = a.alloc(n); const v = a.f32(p, n); for (let i = 0; i < n; i++) v[i] = ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5); return p; };
  const r = (ptr, shape) => ({ ptr, shape });
  const x = r(put(T * B * D), [T, B, D]), W = r(put(D * G), [D, G]), U = r(put(H * G), [H, G]), b = r(put(G), [G]);
  const h = r(put((T + 1) * B * H), [T + 1, B, H]), c = r(put((T + 1) * B * H), [T + 1, B, H]), gates = r(a.allocZeroed(T * B * G), [T, B, G]);
  k.lstmForward({ T, B, D, H, x, W, U, b, h, c, gates, lengths: [6, 0, 3, 1, 6, 2, 5, 4, 6] });
  const dh = r(put((T + 1) * B * H), [T + 1, B, H]), dW = r(put(D * G), [D, G]), dU = r(put(H * G), [H, G]), db = r(put(G), [G]);
  k.lstmBackward({ T, B, D, H, x, W, U, gates, c, h, dh, dc: r(put(B * H), [B, H]), dW, dU, db, dx: r(a.alloc(T * B * D), [T, B, D]),
    dc0: r(a.alloc(B * H), [B, H]), dgates: r(a.alloc(T * B * G), [T, B, G]), lengths: [6, 0, 3, 1, 6, 2, 5, 4, 6] });
  const C = a.alloc(40 * 24);
  k.gemmNN(C, x.ptr, W.ptr, 40, 24, 5);
  const out = [h, dh, dW, dU, db].flatMap((t) => Array.from(a.f32(t.ptr, t.shape.reduce((m, n) => m * n, 1)))).concat(Array.from(a.f32(C, 40 * 24)));
  const n = k.threads;
  k.dispose();
  return { n, out };
}
async function check(threads) {
  const [one, many] = [await once(1), await once(threads)];
  return { threads: many.n, isolated: globalThis.crossOriginIsolated === true, equal: one.out.length === many.out.length && one.out.every((v, i) => Object.is(v, many.out[i])) };
}
if (typeof window === 'undefined') check(2).then((r) => postMessage(r), (e) => postMessage({ error: String(e && e.stack || e) }));
else globalThis.__threadsCheck = check;
`;

test('Chromium: threads inside a Worker on the cross-origin isolated page; 1 thread and a warning on the main thread', async () => {
  mkdirSync(join(ROOT, 'build'), { recursive: true });
  await build({
    stdin: { contents: PROBE, resolveDir: ROOT, sourcefile: 'threads-probe.ts', loader: 'ts' },
    bundle: true, format: 'esm', platform: 'browser', target: 'es2022', outfile: join(ROOT, 'build/threads-probe.js'),
    external: ['node:*'], logLevel: 'error',
  });
  let server: ChildProcess | undefined;
  let browser: Browser | undefined;
  try {
    const served = await startServeWeb();
    server = served.child;
    const url = served.url;
    const origin = new URL(url).origin;
    const headers = (await fetch(`${origin}/build/threads-probe.js`)).headers;
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
    }), `${origin}/build/threads-probe.js`);
    assert.equal(inWorker, { threads: 2, isolated: true, equal: true });

    const onMain = await page.evaluate(async (src) => {
      await import(src);
      return (globalThis as unknown as { __threadsCheck: (n: number) => Promise<unknown> }).__threadsCheck(2);
    }, `${origin}/build/threads-probe.js`);
    assert.equal(onMain, { threads: 1, isolated: true, equal: true });
    const fallback = warnings.filter((w) => w.includes('running on 1 thread instead of 2'));
    assert.is(fallback.length, 1, `one warning, got ${JSON.stringify(warnings)}`);
    assert.match(fallback[0], /main thread cannot block in Atomics\.wait/);
  } finally {
    await browser?.close();
    await stopChild(server); // SIGTERM; SIGKILL if it hangs on its way out (nodejs/node#54918)
  }
});

test.run();
