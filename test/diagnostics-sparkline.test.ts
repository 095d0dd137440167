// Terminal sparkline: log-scale levels of a geometric series, zero and NaN markers, bucketing to a width,
// constant and linear-scale series, and the min/max labels.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SPARK_NONFINITE, SPARK_ZERO, sparkBars, sparkline } from '../src/diagnostics/index.js';

test('a geometric series over 8 decades climbs one level per decade on the log scale', () => {
  const g = Array.from({ length: 8 }, (_, i) => 10 ** (i - 7)); // 1e-7 .. 1
  assert.is(sparkBars(g), '▁▂▃▄▅▆▇█');
  assert.is(sparkBars(g.slice().reverse()), '█▇▆▅▄▃▂▁');
  // on a linear scale everything but the last value sits on the floor
  assert.is(sparkBars(g, { scale: 'linear' }), '▁▁▁▁▁▁▁█');
});

test('zeros print as ·, NaN/Inf as ×; constant series sit mid-height; empty prints nothing', () => {
  assert.is(sparkBars([1, 0, 100, NaN, 10, Infinity]), `▁${SPARK_ZERO}█${SPARK_NONFINITE}▅${SPARK_NONFINITE}`);
  assert.is(sparkBars([3, 3, 3]), '▄▄▄');
  assert.is(sparkBars([0, 0]), `${SPARK_ZERO}${SPARK_ZERO}`);
  assert.is(sparkBars([]), '');
  assert.is(sparkline([]), '');
});

test('long series are bucketed to the width (mean of log10 per bucket); any NaN in a bucket shows ×', () => {
  const g = Array.from({ length: 1000 }, (_, i) => 1.01 ** i);
  const bars = sparkBars(g, { width: 40 });
  assert.is([...bars].length, 40);
  assert.is(bars[0], '▁');
  assert.is(bars[39], '█');
  for (let i = 1; i < 40; i++) assert.ok(bars[i] >= bars[i - 1], `not monotone at ${i}: ${bars}`);
  g[510] = NaN;
  assert.is(sparkBars(g, { width: 40 })[20], SPARK_NONFINITE);
  assert.is([...sparkBars(g)].length, 60); // default width
});

test('a fixed range puts two series on one scale; values outside clamp', () => {
  const steep = Array.from({ length: 8 }, (_, i) => 10 ** (i - 7)); // 1e-7 .. 1
  const flat = [0.5, 0.6, 0.8, 1];
  assert.is(sparkBars(flat), '▁▃▆█');
  assert.is(sparkBars(flat, { range: [-7, 0] }), '████'); // 0.5..1 is the top 0.3 decades of 7
  assert.is(sparkBars(steep, { range: [-3, 0] }), '▁▁▁▁▁▃▆█');
});

test('labels: min and max with their time steps, zero and NaN counts', () => {
  assert.is(sparkline([0.5, 2e-5, 0, 3, NaN]), `▇▁${SPARK_ZERO}█${SPARK_NONFINITE}  min 2e-5 (t=2)  max 3 (t=4)  log  1 zero  1 NaN/Inf`);
  assert.is(sparkline([1, 2], { scale: 'linear' }), '▁█  min 1 (t=1)  max 2 (t=2)');
  assert.is(sparkline([1, 2], { labels: false }), '▁█');
});

test.run();
