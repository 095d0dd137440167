// Axes, grid lines, chart title and legend rows shared by the three charts. A Frame is the plot area in
// pixels; axes sit on its left and bottom edges.
import { AXIS_COLOUR, GRID_COLOUR, TEXT_COLOUR } from './palette.js';
import type { Scale, Tick } from './scale.js';
import { el, text } from './xml.js';

export interface Frame {
  left: number;
  top: number;
  width: number;
  height: number;
}

export const right = (f: Frame) => f.left + f.width;
export const bottom = (f: Frame) => f.top + f.height;

/** Bottom axis: baseline, ticks, labels, and the axis title centred below. */
export function xAxis(f: Frame, scale: (v: number) => number, ticks: Tick[], title: string): string {
  const y = bottom(f);
  let s = el('line', { x1: f.left, y1: y, x2: right(f), y2: y, stroke: AXIS_COLOUR });
  for (const t of ticks) {
    const x = scale(t.value);
    s += el('line', { x1: x, y1: y, x2: x, y2: y + 4, stroke: AXIS_COLOUR });
    s += text(x, y + 15, t.label, { 'text-anchor': 'middle', fill: TEXT_COLOUR });
  }
  s += text(f.left + f.width / 2, y + 32, title, { 'text-anchor': 'middle', fill: TEXT_COLOUR });
  return el('g', { class: 'x-axis' }, s);
}

/** Left (or right, for a colour bar) axis with tick labels and a rotated title. */
export function yAxis(
  f: Frame, scale: (v: number) => number, ticks: Tick[], title: string, side: 'left' | 'right' = 'left', titleOffset = 48,
): string {
  const x = side === 'left' ? f.left : right(f);
  const dir = side === 'left' ? -1 : 1;
  let s = el('line', { x1: x, y1: f.top, x2: x, y2: bottom(f), stroke: AXIS_COLOUR });
  for (const t of ticks) {
    const y = scale(t.value);
    s += el('line', { x1: x, y1: y, x2: x + 4 * dir, y2: y, stroke: AXIS_COLOUR });
    s += text(x + 7 * dir, y + 4, t.label, { 'text-anchor': side === 'left' ? 'end' : 'start', fill: TEXT_COLOUR });
  }
  const tx = x + titleOffset * dir, ty = f.top + f.height / 2;
  s += text(tx, ty, title, { 'text-anchor': 'middle', fill: TEXT_COLOUR, transform: `rotate(-90 ${tx} ${ty})` });
  return el('g', { class: side === 'left' ? 'y-axis' : 'y-axis-right' }, s);
}

/** Light horizontal grid lines at the y ticks. */
export function yGrid(f: Frame, scale: (v: number) => number, ticks: Tick[]): string {
  return el('g', { class: 'grid' }, ticks.map((t) => {
    const y = scale(t.value);
    return el('line', { x1: f.left, y1: y, x2: right(f), y2: y, stroke: GRID_COLOUR });
  }).join(''));
}

/** The chart title, bold, at the top left. */
export function chartTitle(x: number, y: number, title: string): string {
  return text(x, y, title, { 'font-size': 14, 'font-weight': 'bold', fill: TEXT_COLOUR });
}

/** One legend row: a symbol (raw SVG, drawn in a 20×10 box at (x, y−8)) and its label. */
export function legendRow(x: number, y: number, symbol: string, label: string): string {
  return el('g', { class: 'legend-entry' }, symbol + text(x + 26, y, label, { fill: TEXT_COLOUR }));
}
