// Colours. viridis (perceptually uniform, colour-blind safe, readable in greyscale) as 17 stops of matplotlib's
// 256-entry table (entries 0, 16, ..., 240, 255; the colormap is CC0, by Nathaniel J. Smith, Stefan van der
// Walt and Eric Firing), linearly interpolated in sRGB. Series colours: Okabe & Ito's colour-blind-safe set.
import { checkArgument } from '../../options/schema.js';
import * as is from '../../options/specs.js';

const VIRIDIS_STOPS: ReadonlyArray<readonly [number, string]> = [
  [0, '#440154'], [16, '#48186a'], [32, '#472d7b'], [48, '#424086'], [64, '#3b528b'], [80, '#33638d'],
  [96, '#2c728e'], [112, '#26828e'], [128, '#21918c'], [144, '#1fa088'], [160, '#28ae80'], [176, '#3fbc73'],
  [192, '#5ec962'], [208, '#84d44b'], [224, '#addc30'], [240, '#d8e219'], [255, '#fde725'],
];

const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
const hex2 = (v: number) => Math.round(v).toString(16).padStart(2, '0');

/** viridis(t) for t in [0, 1] (clamped) as "#rrggbb". */
export function viridis(t: number): string {
  checkArgument('viridis', 't', t, is.number());
  const x = Math.min(1, Math.max(0, t)) * 255;
  let i = 0;
  while (i < VIRIDIS_STOPS.length - 2 && VIRIDIS_STOPS[i + 1][0] < x) i++;
  const [x0, c0] = VIRIDIS_STOPS[i], [x1, c1] = VIRIDIS_STOPS[i + 1];
  const u = (x - x0) / (x1 - x0);
  const a = rgb(c0), b = rgb(c1);
  return `#${a.map((v, k) => hex2(v + (b[k] - v) * u)).join('')}`;
}

/** Cells whose value is exactly 0 (log10 = −∞): light grey, outside viridis. */
export const ZERO_COLOUR = '#c8c8c8';
/** Cells whose value is NaN or ±Inf: red, outside viridis. */
export const NONFINITE_COLOUR = '#e8112d';

/** Okabe–Ito: blue, vermillion, bluish green, reddish purple, orange, sky blue, yellow, black. */
export const SERIES_COLOURS: readonly string[] = [
  '#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442', '#000000',
];
/** Dash patterns paired with the colours, so series stay distinct in greyscale print. */
export const SERIES_DASHES: readonly (string | undefined)[] = [undefined, '6 3', '2 2', '8 3 2 3'];

export const seriesColour = (i: number) => SERIES_COLOURS[i % SERIES_COLOURS.length];
export const seriesDash = (i: number) => SERIES_DASHES[i % SERIES_DASHES.length];

export const AXIS_COLOUR = '#333333';
export const GRID_COLOUR = '#e5e5e5';
export const TEXT_COLOUR = '#222222';
