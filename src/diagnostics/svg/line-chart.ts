// Gradient norm ‖dL/dh_t‖ against time step t for several series (e.g. SimpleRNN vs LSTM vs GRU on one task),
// log y axis with power-of-ten ticks, one <path class="series"> per series. Zeros and NaN/Inf cannot sit on a
// log axis: the line breaks there, and the legend says how many points each series lost.
import { DataValueError } from '../../errors.js';
import { coord, formatNumber } from '../format.js';
import { bottom, chartTitle, legendRow, right, xAxis, yAxis, yGrid, type Frame } from './axis.js';
import { seriesColour, seriesDash } from './palette.js';
import { linearScale, linearTicks, logScale, logTicks, niceLogDomain } from './scale.js';
import { el, svgDocument } from './xml.js';
import { checkArgument } from '../../options/schema.js';
import * as is from '../../options/specs.js';

/** One named series of gradientNormChart(). */
export interface LineSeries {
  name: string;
  /** y values (must be > 0 to be drawn). */
  values: ArrayLike<number>;
  /** x values; default 1..values.length (time steps). */
  x?: ArrayLike<number>;
}

/** Options of gradientNormChart(). */
export interface LineChartOptions {
  title?: string;
  desc?: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
}

/** Path data through the points with positive finite y, broken (new M) at every unusable point. */
export function brokenPath(xs: number[], ys: number[], ok: boolean[]): string {
  let d = '', pen = false;
  for (let i = 0; i < xs.length; i++) {
    if (!ok[i]) { pen = false; continue; }
    d += `${pen ? 'L' : 'M'}${coord(xs[i])} ${coord(ys[i])}`;
    pen = true;
  }
  return d;
}

/** An SVG line chart of gradient norms over time steps (log y axis), one line per series. */
export function gradientNormChart(series: readonly LineSeries[], opts: LineChartOptions = {}): string {
  checkArgument('gradientNormChart', 'series', series, is.arrayOf(is.custom('a series { name, values }', (v) => typeof (v as LineSeries | null)?.name === 'string' && is.numbers().test((v as LineSeries).values) && is.optional(is.numbers()).test((v as LineSeries).x)), {}, 'an array of series { name, values, x? }'));
  checkArgument('gradientNormChart', 'opts', opts, is.object());
  if (series.length === 0) throw new DataValueError('gradientNormChart: no series');
  const xsOf = (s: LineSeries) => {
    if (s.x && s.x.length !== s.values.length) {
      throw new DataValueError(`gradientNormChart: series "${s.name}" has ${s.x.length} x values for ${s.values.length} y values`);
    }
    return Array.from({ length: s.values.length }, (_, i) => (s.x ? s.x[i] : i + 1));
  };
  let xlo = Infinity, xhi = -Infinity, ylo = Infinity, yhi = -Infinity;
  const data = series.map((s) => {
    const x = xsOf(s);
    const ok = x.map((xv, i) => Number.isFinite(xv) && s.values[i] > 0 && Number.isFinite(s.values[i]));
    ok.forEach((good, i) => {
      if (!good) return;
      xlo = Math.min(xlo, x[i]); xhi = Math.max(xhi, x[i]);
      ylo = Math.min(ylo, s.values[i]); yhi = Math.max(yhi, s.values[i]);
    });
    return { s, x, ok, dropped: ok.filter((g) => !g).length };
  });
  if (xlo === Infinity) { xlo = 1; xhi = 1; ylo = 0.1; yhi = 1; }
  if (xlo === xhi) { xlo -= 0.5; xhi += 0.5; }
  const [d0, d1] = niceLogDomain(ylo, yhi);

  const W = opts.width ?? 720, Hh = opts.height ?? 400;
  const legendWidth = 190;
  const f: Frame = { left: 72, top: 40, width: W - 72 - legendWidth, height: Hh - 40 - 56 };
  const xs = linearScale(xlo, xhi, f.left, right(f));
  const ys = logScale(d0, d1, bottom(f), f.top);
  const yTicks = logTicks(d0, d1);
  let body = chartTitle(f.left, 24, opts.title ?? 'Gradient norm ‖dL/dh_t‖ by time step');
  body += yGrid(f, ys, yTicks);
  body += xAxis(f, xs, linearTicks(xlo, xhi, 6, Number.isInteger(xlo) && Number.isInteger(xhi)), opts.xLabel ?? 'time step t (loss at t = T)');
  body += yAxis(f, ys, yTicks, opts.yLabel ?? '‖dL/dh_t‖ (log scale)');

  let paths = '', legend = '';
  data.forEach(({ s, x, ok, dropped }, i) => {
    const d = brokenPath(x.map(xs), x.map((_, k) => (ok[k] ? ys(s.values[k]) : 0)), ok);
    paths += el('path', {
      class: 'series', d: d || undefined, fill: 'none', stroke: seriesColour(i), 'stroke-width': 2,
      'stroke-dasharray': seriesDash(i), 'stroke-linejoin': 'round',
    });
    const ly = f.top + 10 + i * 18, lx = right(f) + 16;
    const symbol = el('line', { x1: lx, y1: ly - 4, x2: lx + 20, y2: ly - 4, stroke: seriesColour(i), 'stroke-width': 2, 'stroke-dasharray': seriesDash(i) });
    legend += legendRow(lx, ly, symbol, dropped > 0 ? `${s.name} (${dropped} points ≤ 0 or NaN)` : s.name);
  });
  body += el('g', { class: 'lines' }, paths) + el('g', { class: 'legend' }, legend);

  const summary = data.map(({ s, ok }) => {
    const first = ok.indexOf(true), last = ok.lastIndexOf(true);
    return first < 0 ? `${s.name}: no positive values`
      : `${s.name}: ${formatNumber(s.values[first])} at t = ${formatNumber(xsOf(s)[first])} to ${formatNumber(s.values[last])} at t = ${formatNumber(xsOf(s)[last])}`;
  }).join('; ');
  const desc = opts.desc ?? `Line chart, log y axis from ${formatNumber(d0)} to ${formatNumber(d1)}: ${summary}.`;
  return svgDocument({ width: W, height: Hh, title: opts.title ?? 'Gradient norm ‖dL/dh_t‖ by time step', desc, body });
}
