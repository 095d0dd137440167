// Scales (data → pixels) and tick choices shared by the charts. Linear ticks use 1-2-5 steps; log ticks are
// powers of ten (every k-th power when the domain spans many decades).
import { formatNumber, powerOfTenLabel } from '../format.js';

export interface Scale {
  (v: number): number;
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
  readonly kind: 'linear' | 'log';
}

/** Maps [d0, d1] linearly onto [r0, r1] (a zero-width domain maps everything to the middle of the range). */
export function linearScale(d0: number, d1: number, r0: number, r1: number): Scale {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  const s = ((v: number) => (d1 === d0 ? (r0 + r1) / 2 : r0 + (v - d0) * k)) as Scale;
  return Object.assign(s, { domain: [d0, d1] as const, range: [r0, r1] as const, kind: 'linear' as const });
}

/** Maps log10 of (d0 .. d1), both > 0, linearly onto [r0, r1]. */
export function logScale(d0: number, d1: number, r0: number, r1: number): Scale {
  const inner = linearScale(Math.log10(d0), Math.log10(d1), r0, r1);
  const s = ((v: number) => inner(Math.log10(v))) as Scale;
  return Object.assign(s, { domain: [d0, d1] as const, range: [r0, r1] as const, kind: 'log' as const });
}

export interface Tick {
  value: number;
  label: string;
}

/** A 1-2-5 step giving about `count` intervals over span. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0)) return 1;
  const raw = span / Math.max(1, count);
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

/** Ticks at multiples of a 1-2-5 step inside [min, max]; values rounded to 12 digits (no 0.30000000000000004). */
export function linearTicks(min: number, max: number, count = 5, integer = false): Tick[] {
  if (min === max) return [{ value: min, label: formatNumber(min, 4) }];
  let step = niceStep(max - min, count);
  if (integer) step = Math.max(1, Math.round(step));
  const out: Tick[] = [];
  for (let i = Math.ceil(min / step - 1e-9); i * step <= max + step * 1e-9; i++) {
    const value = Number((i * step).toPrecision(12));
    out.push({ value, label: formatNumber(value, 4) });
  }
  return out;
}

/** [10^floor(log10 lo), 10^ceil(log10 hi)] for positive lo <= hi (one decade around a single value). */
export function niceLogDomain(lo: number, hi: number): [number, number] {
  const a = Math.floor(Math.log10(lo));
  let b = Math.ceil(Math.log10(hi));
  if (a === b) b += 1;
  return [10 ** a, 10 ** b];
}

/** Powers of ten inside [lo, hi] (positive), at most about maxTicks of them (every k-th exponent). */
export function logTicks(lo: number, hi: number, maxTicks = 8): Tick[] {
  const a = Math.ceil(Math.log10(lo) - 1e-9), b = Math.floor(Math.log10(hi) + 1e-9);
  const every = Math.max(1, Math.ceil((b - a + 1) / maxTicks));
  const out: Tick[] = [];
  for (let e = a; e <= b; e++) {
    if ((e - a) % every === 0) out.push({ value: 10 ** e, label: powerOfTenLabel(e) });
  }
  return out;
}
