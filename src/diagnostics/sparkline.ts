// A terminal sparkline ▁▂▃▄▅▆▇█ of a series, on a log10 scale by default (gradient norms span decades), with
// min/max labels. Zeros (and negatives, which a log scale cannot place) print as '·', NaN/Inf as '×'.
// Longer series are bucketed to `width` characters: a bucket shows the mean of log10 over its positive values,
// '×' if it holds any NaN/Inf, '·' if it holds no positive value.
import { formatNumber } from './format.js';
import { checkArgument } from '../options/schema.js';
import * as is from '../options/specs.js';

const BARS = '▁▂▃▄▅▆▇█';
/** The sparkline character for an exact zero (below any bar). */
export const SPARK_ZERO = '·';
/** The sparkline character for NaN or ±Infinity. */
export const SPARK_NONFINITE = '×';

/** Options of sparkline(). */
export interface SparklineOptions {
  /** Maximum characters of bars (default 60); shorter series print one character per value. */
  width?: number;
  /** 'log' (default) or 'linear'. */
  scale?: 'log' | 'linear';
  /** Append "min … max …" labels (default true). */
  labels?: boolean;
  /**
   * Fixed level range in scale units (log10 units on the log scale), so several series (layers) share one scale;
   * values outside clamp to ▁/█. Default: the series' own range.
   */
  range?: [number, number];
}

/** The bars alone. */
export function sparkBars(values: ArrayLike<number>, opts: SparklineOptions = {}): string {
  checkArgument('sparkBars', 'values', values, is.numbers());
  checkArgument('sparkBars', 'opts', opts, is.object());
  const n = values.length;
  if (n === 0) return '';
  const width = Math.max(1, Math.floor(opts.width ?? 60));
  const log = (opts.scale ?? 'log') === 'log';
  const m = Math.min(n, width);
  const cells: number[] = []; // level value, NaN = non-finite, -Infinity = no placeable value
  for (let b = 0; b < m; b++) {
    const i0 = Math.floor((b * n) / m), i1 = Math.floor(((b + 1) * n) / m);
    let s = 0, k = 0, bad = false;
    for (let i = i0; i < i1; i++) {
      const v = values[i];
      if (!Number.isFinite(v)) bad = true;
      else if (!log) { s += v; k++; } else if (v > 0) { s += Math.log10(v); k++; }
    }
    cells.push(bad ? NaN : k === 0 ? -Infinity : s / k);
  }
  let lo = Infinity, hi = -Infinity;
  if (opts.range) [lo, hi] = opts.range;
  else for (const c of cells) if (Number.isFinite(c)) { lo = Math.min(lo, c); hi = Math.max(hi, c); }
  return cells.map((c) => {
    if (Number.isNaN(c)) return SPARK_NONFINITE;
    if (c === -Infinity) return SPARK_ZERO;
    if (!(hi > lo)) return BARS[3];
    return BARS[Math.max(0, Math.min(7, Math.floor(((c - lo) / (hi - lo)) * 8)))];
  }).join('');
}

/**
 * Bars plus labels: "▁▂▄█  min 1.2e-5 (t=1)  max 3.4 (t=100)" and, when present, "  3 zeros  1 NaN/Inf".
 * min/max are over the raw values (positive ones on a log scale) with their 1-based positions.
 */
export function sparkline(values: ArrayLike<number>, opts: SparklineOptions = {}): string {
  checkArgument('sparkline', 'values', values, is.numbers());
  checkArgument('sparkline', 'opts', opts, is.object());
  const bars = sparkBars(values, opts);
  if (opts.labels === false || values.length === 0) return bars;
  const log = (opts.scale ?? 'log') === 'log';
  let min = NaN, max = NaN, minAt = 0, maxAt = 0, zeros = 0, bad = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) { bad++; continue; }
    if (log && v <= 0) { zeros++; continue; }
    if (!(v >= min)) { min = v; minAt = i + 1; }
    if (!(v <= max)) { max = v; maxAt = i + 1; }
  }
  let out = bars;
  if (minAt > 0) out += `  min ${formatNumber(min)} (t=${minAt})  max ${formatNumber(max)} (t=${maxAt})`;
  if (log) out += '  log';
  if (zeros > 0) out += `  ${zeros} ${zeros === 1 ? 'zero' : 'zeros'}`;
  if (bad > 0) out += `  ${bad} NaN/Inf`;
  return out;
}
