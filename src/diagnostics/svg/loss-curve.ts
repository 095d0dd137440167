// Loss against training step for one or more runs (e.g. with and without clipping), linear or log y, with the
// run's clip events as short ticks along the bottom (one lane per run) and NaN-guard events (update skipped) as
// dashed vertical lines topped by a cross. Non-finite losses break the line.
import { DataValueError } from '../../errors.js';
import { coord, formatNumber } from '../format.js';
import { bottom, chartTitle, legendRow, right, xAxis, yAxis, yGrid, type Frame } from './axis.js';
import { brokenPath } from './line-chart.js';
import { AXIS_COLOUR, seriesColour, seriesDash } from './palette.js';
import { linearScale, linearTicks, logScale, logTicks, niceLogDomain, niceStep, type Scale } from './scale.js';
import { el, svgDocument, text } from './xml.js';
import { checkArgument } from '../../options/schema.js';
import * as is from '../../options/specs.js';

/** One run's loss curve for lossCurve(). */
export interface LossRun {
  name: string;
  /** Loss per recorded training step. */
  loss: ArrayLike<number>;
  /** Training step number of each loss value; default 1..loss.length. */
  steps?: ArrayLike<number>;
  /** Step numbers at which the gradient was clipped. */
  clipSteps?: ArrayLike<number>;
  /** Step numbers at which the NaN/Inf guard skipped the update. */
  guardSteps?: ArrayLike<number>;
}

/** Options of lossCurve(). */
export interface LossCurveOptions {
  title?: string;
  desc?: string;
  /** 'linear' (default) or 'log'. */
  yScale?: 'linear' | 'log';
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
}

/** Path data of an × of half-size r centred on (x, y). */
function cross(x: number, y: number, r: number): string {
  const [x0, x1, y0, y1] = [x - r, x + r, y - r, y + r].map(coord);
  return `M${x0} ${y0}L${x1} ${y1}M${x1} ${y0}L${x0} ${y1}`;
}

/** An SVG chart of training loss per step, one line per run. */
export function lossCurve(runs: readonly LossRun[], opts: LossCurveOptions = {}): string {
  checkArgument('lossCurve', 'runs', runs, is.arrayOf(is.custom('a run { name, loss }', (v) => typeof (v as LossRun | null)?.name === 'string' && is.numbers().test((v as LossRun).loss) && is.optional(is.numbers()).test((v as LossRun).steps)), {}, 'an array of runs { name, loss, steps? }'));
  checkArgument('lossCurve', 'opts', opts, is.object());
  if (runs.length === 0) throw new DataValueError('lossCurve: no runs');
  const log = opts.yScale === 'log';
  let xlo = Infinity, xhi = -Infinity, ylo = Infinity, yhi = -Infinity;
  const data = runs.map((r) => {
    if (r.steps && r.steps.length !== r.loss.length) {
      throw new DataValueError(`lossCurve: run "${r.name}" has ${r.steps.length} steps for ${r.loss.length} losses`);
    }
    const x = Array.from({ length: r.loss.length }, (_, i) => (r.steps ? r.steps[i] : i + 1));
    const ok = x.map((_, i) => Number.isFinite(r.loss[i]) && (!log || r.loss[i] > 0));
    ok.forEach((good, i) => {
      xlo = Math.min(xlo, x[i]); xhi = Math.max(xhi, x[i]);
      if (good) { ylo = Math.min(ylo, r.loss[i]); yhi = Math.max(yhi, r.loss[i]); }
    });
    const clips = Array.from(r.clipSteps ?? []), guards = Array.from(r.guardSteps ?? []);
    for (const s of [...clips, ...guards]) { xlo = Math.min(xlo, s); xhi = Math.max(xhi, s); }
    return { r, x, ok, clips, guards, bad: ok.filter((g) => !g).length };
  });
  if (xlo === Infinity) { xlo = 0; xhi = 1; }
  if (xlo === xhi) { xlo -= 0.5; xhi += 0.5; }
  if (ylo === Infinity) { ylo = log ? 0.1 : 0; yhi = 1; }

  const W = opts.width ?? 720, Hh = opts.height ?? 400;
  const f: Frame = { left: 72, top: 40, width: W - 72 - 210, height: Hh - 40 - 56 };
  const xs = linearScale(xlo, xhi, f.left, right(f));
  let ys: Scale, yTicks;
  if (log) {
    const [d0, d1] = niceLogDomain(ylo, yhi);
    ys = logScale(d0, d1, bottom(f), f.top);
    yTicks = logTicks(d0, d1);
  } else {
    if (ylo === yhi) { ylo -= 0.5; yhi += 0.5; }
    const step = niceStep(yhi - ylo, 5);
    const d0 = Math.floor(ylo / step) * step, d1 = Math.ceil(yhi / step) * step;
    ys = linearScale(d0, d1, bottom(f), f.top);
    yTicks = linearTicks(d0, d1, 5);
  }

  let body = chartTitle(f.left, 24, opts.title ?? 'Training loss with clip and NaN-guard events');
  body += yGrid(f, ys, yTicks);
  body += xAxis(f, xs, linearTicks(xlo, xhi, 6, Number.isInteger(xlo) && Number.isInteger(xhi)), opts.xLabel ?? 'training step');
  body += yAxis(f, ys, yTicks, opts.yLabel ?? (log ? 'loss (log scale)' : 'loss'));

  let lines = '', events = '', legend = '';
  const lx = right(f) + 16;
  data.forEach(({ r, x, ok, clips, guards, bad }, i) => {
    const colour = seriesColour(i);
    lines += el('path', {
      class: 'series', d: brokenPath(x.map(xs), x.map((_, k) => (ok[k] ? ys(r.loss[k]) : 0)), ok) || undefined,
      fill: 'none', stroke: colour, 'stroke-width': 1.5, 'stroke-dasharray': seriesDash(i), 'stroke-linejoin': 'round',
    });
    const laneBottom = bottom(f) - 2 - 9 * i;
    for (const s of clips) {
      events += el('line', { class: 'clip', x1: xs(s), y1: laneBottom - 7, x2: xs(s), y2: laneBottom, stroke: colour, 'stroke-width': 1.5 });
    }
    for (const s of guards) {
      const gx = xs(s), gy = f.top + 4 + 9 * i;
      events += el('g', { class: 'guard', stroke: colour, 'stroke-width': 1.5 },
        el('line', { x1: gx, y1: gy + 4, x2: gx, y2: bottom(f), 'stroke-dasharray': '3 3', 'stroke-width': 1 })
        + el('path', { d: cross(gx, gy, 4) }));
    }
    const ly = f.top + 10 + i * 32;
    const symbol = el('line', { x1: lx, y1: ly - 4, x2: lx + 20, y2: ly - 4, stroke: colour, 'stroke-width': 2, 'stroke-dasharray': seriesDash(i) });
    legend += legendRow(lx, ly, symbol, r.name);
    legend += text(lx + 26, ly + 14, `${clips.length} clip, ${guards.length} guard${bad > 0 ? `, ${bad} not drawn` : ''}`,
      { fill: '#555555' });
  });
  // Symbol key for the two event kinds.
  const ky = f.top + 10 + data.length * 32 + 8;
  legend += legendRow(lx, ky, el('line', { x1: lx + 10, y1: ky - 9, x2: lx + 10, y2: ky + 1, stroke: AXIS_COLOUR, 'stroke-width': 1.5 }),
    'clip event (norm clipped)');
  legend += legendRow(lx, ky + 18, el('path', { d: cross(lx + 10, ky + 13, 4), stroke: AXIS_COLOUR, 'stroke-width': 1.5 }),
    'NaN guard (update skipped)');
  body += el('g', { class: 'lines' }, lines) + el('g', { class: 'events' }, events) + el('g', { class: 'legend' }, legend);

  const summary = data.map(({ r, x, ok, clips, guards }) => {
    const first = ok.indexOf(true), last = ok.lastIndexOf(true);
    const span = first < 0 ? 'no finite loss' : `loss ${formatNumber(r.loss[first])} at step ${formatNumber(x[first], 6)} to `
      + `${formatNumber(r.loss[last])} at step ${formatNumber(x[last], 6)}`;
    return `${r.name}: ${span}, ${clips.length} clip events, ${guards.length} NaN-guard events`;
  }).join('; ');
  const desc = opts.desc ?? `Loss curve (${log ? 'log' : 'linear'} y axis): ${summary}.`;
  return svgDocument({ width: W, height: Hh, title: opts.title ?? 'Training loss with clip and NaN-guard events', desc, body });
}
