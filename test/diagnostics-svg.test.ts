// SVG renderers: every output parses as XML (saxes, a strict XML 1.0 parser), carries viewBox + <title>/<desc>,
// has the expected number of cells/paths/markers, colours zeros and NaN distinctly, escapes text, and is
// deterministic. Also the scale/tick/format helpers and viridis. Samples are written to test-artifacts/diagnostics/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { SaxesParser } from 'saxes';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DataValueError } from '../src/errors.js';
import {
  COLOUR_BAR_STEPS, NONFINITE_COLOUR, ZERO_COLOUR, formatNumber, gradientHeatmap, gradientNormChart, lossCurve, viridis,
} from '../src/diagnostics/index.js';
import { coord, powerOfTenLabel } from '../src/diagnostics/format.js';
import { linearTicks, logTicks, niceLogDomain } from '../src/diagnostics/svg/scale.js';

interface Node { name: string; attrs: Record<string, string>; children: Node[]; text: string }

/** Parse strictly (throws on any well-formedness error) into a small tree. */
function parseXml(xml: string): Node {
  const parser = new SaxesParser();
  const root: Node = { name: '#document', attrs: {}, children: [], text: '' };
  const stack = [root];
  parser.on('opentag', (t) => {
    const n: Node = { name: t.name, attrs: { ...(t.attributes as Record<string, string>) }, children: [], text: '' };
    stack[stack.length - 1].children.push(n);
    stack.push(n);
  });
  parser.on('closetag', () => { stack.pop(); });
  parser.on('text', (s) => { stack[stack.length - 1].text += s; });
  parser.write(xml).close();
  assert.is(root.children.length, 1, 'one root element');
  return root.children[0];
}

function all(n: Node, pred: (n: Node) => boolean, out: Node[] = []): Node[] {
  if (pred(n)) out.push(n);
  for (const c of n.children) all(c, pred, out);
  return out;
}
const byClass = (n: Node, cls: string) => all(n, (m) => m.attrs.class === cls);
const textOf = (n: Node): string => n.text + n.children.map(textOf).join('');

const ART = 'test-artifacts/diagnostics';
mkdirSync(ART, { recursive: true });

/** Common structure: <svg> with xmlns, viewBox matching width/height, role img, <title> and <desc> first. */
function checkDocument(svg: Node, width: number, height: number, title: string): void {
  assert.is(svg.name, 'svg');
  assert.is(svg.attrs.xmlns, 'http://www.w3.org/2000/svg');
  assert.is(svg.attrs.viewBox, `0 0 ${width} ${height}`);
  assert.is(svg.attrs.role, 'img');
  assert.is(svg.children[0].name, 'title');
  assert.is(svg.children[0].text, title);
  assert.is(svg.children[1].name, 'desc');
  assert.ok(svg.children[1].text.length > 20, 'a description with content');
}

// ---- heatmap

/** 5 training steps × 7 time steps, g = 10^(−(T−t)/2) · 10^(−s/4), one zero and one NaN. */
function heatRows(): number[][] {
  const rows = Array.from({ length: 5 }, (_, s) => Array.from({ length: 7 }, (_, t) => 10 ** (-(6 - t) / 2 - s / 4)));
  rows[2][3] = 0;
  rows[4][0] = NaN;
  return rows;
}

test('heatmap: well-formed, one rect per cell, 64-step colour bar, zero/NaN colours and legend, extreme colours', () => {
  const xml = gradientHeatmap(heatRows(), { title: 'LSTM "lstm_1" <layer> & co', stepNumbers: [10, 20, 30, 40, 50] });
  writeFileSync(`${ART}/heatmap-small.svg`, xml);
  const svg = parseXml(xml);
  checkDocument(svg, 720, 420, 'LSTM "lstm_1" <layer> & co');
  const cells = byClass(svg, 'cells')[0].children;
  assert.is(cells.length, 35);
  assert.ok(cells.every((c) => c.name === 'rect'));
  assert.is(byClass(svg, 'colour-bar')[0].children.length, COLOUR_BAR_STEPS);
  const fill = (s: number, t: number) => cells[s * 7 + t].attrs.fill;
  assert.is(fill(2, 3), ZERO_COLOUR);
  assert.is(fill(4, 0), NONFINITE_COLOUR);
  assert.is(fill(0, 6), viridis(1)); // largest value: 1
  assert.is(fill(3, 0), viridis(0)); // smallest finite positive: 10^(−3 − 0.75) (row 4's t = 1 is NaN)
  assert.is(viridis(1), '#fde725');
  assert.is(viridis(0), '#440154');
  const legend = byClass(svg, 'legend-entry').map(textOf);
  assert.equal(legend, ['0: 1 cell', 'NaN/Inf: 1 cell']);
  // y axis labelled with the training step numbers, x axis with time steps
  const yLabels = byClass(svg, 'y-axis')[0].children.filter((c) => c.name === 'text').map(textOf);
  assert.ok(yLabels.includes('10') && yLabels.includes('50') && yLabels.includes('training step'), yLabels.join(','));
  const cbLabels = byClass(svg, 'y-axis-right')[0].children.filter((c) => c.name === 'text').map(textOf);
  assert.ok(cbLabels.includes('0') && cbLabels.includes('-3') && cbLabels.includes('log10 ‖dL/dh_t‖'), cbLabels.join(','));
  assert.match(svg.children[1].text, 'T = 7 time steps');
  assert.match(svg.children[1].text, '1 zero cells (grey), 1 NaN/Inf cells (red)');
  assert.is(gradientHeatmap(heatRows(), { title: 'LSTM "lstm_1" <layer> & co', stepNumbers: [10, 20, 30, 40, 50] }), xml, 'deterministic');
});

test('heatmap: no legend without zeros/NaN; fixed log10 range; bad input throws', () => {
  const rows = [[1, 0.1], [0.01, 1]];
  const svg = parseXml(gradientHeatmap(rows, { log10Range: [-4, 0] }));
  assert.is(byClass(svg, 'legend-entry').length, 0);
  const cells = byClass(svg, 'cells')[0].children;
  assert.is(cells[0].attrs.fill, viridis(1));
  assert.is(cells[2].attrs.fill, viridis(0.5)); // log10 0.01 = −2 in [−4, 0]
  assert.throws(() => gradientHeatmap([]), (e: unknown) => e instanceof DataValueError);
  assert.throws(() => gradientHeatmap([[1, 2], [1]]), /row 1 has length 1, row 0 has T = 2/);
  assert.throws(() => gradientHeatmap(rows, { log10Range: [0, 0] }), /lo < hi/);
  assert.throws(() => gradientHeatmap(rows, { stepNumbers: [1] }), /stepNumbers has 1 entries for 2 rows/);
  // T = 1 and a single row still draw
  assert.is(byClass(parseXml(gradientHeatmap([[0.5]])), 'cells')[0].children.length, 1);
});

test('heatmap: large matrices are averaged into blocks (mean of log10 over positive values)', () => {
  const big = Array.from({ length: 300 }, (_, s) => Array.from({ length: 500 }, (_, t) => 0.98 ** (499 - t) * (1 + s / 300)));
  const xml = gradientHeatmap(big);
  writeFileSync(`${ART}/heatmap-large.svg`, xml);
  const svg = parseXml(xml);
  assert.is(byClass(svg, 'cells')[0].children.length, 100 * 160);
  assert.match(svg.children[1].text, 'drawn as 160 × 100 blocks');
  assert.ok(xml.length < 1_200_000, `${xml.length} bytes`);
  // 2×2 blocks of a 4×4 matrix: block (0,0) holds 1, 100, 0, 1e4 → mean log10 over positives = 2
  const m = [[1, 100, 1, 1], [0, 1e4, 1, 1], [1, 1, 1e4, 1e4], [1, 1, 1e4, 1e4]];
  const cells = byClass(parseXml(gradientHeatmap(m, { maxRows: 2, maxCols: 2 })), 'cells')[0].children;
  assert.is(cells.length, 4);
  assert.equal(cells.map((c) => c.attrs.fill), [viridis(0.5), viridis(0), viridis(0), viridis(1)]);
});

// ---- line chart

test('line chart: one path per series on a log axis, broken at zeros, power-of-ten labels, legend', () => {
  const T = 100;
  const mk = (r: number) => Array.from({ length: T }, (_, i) => r ** (T - 1 - i));
  const gru = mk(0.97);
  gru[50] = 0;
  const series = [{ name: 'SimpleRNN (tanh)', values: mk(0.8) }, { name: 'LSTM', values: mk(0.99) }, { name: 'GRU', values: gru }];
  const xml = gradientNormChart(series, { title: 'Adding problem, T = 100' });
  writeFileSync(`${ART}/grad-norm-lines.svg`, xml);
  const svg = parseXml(xml);
  checkDocument(svg, 720, 400, 'Adding problem, T = 100');
  const paths = byClass(svg, 'series');
  assert.is(paths.length, 3);
  assert.is(paths.map((p) => (p.attrs.d.match(/M/g) ?? []).length).join(','), '1,1,2');
  assert.is(paths.map((p) => (p.attrs.d.match(/[ML]/g) ?? []).length).join(','), '100,100,99');
  // first point at the left edge of the plot, last at the right edge (x domain 1..100)
  assert.ok(paths[0].attrs.d.startsWith('M72 '), paths[0].attrs.d.slice(0, 20));
  assert.match(paths[0].attrs.d, /L530 [\d.]+$/);
  // SimpleRNN spans 0.8^99 = 2.5e-10 .. 1 → log domain 1e-10 .. 1 with labels 10⁻¹⁰ .. 10⁰
  const yLabels = byClass(svg, 'y-axis')[0].children.filter((c) => c.name === 'text').map(textOf);
  assert.ok(yLabels.includes('10⁻¹⁰') && yLabels.includes('10⁰'), yLabels.join(','));
  assert.equal(byClass(svg, 'legend-entry').map(textOf), ['SimpleRNN (tanh)', 'LSTM', 'GRU (1 points ≤ 0 or NaN)']);
  assert.match(svg.children[1].text, 'SimpleRNN (tanh): 2.55e-10 at t = 1 to 1 at t = 100');
  assert.is(gradientNormChart(series, { title: 'Adding problem, T = 100' }), xml, 'deterministic');
  assert.throws(() => gradientNormChart([]), (e: unknown) => e instanceof DataValueError);
  assert.throws(() => gradientNormChart([{ name: 'a', values: [1, 2], x: [1] }]), /1 x values for 2 y values/);
});

// ---- loss curve

test('loss curve: one path per run, one tick per clip event, one marker per guard event, linear and log y', () => {
  const loss = Array.from({ length: 200 }, (_, i) => (i === 120 ? NaN : 2 * Math.exp(-i / 60) + 0.1));
  const clipped = Array.from({ length: 200 }, (_, i) => 2 * Math.exp(-i / 40) + 0.12);
  const runs = [
    { name: 'no clipping', loss, guardSteps: [121] },
    { name: 'globalClipnorm = 1 <&>', loss: clipped, clipSteps: [3, 4, 5, 9, 30, 31, 80, 150] },
  ];
  for (const yScale of ['linear', 'log'] as const) {
    const xml = lossCurve(runs, { yScale });
    writeFileSync(`${ART}/loss-${yScale}.svg`, xml);
    const svg = parseXml(xml);
    checkDocument(svg, 720, 400, 'Training loss with clip and NaN-guard events');
    const paths = byClass(svg, 'series');
    assert.is(paths.length, 2);
    assert.is((paths[0].attrs.d.match(/M/g) ?? []).length, 2, 'the NaN loss breaks the line');
    assert.is(byClass(svg, 'clip').length, 8);
    assert.is(byClass(svg, 'guard').length, 1);
    const legend = all(svg, (n) => n.attrs.class === 'legend')[0];
    const words = textOf(legend);
    assert.match(words, 'globalClipnorm = 1 <&>');
    assert.match(words, '8 clip, 0 guard');
    assert.match(words, '0 clip, 1 guard, 1 not drawn');
    assert.match(svg.children[1].text, `Loss curve (${yScale} y axis)`);
    const yLabels = byClass(svg, 'y-axis')[0].children.filter((c) => c.name === 'text').map(textOf);
    if (yScale === 'log') assert.ok(yLabels.includes('10⁻¹') && yLabels.includes('10⁰') && yLabels.includes('10¹'), yLabels.join(','));
    else assert.ok(yLabels.includes('0') && yLabels.includes('2'), yLabels.join(','));
    assert.is(lossCurve(runs, { yScale }), xml, 'deterministic');
  }
  assert.throws(() => lossCurve([]), (e: unknown) => e instanceof DataValueError);
  assert.throws(() => lossCurve([{ name: 'a', loss: [1, 2], steps: [1] }]), /1 steps for 2 losses/);
});

// ---- helpers

test('formatNumber, coord, powers of ten, ticks', () => {
  assert.equal(
    [0, -0, 1, 0.5, 1e-3, 9.99e-4, 123.456, 20959.155, 1e5, 2.5462949e-10, -3.25, NaN, Infinity, -Infinity].map((x) => formatNumber(x)),
    ['0', '0', '1', '0.5', '0.001', '9.99e-4', '123', '2.1e4', '1e5', '2.55e-10', '-3.25', 'NaN', 'Inf', '-Inf'],
  );
  assert.is(formatNumber(20959.155, 5), '20959');
  assert.equal([coord(1.005), coord(-0.001), coord(72), coord(1 / 3)], ['1', '0', '72', '0.33']);
  assert.equal([powerOfTenLabel(-10), powerOfTenLabel(0), powerOfTenLabel(3)], ['10⁻¹⁰', '10⁰', '10³']);
  assert.equal(linearTicks(0, 1, 5).map((t) => t.label), ['0', '0.2', '0.4', '0.6', '0.8', '1']);
  assert.equal(linearTicks(1, 100, 6, true).map((t) => t.value), [20, 40, 60, 80, 100]);
  assert.equal(linearTicks(-4.2, 0.3, 5).map((t) => t.value), [-4, -3, -2, -1, 0]);
  assert.equal(niceLogDomain(2.5e-10, 1), [1e-10, 1]);
  assert.equal(niceLogDomain(3, 3), [1, 10]);
  assert.equal(logTicks(1e-10, 1).map((t) => t.label), ['10⁻¹⁰', '10⁻⁸', '10⁻⁶', '10⁻⁴', '10⁻²', '10⁰']);
  assert.equal(logTicks(1e-3, 10).length, 5);
});

test('viridis: 17 stops interpolated; lightness increases monotonically', () => {
  const lum = (hex: string) => { const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  let prev = -1;
  for (let i = 0; i <= 100; i++) {
    const c = viridis(i / 100);
    assert.match(c, /^#[0-9a-f]{6}$/);
    assert.ok(lum(c) > prev, `lightness not increasing at ${i / 100}: ${c}`);
    prev = lum(c);
  }
  assert.is(viridis(128 / 255), '#21918c');
  assert.is(viridis(-1), viridis(0));
  assert.is(viridis(2), viridis(1));
});

test.run();
