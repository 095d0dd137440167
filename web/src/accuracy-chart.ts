// Accuracy (0..1) against training step, drawn with the diagnostics' SVG helpers (same axes, palette and
// document wrapper as lossCurve / gradientHeatmap): one line with point markers per series.
import { bottom, chartTitle, legendRow, right, xAxis, yAxis, yGrid, type Frame } from '../../src/diagnostics/svg/axis.js';
import { seriesColour, seriesDash } from '../../src/diagnostics/svg/palette.js';
import { linearScale, linearTicks } from '../../src/diagnostics/svg/scale.js';
import { el, svgDocument } from '../../src/diagnostics/svg/xml.js';
import { coord, formatNumber } from '../../src/diagnostics/format.js';

export interface AccuracySeries {
  name: string;
  steps: readonly number[];
  values: readonly number[];
}

export function accuracyChart(series: readonly AccuracySeries[], opts: { title?: string; width?: number; height?: number; maxStep?: number } = {}): string {
  const W = opts.width ?? 560, H = opts.height ?? 300;
  const f: Frame = { left: 64, top: 40, width: W - 64 - 170, height: H - 40 - 52 };
  let xhi = opts.maxStep ?? 1;
  for (const s of series) for (const x of s.steps) xhi = Math.max(xhi, x);
  const xs = linearScale(0, xhi, f.left, right(f)), ys = linearScale(0, 1, bottom(f), f.top);
  const yTicks = linearTicks(0, 1, 5);
  const title = opts.title ?? 'Accuracy';
  let body = chartTitle(f.left, 24, title) + yGrid(f, ys, yTicks);
  body += xAxis(f, xs, linearTicks(0, xhi, 6, true), 'training step') + yAxis(f, ys, yTicks, 'accuracy', 'left', 42);
  // The chance level of the balanced data set.
  body += el('line', { x1: f.left, y1: ys(0.5), x2: right(f), y2: ys(0.5), stroke: '#999999', 'stroke-dasharray': '4 4' });
  let lines = '', legend = '';
  series.forEach((s, i) => {
    const c = seriesColour(i);
    const pts = s.steps.map((x, k) => [xs(x), ys(Math.min(1, Math.max(0, s.values[k])))] as const);
    if (pts.length) {
      lines += el('path', { class: 'series', d: pts.map(([x, y], k) => `${k ? 'L' : 'M'}${coord(x)} ${coord(y)}`).join(''),
        fill: 'none', stroke: c, 'stroke-width': 1.5, 'stroke-dasharray': seriesDash(i) });
      lines += pts.map(([x, y]) => el('circle', { cx: x, cy: y, r: 2.5, fill: c })).join('');
    }
    const ly = f.top + 10 + i * 18, lx = right(f) + 14;
    const last = s.values.length ? `: ${s.values[s.values.length - 1].toFixed(3)}` : '';
    legend += legendRow(lx, ly, el('line', { x1: lx, y1: ly - 4, x2: lx + 20, y2: ly - 4, stroke: c, 'stroke-width': 2, 'stroke-dasharray': seriesDash(i) }), `${s.name}${last}`);
  });
  body += el('g', { class: 'lines' }, lines) + el('g', { class: 'legend' }, legend);
  const desc = `Accuracy against training step, y from 0 to 1, dashed line at chance (0.5): ${series.map((s) => `${s.name}, ${s.values.length} points${s.values.length ? `, last ${formatNumber(s.values[s.values.length - 1])}` : ''}`).join('; ')}.`;
  return svgDocument({ width: W, height: H, title, desc, body });
}
