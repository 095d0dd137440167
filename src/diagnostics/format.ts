// Compact, deterministic number formatting shared by the reports, the SVG renderers and the sparkline.
// Number.prototype.toPrecision/toFixed are specified exactly by ECMAScript (no engine freedom), so the same
// input gives the same string on every engine.
import { checkArgument } from '../options/schema.js';
import * as is from '../options/specs.js';

/** Any number, NaN and ±Infinity included (they have a rendering). */
const anyNumber = is.custom('a number', (v) => typeof v === 'number');

/**
 * A number in at most `digits` significant digits, shortest form: 0.000123 → "1.23e-4", 20959.155 → "2.1e4"
 * at 2 digits and "20959" at 5; trailing zeros dropped; NaN → "NaN", ±Infinity → "Inf"/"-Inf", -0 → "0".
 * Plain notation for 1e-3 <= |x| < 1e5, exponent notation outside (and whenever toPrecision needs it).
 */
export function formatNumber(x: number, digits = 3): string {
  checkArgument('formatNumber', 'x', x, anyNumber);
  checkArgument('formatNumber', 'digits', digits, is.integer({ min: 1, max: 21 }));
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Inf';
  if (x === -Infinity) return '-Inf';
  if (x === 0) return '0';
  const ax = Math.abs(x);
  if (ax >= 1e-3 && ax < 1e5) {
    const s = x.toPrecision(digits);
    if (!s.includes('e')) return trimZeros(s);
  }
  const [m, e] = x.toExponential(digits - 1).split('e');
  return `${trimZeros(m)}e${e.startsWith('+') ? e.slice(1) : e}`;
}

/** "1.500" → "1.5", "2.000" → "2", "120" stays (only a fractional part is trimmed). */
function trimZeros(s: string): string {
  if (!s.includes('.')) return s;
  return s.replace(/0+$/, '').replace(/\.$/, '');
}

/** A coordinate for SVG: rounded to 2 decimals, no trailing zeros, never "-0". */
export function coord(x: number): string {
  checkArgument('coord', 'x', x, anyNumber);
  const r = Math.round(x * 100) / 100;
  return r === 0 ? '0' : String(r);
}

const SUPERSCRIPT: Record<string, string> = {
  '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹',
};

/** 10^e as a label: 10⁻³, 10⁰, 10¹² (e an integer). */
export function powerOfTenLabel(e: number): string {
  checkArgument('powerOfTenLabel', 'e', e, is.integer());
  return `10${String(e).split('').map((ch) => SUPERSCRIPT[ch] ?? ch).join('')}`;
}

/** A share 0..1 as a percentage with at most 3 significant digits: 0.125 → "12.5%". */
export function formatPercent(share: number): string {
  checkArgument('formatPercent', 'share', share, anyNumber);
  return `${formatNumber(share * 100, 3)}%`;
}
