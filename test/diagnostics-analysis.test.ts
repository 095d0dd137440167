// Gradient-flow analysis: rates recovered from synthetic geometric series g_t = r^(T−t), verdicts at and around
// every threshold, zeros/NaN handling, remedies quoting the measurements, clip suggestion from percentiles,
// aggregation over training steps (ratio trend, verdict counts, profile), and the small statistics helpers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DataValueError } from '../src/errors.js';
import {
  DEFAULT_THRESHOLDS, analyzeSeries, fitLine, geometricMean, percentile, percentiles, remedies, stepNorms,
  suggestClipNorm, summarizeTraining,
} from '../src/diagnostics/index.js';
import { checkClose } from './helpers/check-close.js';
import { rng } from './helpers/random.js';

/** g_t = scale·r^(T−t), t = 1..T (element T−1 closest to the loss, equal to scale). */
const geometric = (r: number, T: number, scale = 1) => Array.from({ length: T }, (_, i) => scale * r ** (T - 1 - i));

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

// ---- rates from synthetic series

test('geometric series: rate, per10, ratio, R² and span are recovered exactly', () => {
  for (const T of [11, 37, 100]) {
    for (const r of [0.5, 0.8, 0.95, 1, 1.05, 1.3]) {
      const a = analyzeSeries(geometric(r, T, 0.37));
      assert.ok(rel(a.fit.rate, r) < 1e-12, `T=${T} r=${r}: rate ${a.fit.rate}`);
      assert.ok(rel(a.fit.per10, r ** 10) < 1e-11, `per10 ${a.fit.per10}`);
      assert.ok(rel(a.ratio, r ** (T - 1)) < 1e-12, `ratio ${a.ratio} vs ${r ** (T - 1)}`);
      assert.ok(a.fit.r2 > 1 - 1e-12, `R² ${a.fit.r2}`);
      assert.is(a.fit.points, T);
      assert.is(a.fit.span, T - 1);
      assert.is(a.first, 0.37 * r ** (T - 1));
      assert.is(a.last, 0.37);
      assert.ok(rel(Math.exp(a.fit.intercept), 0.37) < 1e-12, `intercept ${a.fit.intercept}`);
      if (r !== 1) assert.ok(rel(a.fit.stepsPerDecade, Math.LN10 / Math.abs(Math.log(r))) < 1e-10);
      else assert.ok(a.fit.stepsPerDecade > 1e12, `${a.fit.stepsPerDecade}`);
    }
  }
});

test('noisy geometric series: the fitted rate stays within 1% of the true rate', () => {
  const next = rng(7);
  const T = 80, r = 0.87;
  const g = geometric(r, T).map((v) => v * Math.exp(0.3 * (next() - 0.5)));
  const a = analyzeSeries(g);
  assert.ok(rel(a.fit.rate, r) < 0.01, `rate ${a.fit.rate}`);
  assert.ok(a.fit.r2 > 0.95 && a.fit.r2 < 1, `R² ${a.fit.r2}`);
  assert.is(a.verdict, 'vanishing');
});

test('stepNorms: square roots of hnorm2, reversed for a go_backwards layer', () => {
  const h2 = new Float32Array([4, 9, 0, 16]);
  assert.equal(Array.from(stepNorms(h2)), [2, 3, 0, 4]);
  assert.equal(Array.from(stepNorms(h2, true)), [4, 0, 3, 2]);
});

// ---- verdict thresholds

/** A short series (span < 10, so the rate criterion cannot fire) with ratio g_1/g_T = x. */
const ratioOnly = (x: number) => [x, 1, 1, 1, 1];

test('ratio thresholds: strictly below 1e-3 vanishes, strictly above 1e3 explodes, equality is healthy', () => {
  assert.is(DEFAULT_THRESHOLDS.vanishingRatio, 1e-3);
  assert.is(DEFAULT_THRESHOLDS.explodingRatio, 1e3);
  assert.is(analyzeSeries(ratioOnly(0.999e-3)).verdict, 'vanishing');
  assert.is(analyzeSeries(ratioOnly(1e-3)).verdict, 'healthy');
  assert.is(analyzeSeries(ratioOnly(1.001e-3)).verdict, 'healthy');
  assert.is(analyzeSeries(ratioOnly(0.999e3)).verdict, 'healthy');
  assert.is(analyzeSeries(ratioOnly(1e3)).verdict, 'healthy');
  assert.is(analyzeSeries(ratioOnly(1.001e3)).verdict, 'exploding');
  const a = analyzeSeries(ratioOnly(0.999e-3));
  assert.match(a.reasons[0], '‖dL/dh_1‖/‖dL/dh_T‖ = 9.99e-4 over T = 5 steps < 0.001');
});

test('rate thresholds: 0.9 and 1/0.9 per step over a span of 10 steps, just inside and just outside', () => {
  const T = 11; // span 10 = minSpan; the ratio r^10 stays inside [1e-3, 1e3] for these r
  const lo = DEFAULT_THRESHOLDS.vanishingRate, hi = DEFAULT_THRESHOLDS.explodingRate;
  assert.is(lo, 0.9);
  assert.ok(Math.abs(hi - 1 / 0.9) < 1e-15);
  const vBelow = analyzeSeries(geometric(lo * (1 - 1e-6), T));
  assert.is(vBelow.verdict, 'vanishing');
  assert.ok(vBelow.ratio > 0.3, 'the ratio alone would say healthy');
  assert.ok(vBelow.reasons.some((r) => r.startsWith('fitted factor per step back = 0.9 ')), vBelow.reasons.join('\n'));
  assert.is(analyzeSeries(geometric(lo * (1 + 1e-6), T)).verdict, 'healthy');
  assert.is(analyzeSeries(geometric(hi * (1 + 1e-6), T)).verdict, 'exploding');
  assert.is(analyzeSeries(geometric(hi * (1 - 1e-6), T)).verdict, 'healthy');
});

test('rate criterion needs span >= 10: r = 0.5 over 10 steps (span 9, ratio 1.95e-3) is healthy', () => {
  const a = analyzeSeries(geometric(0.5, 10));
  assert.is(a.fit.span, 9);
  assert.is(a.verdict, 'healthy');
  assert.ok(a.reasons.some((r) => r.includes('not used (needs span >= 10')), a.reasons.join('\n'));
  assert.is(analyzeSeries(geometric(0.5, 10), { minSpan: 9 }).verdict, 'vanishing');
});

test('rate criterion needs R² >= 0.5: a noisy series with rate 0.82 but R² < 0.5 is healthy unless minR2 is lowered', () => {
  const T = 11;
  // ln g at k steps back = −0.2k ± 3 (alternating), so both ends carry +3 and the ratio is e^−2.
  const g = Array.from({ length: T }, (_, i) => { const k = T - 1 - i; return Math.exp(-0.2 * k + (k % 2 === 0 ? 3 : -3)); });
  const a = analyzeSeries(g);
  assert.ok(a.fit.r2 < 0.5, `R² ${a.fit.r2}`);
  assert.ok(a.fit.rate < 0.9, `rate ${a.fit.rate}`);
  assert.ok(rel(a.ratio, Math.exp(-2)) < 1e-12);
  assert.is(a.verdict, 'healthy');
  assert.is(analyzeSeries(g, { minR2: 0 }).verdict, 'vanishing');
});

test('ratio and rate disagree: the ratio (a direct measurement) wins', () => {
  const g = geometric(0.7, 30);
  g[0] = 5000; // g_1/g_T = 5000 > 1e3 while the bulk decays at 0.7 per step
  const a = analyzeSeries(g);
  assert.is(a.verdict, 'exploding');
  assert.ok(a.reasons.length >= 1);
  assert.match(a.reasons[0], '‖dL/dh_1‖/‖dL/dh_T‖ = 5e3 over T = 30 steps > 1e3');
});

// ---- zeros, NaN, edge cases

test('zeros are skipped in the fit and counted; a zero at t = 1 makes the ratio 0 (vanishing)', () => {
  const g = geometric(0.95, 40);
  g[5] = 0; g[17] = 0; g[30] = -0;
  const a = analyzeSeries(g);
  assert.is(a.skipped.nonPositive, 3);
  assert.is(a.skipped.firstNonPositiveAt, 6);
  assert.is(a.fit.points, 37);
  assert.ok(rel(a.fit.rate, 0.95) < 1e-12, `rate ${a.fit.rate}`);
  assert.is(a.verdict, 'healthy');
  assert.ok(a.reasons.some((r) => r === '3 of 40 values are 0 (left out of the fit)'), a.reasons.join('\n'));
  g[0] = 0;
  const b = analyzeSeries(g);
  assert.is(b.ratio, 0);
  assert.is(b.verdict, 'vanishing');
});

test('all zeros → vanishing; NaN/Inf → exploding with the first bad time step; g_T = 0 → ratio undefined', () => {
  const z = analyzeSeries(new Float32Array(12));
  assert.is(z.verdict, 'vanishing');
  assert.is(z.reasons[0], 'all 12 values are 0: no gradient reaches any time step');
  const g = geometric(1.2, 20);
  g[3] = Infinity; g[1] = NaN;
  const n = analyzeSeries(g);
  assert.is(n.verdict, 'exploding');
  assert.is(n.skipped.nonFinite, 2);
  assert.is(n.skipped.firstNonFiniteAt, 2);
  assert.match(n.reasons[0], '2 of 20 values are NaN/Inf (first at t = 2)');
  const l = geometric(0.99, 15);
  l[14] = 0;
  const u = analyzeSeries(l);
  assert.ok(Number.isNaN(u.ratio));
  assert.is(u.verdict, 'healthy');
  assert.ok(u.reasons[0].startsWith('ratio undefined'), u.reasons[0]);
});

test('T = 1 is healthy with ratio 1 and no fit; an empty series throws DataValueError', () => {
  const a = analyzeSeries([0.3]);
  assert.is(a.ratio, 1);
  assert.ok(Number.isNaN(a.fit.rate));
  assert.is(a.verdict, 'healthy');
  assert.throws(() => analyzeSeries([]), (e: unknown) => e instanceof DataValueError && /T = 0/.test((e as Error).message));
});

test('min/max with their time steps', () => {
  const a = analyzeSeries([3, 0, 0.5, 7, 2]);
  assert.equal([a.min, a.minAt, a.max, a.maxAt], [0.5, 3, 7, 4]);
});

// ---- remedies

test('remedies: every because quotes measured numbers; healthy gets none', () => {
  assert.equal(remedies(analyzeSeries(geometric(0.99, 50))), []);
  const v = analyzeSeries(geometric(0.8, 100));
  const rs = remedies(v, { cell: 'simple-rnn', activation: 'tanh', spectralNorm: 0.7 });
  assert.equal(rs.map((r) => r.id), ['gated-cells', 'orthogonal-init', 'relu-with-care', 'regularisation', 'truncated-bptt']);
  for (const r of rs) {
    assert.match(r.because, '‖dL/dh_1‖/‖dL/dh_T‖ = 2.55e-10 over T = 100');
    assert.match(r.because, 'factor per step back 0.8');
  }
  assert.match(rs[1].because, 'σ_max(U) = 0.7 < 1');
  // 100× loss after ln(0.01)/ln(0.8) = 20.6 steps → a window of 21 steps.
  const tb = rs.find((r) => r.id === 'truncated-bptt')!;
  assert.match(tb.text, 'about 21 steps');
  assert.match(tb.because, '10× every 10.3 steps and 100× after 20.6 steps');
});

test('remedies for an LSTM quote the forget gate; for a GRU the update gate', () => {
  const v = analyzeSeries(geometric(0.85, 60));
  const lstm = remedies(v, { cell: 'lstm', forgetGateMean: 0.5 });
  assert.is(lstm[0].id, 'forget-gate-bias');
  assert.match(lstm[0].because, 'mean forget gate f = 0.5');
  assert.match(lstm[0].because, 'f^10 = 9.77e-4');
  assert.not.ok(lstm.some((r) => r.id === 'relu-with-care'));
  const gru = remedies(v, { cell: 'gru' });
  assert.is(gru[0].id, 'gated-cells');
  assert.match(gru[0].text, 'update gate z');
});

test('exploding remedies: a clip value from the measured global norms, ReLU advice, σ_max > 1', () => {
  const e = analyzeSeries(geometric(1.25, 50));
  assert.is(e.verdict, 'exploding');
  const norms = Array.from({ length: 100 }, (_, i) => i + 1);
  norms.push(NaN);
  const rs = remedies(e, { activation: 'relu', spectralNorm: 1.8, globalNorms: norms, clipNorm: 1000 });
  assert.equal(rs.map((r) => r.id), ['gradient-clipping', 'orthogonal-init', 'relu-with-care', 'regularisation']);
  assert.match(rs[0].text, 'at 51 (currently 1e3)');
  assert.match(rs[0].because, 'pre-clip global norm over 100 steps: median 50.5, p90 90.1, p99 99, max 100');
  assert.match(rs[0].because, '1 non-finite');
  assert.match(rs[0].because, '49% of steps are above 51');
  assert.match(rs[1].because, 'σ_max(U) = 1.8 > 1');
  const bare = remedies(e);
  assert.match(bare[0].text, 'record the global norms');
  assert.match(bare[0].because, 'factor per step back 1.25');
});

test('suggestClipNorm: median rounded to 2 digits, percentiles, non-finite counted; null without finite norms', () => {
  const s = suggestClipNorm([0.2, 0.31, 0.5, Infinity, 40, 0.44])!;
  assert.is(s.p50, 0.44);
  assert.is(s.value, 0.44);
  assert.is(s.count, 5);
  assert.is(s.nonFinite, 1);
  assert.is(s.max, 40);
  assert.is(s.shareAbove, 2 / 5);
  assert.is(suggestClipNorm([NaN, Infinity]), null);
  assert.is(suggestClipNorm([1.23456])!.value, 1.2);
});

// ---- aggregation over training

test('summarizeTraining: per-step analyses, the ratio trend, verdict counts and the geometric-mean profile', () => {
  const T = 11, S = 20;
  // row s (1-based): g_t = 10^(−a_s·(T−t)), a_s = 0.01·s → log10 ratio = −0.1·s, rate = 10^(−0.01 s)
  const rows = Array.from({ length: S }, (_, i) => Array.from({ length: T }, (_, t) => 10 ** (-0.01 * (i + 1) * (T - 1 - t))));
  const steps = rows.map((_, i) => 10 * (i + 1)); // recorded every 10 training steps
  const s = summarizeTraining(rows, { stepNumbers: steps });
  assert.is(s.steps, S);
  assert.is(s.T, T);
  assert.equal(s.stepNumbers, steps);
  // log10 ratio falls 0.1 per row = 0.01 per training step → ×10^−1 per 100 training steps
  assert.ok(Math.abs(s.ratioTrend.log10PerStep + 0.01) < 1e-12, `${s.ratioTrend.log10PerStep}`);
  assert.ok(rel(s.ratioTrend.factorPer100Steps, 0.1) < 1e-9);
  assert.ok(s.ratioTrend.r2 > 1 - 1e-12);
  assert.ok(rel(s.ratioTrend.first, 10 ** -0.1) < 1e-12);
  assert.ok(rel(s.ratioTrend.last, 10 ** -2) < 1e-12);
  assert.ok(rel(s.ratioTrend.median, (10 ** -1 + 10 ** -1.1) / 2) < 1e-12, `${s.ratioTrend.median}`); // rows 10 and 11
  // rate < 0.9 ⇔ 0.01 s > log10(1/0.9) = 0.0458 ⇔ s >= 5
  assert.equal(s.verdictCounts, { vanishing: 16, exploding: 0, healthy: 4 });
  // profile: geometric mean over rows → rate 10^(−mean a) = 10^(−0.105)
  assert.ok(rel(s.overall.fit.rate, 10 ** -0.105) < 1e-12, `${s.overall.fit.rate}`);
  checkClose('ratios', s.ratios, rows.map((r) => r[0] / r[T - 1]), 0, 1e-12);
  assert.is(s.nonFiniteRows, 0);
});

test('summarizeTraining: NaN rows are counted, not averaged into the profile; zero columns stay 0; bad input throws', () => {
  const rows = [geometric(0.9, 12), geometric(0.9, 12), geometric(0.9, 12)];
  rows[1][4] = NaN;
  for (const r of rows) r[0] = 0;
  const s = summarizeTraining(rows);
  assert.is(s.nonFiniteRows, 1);
  assert.is(s.verdictCounts.exploding, 1);
  assert.ok(rel(s.profile[4], 0.9 ** 7) < 1e-12, `${s.profile[4]}`);
  assert.is(s.profile[0], 0);
  assert.equal(s.stepNumbers, [1, 2, 3]);
  assert.throws(() => summarizeTraining([]), (e: unknown) => e instanceof DataValueError);
  assert.throws(() => summarizeTraining([[1, 2], [1]]), (e: unknown) => /row 1 has length 1, row 0 has T = 2/.test(String(e)));
  assert.throws(() => summarizeTraining([[1]], { stepNumbers: [1, 2] }), /stepNumbers has 2 entries for 1 rows/);
});

// ---- statistics helpers

test('fitLine, percentile (numpy type 7), geometricMean', () => {
  const l = fitLine([0, 1, 2, 3], [1, 3, 5, 7]);
  assert.equal([l.slope, l.intercept, l.r2, l.n], [2, 1, 1, 4]);
  assert.is(fitLine([1, 2, 3], [5, 5, 5]).r2, 1);
  assert.ok(Number.isNaN(fitLine([2, 2], [1, 3]).slope));
  assert.ok(Number.isNaN(fitLine([1], [1]).slope));
  // numpy.percentile([1, 2, 3, 4], [0, 25, 50, 90, 100]) = [1, 1.75, 2.5, 3.7, 4]
  checkClose('percentiles', percentiles([4, 1, NaN, 3, 2], [0, 25, 50, 90, 100]), [1, 1.75, 2.5, 3.7, 4], 1e-15, 0);
  assert.ok(Number.isNaN(percentile([], 50)));
  assert.throws(() => percentile([1], 101), RangeError);
  assert.ok(rel(geometricMean([1, 100, 0, NaN]), 10) < 1e-15);
  assert.ok(Number.isNaN(geometricMean([0, -1])));
});

test.run();
