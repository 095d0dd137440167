// The teaching material's one-neuron linear RNN h_t = w·h_{t−1} + x_t (h_0 = 1, zero input, T = 1000, L = h_T):
// y to 4 significant digits (1, 20959, 4.317e-5, 0), BPTT dL/dw equal to T·w^(T−1)·h_0, per-step gradient norms
// w^(T−t), verdicts, and — with non-zero inputs — both gradients against a centred finite difference.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DataValueError } from '../src/errors.js';
import { TEACHING_WEIGHTS, linearRnn, linearRnnMarkdown, linearRnnTable } from '../src/diagnostics/index.js';
import { uniform } from './helpers/random.js';

const sig4 = (x: number) => Number(x.toPrecision(4));
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

test('y = h_T after 1000 steps matches the teaching material to 4 significant digits', () => {
  const rows = linearRnnTable();
  assert.equal(rows.map((r) => r.w), [1, 1.01, 0.99, 0.01]);
  assert.equal(Array.from(TEACHING_WEIGHTS), [1, 1.01, 0.99, 0.01]);
  const [one, up, down, tiny] = rows;
  assert.is(one.y, 1);
  assert.is(sig4(up.y), 20960); // 20959.16 → 2.096e4
  assert.ok(Math.abs(up.y - 20959) < 0.5, `${up.y}`);
  assert.is(sig4(down.y), 4.317e-5);
  assert.is(tiny.y, 0); // 1e-2000 underflows f64
  // and the recurrence agrees with the closed form w^T·h_0 (computed independently with Math.pow)
  for (const r of rows.slice(0, 3)) assert.ok(rel(r.y, Math.pow(r.w, 1000)) < 1e-12, `w = ${r.w}: ${r.y}`);
  assert.is(up.yClosedForm, Math.pow(1.01, 1000));
});

test('dL/dw by backprop through time equals the closed form T·w^(T−1)·h_0', () => {
  const rows = linearRnnTable();
  const want = [1000, 1000 * 1.01 ** 999, 1000 * 0.99 ** 999, 0];
  rows.forEach((r, i) => {
    assert.is(r.dLdwClosedForm, i === 3 ? 0 : 1000 * Math.pow(r.w, 999));
    if (want[i] === 0) assert.is(r.dLdw, 0);
    else assert.ok(rel(r.dLdw, want[i]) < 1e-12, `w = ${r.w}: BPTT ${r.dLdw} vs ${want[i]}`);
    assert.ok(r.dLdwRelDiff < 1e-12, `w = ${r.w}: rel diff ${r.dLdwRelDiff}`);
  });
  assert.is(sig4(rows[1].dLdw), 2.075e7);
  assert.is(sig4(rows[2].dLdw), 0.04361);
});

test('per-step gradient norms are w^(T−t); dL/dh_0 = w^T; verdicts per weight', () => {
  const rows = linearRnnTable();
  for (const r of rows) {
    assert.is(r.gradNorms.length, 1000);
    assert.is(r.gradNorms[999], 1);
    for (const t of [1, 10, 500, 999]) {
      const want = Math.pow(r.w, 1000 - t);
      if (want === 0) assert.is(r.gradNorms[t - 1], 0);
      else assert.ok(rel(r.gradNorms[t - 1], want) < 1e-12, `w = ${r.w}, t = ${t}: ${r.gradNorms[t - 1]} vs ${want}`);
    }
  }
  assert.is(rows[0].dLdh0, 1);
  assert.ok(rel(rows[1].dLdh0, Math.pow(1.01, 1000)) < 1e-12);
  assert.equal(rows.map((r) => r.analysis.verdict), ['healthy', 'exploding', 'vanishing', 'vanishing']);
  assert.ok(rel(rows[1].analysis.fit.rate, 1.01) < 1e-12);
  assert.ok(rel(rows[2].analysis.fit.rate, 0.99) < 1e-12);
  // w = 0.01: 0.01^k underflows to 0 for k >= 162, so 838 of 1000 norms are 0 and are skipped by the fit
  const tiny = rows[3].analysis;
  assert.is(tiny.skipped.nonPositive, 838);
  assert.ok(rel(tiny.fit.rate, 0.01) < 1e-4, `${tiny.fit.rate}`);
  assert.is(tiny.ratio, 0);
});

test('with inputs x_t: y and dL/dw from BPTT, the closed form and a centred finite difference agree', () => {
  const T = 37, h0 = 0.6;
  const x = Float64Array.from(uniform(T, 4));
  for (const w of [-0.7, 0.3, 0.95, 1.05]) {
    const r = linearRnn(w, { T, h0, x });
    assert.ok(Math.abs(r.y - r.yClosedForm) <= 1e-12 * Math.max(1, Math.abs(r.y)), `w = ${w}: ${r.y} vs ${r.yClosedForm}`);
    assert.ok(r.dLdwRelDiff < 1e-12, `w = ${w}: ${r.dLdw} vs ${r.dLdwClosedForm}`);
    const d = 1e-6;
    const fd = (linearRnn(w + d, { T, h0, x }).y - linearRnn(w - d, { T, h0, x }).y) / (2 * d);
    assert.ok(Math.abs(fd - r.dLdw) <= 1e-6 * Math.max(1, Math.abs(r.dLdw)), `w = ${w}: fd ${fd} vs BPTT ${r.dLdw}`);
  }
});

test('T = 1 and bad input', () => {
  const r = linearRnn(3, { T: 1, h0: 2 });
  assert.equal([r.y, r.dLdw, r.dLdwClosedForm, r.dLdh0], [6, 2, 2, 3]);
  assert.throws(() => linearRnn(1, { T: 0 }), (e: unknown) => e instanceof DataValueError && /T = 0/.test(String(e)));
  assert.throws(() => linearRnn(NaN), (e: unknown) => e instanceof DataValueError);
  assert.throws(() => linearRnn(1, { T: 3, x: [1, 2] }), /x has 2 steps, expected T = 3/);
});

test('Markdown table: one row per w with 5-digit numbers', () => {
  const md = linearRnnMarkdown(linearRnnTable());
  const lines = md.split('\n');
  assert.is(lines.length, 6);
  assert.match(lines[3], /^\| 1\.01 \| 1000 \| 20959 \| 20959 \| 2\.0752e7 \| 2\.0752e7 \| 20752 \| exploding \|$/);
  assert.match(lines[4], '| 0.99 | 1000 | 4.3171e-5 |');
  assert.match(lines[5], '| 0.01 | 1000 | 0 | 0 | 0 | 0 | 0 | vanishing |');
});

test.run();
