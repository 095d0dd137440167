// Remedies for vanishing and exploding gradients (the teaching material's list: gradient clipping, LSTM/GRU,
// orthogonal initialisation, ReLU with care, regularisation, shorter sequences / truncated BPTT), each tied to
// what was measured: every `because` quotes the numbers that triggered it. Reasoning: docs/diagnostics.md.
import type { SeriesAnalysis } from './analysis.js';
import { formatNumber, formatPercent } from './format.js';
import { percentiles } from './stats.js';
import { checkArgument } from '../options/schema.js';
import * as is from '../options/specs.js';

/** Identifiers of the remedies remedies() can suggest. */
export type RemedyId =
  | 'gradient-clipping'
  | 'gated-cells'
  | 'forget-gate-bias'
  | 'orthogonal-init'
  | 'relu-with-care'
  | 'regularisation'
  | 'truncated-bptt';

/** One suggested fix for an unhealthy gradient, with the numbers that call for it. */
export interface Remedy {
  id: RemedyId;
  /** What to do, concretely (API names where we have them). */
  text: string;
  /** The measured numbers that call for it. */
  because: string;
}

/** The recurrent cell a remedy is about. */
export type CellKind = 'simple-rnn' | 'lstm' | 'gru';

/** What else is known about the layer and the run; every field is optional and sharpens the advice. */
export interface RemedyContext {
  cell?: CellKind;
  /** The cell's activation ('tanh', 'relu', ...). */
  activation?: string;
  /** Power-iteration estimate of σ_max of the recurrent kernel U (spectral-norm.ts). */
  spectralNorm?: number;
  /** Global gradient norm per training step, BEFORE clipping. */
  globalNorms?: ArrayLike<number>;
  /** The clip threshold in use, if any. */
  clipNorm?: number;
  /** LSTM: mean forget-gate activation over the batch, time and units. */
  forgetGateMean?: number;
}

const f = (x: number) => formatNumber(x, 3);

/** A suggested gradient clip norm from the observed global norms. */
export interface ClipSuggestion {
  /** Suggested global clip norm: the median pre-clip global norm, rounded to 2 significant digits. */
  value: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Finite norms used / non-finite norms seen. */
  count: number;
  nonFinite: number;
  /** Share of the measured steps whose norm exceeds `value`. */
  shareAbove: number;
}

/**
 * A clip value from measured pre-clip global norms: the median (Pascanu, Mikolov & Bengio 2013 set the threshold
 * from the average norm over many updates; the median is that average made robust to the very spikes we clip).
 * Returns null when no finite norm was measured.
 */
export function suggestClipNorm(globalNorms: ArrayLike<number>): ClipSuggestion | null {
  checkArgument('suggestClipNorm', 'globalNorms', globalNorms, is.numbers());
  const [p50, p90, p99, max] = percentiles(globalNorms, [50, 90, 99, 100]);
  if (Number.isNaN(p50)) return null;
  let count = 0, nonFinite = 0, above = 0;
  const value = Number(p50.toPrecision(2));
  for (let i = 0; i < globalNorms.length; i++) {
    const v = globalNorms[i];
    if (!Number.isFinite(v)) { nonFinite++; continue; }
    count++;
    if (v > value) above++;
  }
  return { value, p50, p90, p99, max, count, nonFinite, shareAbove: above / count };
}

/** Steps back after which the fitted trend has changed the gradient by `factor` (e.g. 0.01). */
function stepsToFactor(a: SeriesAnalysis, factor: number): number {
  return Math.log(factor) / Math.log(a.fit.rate);
}

function measured(a: SeriesAnalysis): string {
  const parts = [`‖dL/dh_1‖/‖dL/dh_T‖ = ${f(a.ratio)} over T = ${a.T}`];
  if (Number.isFinite(a.fit.rate)) parts.push(`factor per step back ${f(a.fit.rate)} (×${f(a.fit.per10)} per 10 steps, R² ${f(a.fit.r2)})`);
  if (a.skipped.nonFinite > 0) parts.push(`${a.skipped.nonFinite} NaN/Inf values from t = ${a.skipped.firstNonFiniteAt}`);
  if (a.skipped.nonPositive > 0) parts.push(`${a.skipped.nonPositive} zero values`);
  return parts.join('; ');
}

/** Remedies for the analysed series; [] when the verdict is healthy. Order: most direct first. */
export function remedies(a: SeriesAnalysis, ctx: RemedyContext = {}): Remedy[] {
  checkArgument('remedies', 'a', a, is.custom('an analyzeSeries result', (v) => typeof (v as SeriesAnalysis | null)?.verdict === 'string'));
  checkArgument('remedies', 'ctx', ctx, is.object());
  if (a.verdict === 'exploding') return explodingRemedies(a, ctx);
  if (a.verdict === 'vanishing') return vanishingRemedies(a, ctx);
  return [];
}

function explodingRemedies(a: SeriesAnalysis, ctx: RemedyContext): Remedy[] {
  const out: Remedy[] = [];
  const m = measured(a);
  const sigma = ctx.spectralNorm;
  const sigmaText = sigma !== undefined ? `; σ_max(U) = ${f(sigma)}` : '';

  const clip = ctx.globalNorms ? suggestClipNorm(ctx.globalNorms) : null;
  if (clip) {
    const current = ctx.clipNorm !== undefined ? ` (currently ${f(ctx.clipNorm)})` : '';
    out.push({
      id: 'gradient-clipping',
      text: `Clip the global gradient norm at ${f(clip.value)}${current}: globalClipnorm (Keras) or clipGradNorm (PyTorch form).`,
      because: `${m}; pre-clip global norm over ${clip.count} steps: median ${f(clip.p50)}, p90 ${f(clip.p90)}, `
        + `p99 ${f(clip.p99)}, max ${f(clip.max)} (${f(clip.max / clip.p50)}× the median)`
        + `${clip.nonFinite > 0 ? `, ${clip.nonFinite} non-finite` : ''}; ${formatPercent(clip.shareAbove)} of steps are above ${f(clip.value)}`,
    });
  } else {
    out.push({
      id: 'gradient-clipping',
      text: 'Clip the global gradient norm (globalClipnorm or clipGradNorm) at about the median global norm of '
        + 'healthy steps; record the global norms to get a number.',
      because: m,
    });
  }

  out.push({
    id: 'orthogonal-init',
    text: 'Initialise the recurrent kernel orthogonally (recurrentInitializer: orthogonal, gain <= 1): all its '
      + 'singular values are then 1, so the recurrent product starts norm-preserving.',
    because: sigma !== undefined && sigma > 1
      ? `σ_max(U) = ${f(sigma)} > 1: the linear part of each step back can multiply the gradient by up to ${f(sigma)}; ${m}`
      : `${m}${sigmaText}`,
  });

  if (ctx.activation === 'relu') {
    out.push({
      id: 'relu-with-care',
      text: 'ReLU is unbounded and its derivative is 1 on active units, so nothing damps a recurrent kernel with '
        + 'σ_max > 1: switch to tanh, or keep ReLU with U initialised to a scaled identity (IRNN, scale <= 1) AND clipping.',
      because: `activation relu${sigmaText}; ${m}`,
    });
  }

  out.push({
    id: 'regularisation',
    text: 'Add an L2 penalty on the recurrent kernel (recurrentRegularizer) or weight decay to keep σ_max(U) near or below 1.',
    because: `${m}${sigmaText}`,
  });
  return out;
}

function vanishingRemedies(a: SeriesAnalysis, ctx: RemedyContext): Remedy[] {
  const out: Remedy[] = [];
  const m = measured(a);
  const sigma = ctx.spectralNorm;
  const sigmaText = sigma !== undefined ? `; σ_max(U) = ${f(sigma)}` : '';

  if (ctx.cell === 'lstm') {
    const fg = ctx.forgetGateMean;
    out.push({
      id: 'forget-gate-bias',
      text: 'Keep the LSTM forget gate open: unitForgetBias: true (forget bias 1) so that c_t = f·c_{t−1} + i·g '
        + 'carries the gradient with factor f ≈ 1 per step.',
      because: fg !== undefined
        ? `mean forget gate f = ${f(fg)}: the cell path alone keeps ≈ f^10 = ${f(fg ** 10)} of the gradient over 10 steps; ${m}`
        : m,
    });
  } else if (ctx.cell === 'gru') {
    out.push({
      id: 'gated-cells',
      text: 'The GRU carries h_t = z·h_{t−1} + (1 − z)·n: a bias that keeps the update gate z near 1 on long-range '
        + 'units (or an LSTM with unitForgetBias) lets the gradient pass with factor z per step.',
      because: m,
    });
  } else {
    out.push({
      id: 'gated-cells',
      text: 'Use an LSTM or GRU instead of a SimpleRNN: their additive state path (c_t = f·c_{t−1} + i·g) passes the '
        + 'gradient with a gate factor near 1 instead of through diag(act′)·Uᵀ at every step.',
      because: `${ctx.cell === 'simple-rnn' ? `cell SimpleRNN${ctx.activation ? ` (${ctx.activation})` : ''}; ` : ''}${m}`,
    });
  }

  out.push({
    id: 'orthogonal-init',
    text: 'Initialise the recurrent kernel orthogonally (all singular values 1, the Keras default), so the linear '
      + 'part of each step back preserves the gradient norm.',
    because: sigma !== undefined && sigma < 1
      ? `σ_max(U) = ${f(sigma)} < 1: each step back multiplies the gradient by at most ${f(sigma)}·max|act′| `
        + `(≤ ${f(sigma ** 10)} over 10 steps with tanh′ ≤ 1); ${m}`
      : `${m}${sigmaText}`,
  });

  if (ctx.cell === undefined || ctx.cell === 'simple-rnn') {
    out.push({
      id: 'relu-with-care',
      text: ctx.activation === 'relu'
        ? 'ReLU units that are inactive pass no gradient (derivative 0): check the share of dead units; an identity '
          + 'recurrent initialisation (IRNN) keeps active units passing gradient with factor 1.'
        : 'tanh′ = 1 − tanh² < 1 shrinks the gradient at every step; ReLU has derivative 1 on active units, so a ReLU '
          + 'SimpleRNN with U initialised to the identity (IRNN) can carry gradients far, but it can also explode: '
          + 'use it only together with gradient clipping.',
      because: `${ctx.activation ? `activation ${ctx.activation}; ` : ''}${m}`,
    });
  }

  out.push({
    id: 'regularisation',
    text: 'Lower any L2 / weight decay on the recurrent kernel (it shrinks σ_max(U)); a norm-preserving penalty '
      + '(Pascanu et al. 2013: Σ_t (‖dL/dh_{t−1}‖/‖dL/dh_t‖ − 1)²) pushes the per-step factor towards 1.',
    because: `target factor per step 1, measured ${f(a.fit.rate)}${sigmaText}; ${m}`,
  });

  if (Number.isFinite(a.fit.rate) && a.fit.rate < 1 && a.fit.rate > 0) {
    const n100 = stepsToFactor(a, 0.01);
    const window = Math.max(1, Math.ceil(n100));
    out.push({
      id: 'truncated-bptt',
      text: `Use shorter sequences or truncated BPTT over about ${window} steps (stateful: carry h across chunks): `
        + 'dependencies longer than that receive under 1% of the gradient anyway.',
      because: `the fitted trend loses 10× every ${f(a.fit.stepsPerDecade)} steps and 100× after ${f(n100)} steps, `
        + `while T = ${a.T}; ${m}`,
    });
  } else {
    out.push({
      id: 'truncated-bptt',
      text: 'Use shorter sequences or truncated BPTT so that every dependency the task needs lies within the span '
        + 'that still receives gradient.',
      because: m,
    });
  }
  return out;
}
