// Heatmap of log10 ‖dL/dh_t‖: x = time step t (1..T, loss at T), y = training step (first recorded step at the
// top), colour = viridis over the log10 range, with a colour bar. Exact zeros and NaN/Inf get their own colours
// and legend entries. Large matrices are averaged into blocks (mean of log10 over the block's positive values;
// a block with any NaN/Inf is NaN/Inf; one with no positive value is 0) so the SVG stays small.
import { DataValueError } from '../../errors.js';
import { formatNumber } from '../format.js';
import { bottom, chartTitle, legendRow, right, xAxis, yAxis, type Frame } from './axis.js';
import { NONFINITE_COLOUR, ZERO_COLOUR, viridis } from './palette.js';
import { linearScale, linearTicks, type Tick } from './scale.js';
import { el, svgDocument } from './xml.js';
import { checkArgument } from '../../options/schema.js';
import * as is from '../../options/specs.js';

/** Options of gradientHeatmap(). */
export interface HeatmapOptions {
  title?: string;
  /** Accessible description; default: a sentence with the sizes, the colour range and the zero/NaN counts. */
  desc?: string;
  /** Training step number of each row (default 1..rows). */
  stepNumbers?: ArrayLike<number>;
  /** Fixed colour range in log10 units (to compare layers on one scale); default: the data's range. */
  log10Range?: [number, number];
  width?: number;
  height?: number;
  /** Largest number of drawn rows / columns before blocks are averaged (default 100 / 160). */
  maxRows?: number;
  maxCols?: number;
  xLabel?: string;
  yLabel?: string;
}

/** Number of rects in the colour bar. */
export const COLOUR_BAR_STEPS = 64;

type Cell = { kind: 'value'; log10: number } | { kind: 'zero' } | { kind: 'nonfinite' };

/**
 * y ticks as row positions (0-based, fractional) labelled with training step numbers: nice 1-2-5 values of the
 * step numbers when they increase strictly (placed by interpolation between rows), else every k-th row.
 */
function stepTicks(steps: number[]): Tick[] {
  const n = steps.length;
  const increasing = steps.every((v, i) => Number.isFinite(v) && (i === 0 || v > steps[i - 1]));
  if (!increasing || n === 1) {
    return linearTicks(0, n - 1, 6, true).map((t) => ({ value: t.value, label: formatNumber(steps[t.value], 6) }));
  }
  const out: Tick[] = [];
  let i = 0;
  for (const t of linearTicks(steps[0], steps[n - 1], 6, Number.isInteger(steps[0]) && Number.isInteger(steps[n - 1]))) {
    while (i < n - 2 && steps[i + 1] < t.value) i++;
    out.push({ value: i + (t.value - steps[i]) / (steps[i + 1] - steps[i]), label: formatNumber(t.value, 6) });
  }
  return out;
}

/** rows: one array per recorded training step, each g_1..g_T (equal lengths). */
export function gradientHeatmap(rows: readonly ArrayLike<number>[], opts: HeatmapOptions = {}): string {
  checkArgument('gradientHeatmap', 'rows', rows, is.arrayOf(is.numbers(), {}, 'an array of number arrays (one per row)'));
  checkArgument('gradientHeatmap', 'opts', opts, is.object());
  const nR = rows.length;
  if (nR === 0) throw new DataValueError('gradientHeatmap: no rows');
  const nC = rows[0].length;
  if (nC === 0) throw new DataValueError('gradientHeatmap: rows are empty (T = 0)');
  rows.forEach((r, i) => {
    if (r.length !== nC) throw new DataValueError(`gradientHeatmap: row ${i} has length ${r.length}, row 0 has T = ${nC}`);
  });
  const steps = opts.stepNumbers ? Array.from(opts.stepNumbers) : rows.map((_, i) => i + 1);
  if (steps.length !== nR) throw new DataValueError(`gradientHeatmap: stepNumbers has ${steps.length} entries for ${nR} rows`);

  const dr = Math.min(nR, Math.max(1, opts.maxRows ?? 100));
  const dc = Math.min(nC, Math.max(1, opts.maxCols ?? 160));
  const cells: Cell[][] = [];
  let lo = Infinity, hi = -Infinity, zeros = 0, bad = 0;
  for (let i = 0; i < dr; i++) {
    const r0 = Math.floor((i * nR) / dr), r1 = Math.floor(((i + 1) * nR) / dr);
    const line: Cell[] = [];
    for (let j = 0; j < dc; j++) {
      const c0 = Math.floor((j * nC) / dc), c1 = Math.floor(((j + 1) * nC) / dc);
      let s = 0, k = 0, nonfinite = false;
      for (let r = r0; r < r1; r++) {
        for (let c = c0; c < c1; c++) {
          const v = rows[r][c];
          if (!Number.isFinite(v)) nonfinite = true;
          else if (v > 0) { s += Math.log10(v); k++; }
        }
      }
      let cell: Cell;
      if (nonfinite) { cell = { kind: 'nonfinite' }; bad++; } else if (k === 0) { cell = { kind: 'zero' }; zeros++; } else {
        cell = { kind: 'value', log10: s / k };
        lo = Math.min(lo, s / k); hi = Math.max(hi, s / k);
      }
      line.push(cell);
    }
    cells.push(line);
  }
  if (opts.log10Range) {
    [lo, hi] = opts.log10Range;
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) {
      throw new DataValueError(`gradientHeatmap: log10Range [${lo}, ${hi}] must be finite with lo < hi`);
    }
  } else if (lo === Infinity) { lo = -1; hi = 0; } else if (lo === hi) { lo -= 0.5; hi += 0.5; }

  const W = opts.width ?? 720, Hh = opts.height ?? 420;
  const f: Frame = { left: 72, top: 40, width: W - 72 - 150, height: Hh - 40 - 56 };
  const cw = f.width / dc, ch = f.height / dr;
  const colour = (c: Cell) => (c.kind === 'zero' ? ZERO_COLOUR : c.kind === 'nonfinite' ? NONFINITE_COLOUR
    : viridis((c.log10 - lo) / (hi - lo)));

  let rects = '';
  for (let i = 0; i < dr; i++) {
    const y0 = f.top + i * ch, y1 = f.top + (i + 1) * ch;
    for (let j = 0; j < dc; j++) {
      const x0 = f.left + j * cw, x1 = f.left + (j + 1) * cw;
      rects += el('rect', { x: x0, y: y0, width: x1 - x0, height: y1 - y0, fill: colour(cells[i][j]) });
    }
  }
  let body = chartTitle(f.left, 24, opts.title ?? 'log10 ‖dL/dh_t‖ per time step and training step');
  body += el('g', { class: 'cells', 'shape-rendering': 'crispEdges' }, rects);

  // Axes: positions are cell centres of the undownsampled grid.
  const xs = linearScale(0.5, nC + 0.5, f.left, right(f));
  body += xAxis(f, xs, linearTicks(1, nC, 6, true), opts.xLabel ?? 'time step t (loss at t = T)');
  const ys = linearScale(-0.5, nR - 0.5, f.top, bottom(f));
  const yTicks = stepTicks(steps);
  body += yAxis(f, ys, yTicks, opts.yLabel ?? 'training step');

  // Colour bar (high at the top) and its log10 axis on the right.
  const hasLegend = zeros > 0 || bad > 0;
  const bar: Frame = { left: right(f) + 24, top: f.top, width: 14, height: f.height - (hasLegend ? 48 : 0) };
  let barRects = '';
  for (let k = 0; k < COLOUR_BAR_STEPS; k++) {
    const y0 = bottom(bar) - ((k + 1) * bar.height) / COLOUR_BAR_STEPS, y1 = bottom(bar) - (k * bar.height) / COLOUR_BAR_STEPS;
    barRects += el('rect', { x: bar.left, y: y0, width: bar.width, height: y1 - y0, fill: viridis((k + 0.5) / COLOUR_BAR_STEPS) });
  }
  body += el('g', { class: 'colour-bar', 'shape-rendering': 'crispEdges' }, barRects);
  const bs = linearScale(lo, hi, bottom(bar), bar.top);
  body += yAxis(bar, bs, linearTicks(lo, hi, 5), 'log10 ‖dL/dh_t‖', 'right', 52);

  if (hasLegend) {
    let y = bottom(f) - 26;
    const swatch = (fill: string, yy: number) => el('rect', { x: bar.left, y: yy - 9, width: 18, height: 10, fill, stroke: '#888888' });
    if (zeros > 0) { body += legendRow(bar.left, y, swatch(ZERO_COLOUR, y), `0: ${zeros} ${zeros === 1 ? 'cell' : 'cells'}`); y += 18; }
    if (bad > 0) body += legendRow(bar.left, y, swatch(NONFINITE_COLOUR, y), `NaN/Inf: ${bad} ${bad === 1 ? 'cell' : 'cells'}`);
  }

  const shown = dr === nR && dc === nC ? '' : ` (drawn as ${dc} × ${dr} blocks, each the mean of log10 over its cells)`;
  const desc = opts.desc ?? `Heatmap of log10 of the gradient norm ‖dL/dh_t‖ for T = ${nC} time steps (x axis, loss at `
    + `t = T) by ${nR} training steps (y axis, first at the top)${shown}. Colour from dark purple at log10 = `
    + `${formatNumber(lo)} to yellow at ${formatNumber(hi)}; ${zeros} zero cells (grey), ${bad} NaN/Inf cells (red).`;
  return svgDocument({ width: W, height: Hh, title: opts.title ?? 'log10 ‖dL/dh_t‖ per time step and training step', desc, body });
}

