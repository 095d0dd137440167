// The gradient report: analysis results, remedies, the linear-RNN table and figures, written once as a list of
// blocks and rendered to Markdown (figures linked by file name) or to one self-contained HTML page (figures
// inline as SVG). Numbers, not adjectives: every statement carries the measured value.
import type { SeriesAnalysis } from './analysis.js';
import { formatNumber } from './format.js';
import type { LinearRnnResult } from './linear-rnn.js';
import { remedies as remediesFor, type CellKind, type ClipSuggestion, type Remedy } from './remedies.js';
import { sparkline } from './sparkline.js';
import { esc } from './svg/xml.js';
import type { TrainingSummary } from './training-summary.js';
import { checkArgument } from '../options/schema.js';
import * as is from '../options/specs.js';

/** One layer's section of a diagnostics report. */
export interface LayerDiagnostics {
  /** Layer name, e.g. "simple_rnn_1". */
  name: string;
  cell?: CellKind;
  activation?: string;
  /** The series to report (a single step's, or `summary.overall`). */
  analysis: SeriesAnalysis;
  /** The analysed norms g_1..g_T, for the sparkline. */
  norms?: ArrayLike<number>;
  /** Default: remedies(analysis, {cell, activation, spectralNorm}). */
  remedies?: Remedy[];
  summary?: TrainingSummary;
  /** σ_max of the recurrent kernel. */
  spectralNorm?: number;
  clip?: ClipSuggestion | null;
}

/** An SVG figure a report embeds or links. */
export interface Figure {
  title: string;
  /** The SVG document (from svg/*.ts). */
  svg: string;
  /** File name the Markdown links to (the caller writes the SVG there). */
  file?: string;
  caption?: string;
}

/** Everything markdownReport / htmlReport render. */
export interface ReportInput {
  title: string;
  /** Paragraphs before the first section. */
  intro?: string[];
  layers?: LayerDiagnostics[];
  linearRnn?: LinearRnnResult[];
  figures?: Figure[];
  /** Paragraphs at the end (setup, seeds, timings). */
  notes?: string[];
}

type Block =
  | { kind: 'h'; level: 1 | 2 | 3; text: string }
  | { kind: 'p'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'table'; head: string[]; rows: string[][]; align?: ('l' | 'r')[] }
  | { kind: 'pre'; text: string }
  | { kind: 'figure'; figure: Figure };

const f = (x: number) => formatNumber(x, 3);

function layerRow(l: LayerDiagnostics): string[] {
  const a = l.analysis;
  return [
    l.name, l.cell ?? '', String(a.T), f(a.first), f(a.last), f(a.ratio), f(a.fit.rate), f(a.fit.per10), f(a.fit.r2),
    String(a.skipped.nonPositive), String(a.skipped.nonFinite), l.spectralNorm === undefined ? '' : f(l.spectralNorm), a.verdict,
  ];
}

/** The report's input: an object with a string title and arrays where lists are expected. */
function checkReportInput(owner: string, input: unknown): void {
  checkArgument(owner, 'input', input, is.object('a report input { title, intro?, layers?, linearRnn?, figures?, notes? }'));
  const o = input as Record<string, unknown>;
  checkArgument(owner, 'input.title', o.title, is.string());
  for (const key of ['intro', 'layers', 'linearRnn', 'figures', 'notes']) checkArgument(owner, `input.${key}`, o[key], is.optional(is.arrayOf(key === 'intro' || key === 'notes' ? is.string() : is.object())));
}

function blocks(input: ReportInput): Block[] {
  const out: Block[] = [{ kind: 'h', level: 1, text: input.title }];
  for (const p of input.intro ?? []) out.push({ kind: 'p', text: p });

  const layers = input.layers ?? [];
  if (layers.length > 0) {
    out.push({ kind: 'h', level: 2, text: 'Gradient flow through time, per layer' });
    out.push({
      kind: 'p',
      text: 'g_t = ‖dL/dh_t‖ with the loss at t = T. ratio = g_1/g_T; factor = fitted g_{t−1}/g_t per step back '
        + '(least squares on ln g_t); thresholds in docs/diagnostics.md.',
    });
    out.push({
      kind: 'table',
      head: ['layer', 'cell', 'T', 'g_1', 'g_T', 'ratio g_1/g_T', 'factor/step', '×/10 steps', 'R²', 'zeros', 'NaN/Inf', 'σ_max(U)', 'verdict'],
      rows: layers.map(layerRow),
      align: ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
    });
    for (const l of layers) {
      out.push({ kind: 'h', level: 3, text: `${l.name}: ${l.analysis.verdict}` });
      out.push({ kind: 'list', items: l.analysis.reasons });
      if (l.norms) out.push({ kind: 'pre', text: `g_t, t = 1..${l.norms.length}: ${sparkline(l.norms)}` });
      const s = l.summary;
      if (s) {
        const t = s.ratioTrend;
        out.push({
          kind: 'p',
          text: `Over ${s.steps} recorded training steps: ${s.verdictCounts.vanishing} vanishing, ${s.verdictCounts.exploding} `
            + `exploding, ${s.verdictCounts.healthy} healthy (${s.nonFiniteRows} with NaN/Inf). Ratio g_1/g_T: first `
            + `${f(t.first)}, last ${f(t.last)}, median ${f(t.median)}; trend ×${f(t.factorPer100Steps)} per 100 training `
            + `steps (R² ${f(t.r2)}, ${t.points} steps fitted).`,
        });
      }
      const rem = l.remedies ?? remediesFor(l.analysis, { cell: l.cell, activation: l.activation, spectralNorm: l.spectralNorm });
      if (rem.length > 0) {
        out.push({ kind: 'p', text: 'Remedies, each with the measurement behind it:' });
        out.push({ kind: 'list', items: rem.map((r) => `${r.id}: ${r.text} Because: ${r.because}.`) });
      }
    }
  }

  const lin = input.linearRnn ?? [];
  if (lin.length > 0) {
    const T = lin[0].T;
    out.push({ kind: 'h', level: 2, text: 'One-neuron linear RNN' });
    out.push({
      kind: 'p',
      text: `h_t = w·h_{t−1} + x_t, h_0 = ${lin[0].h0}, zero input, T = ${T}, L = y = h_T, computed in f64. `
        + 'dL/dw by backprop through time and by the closed form T·w^(T−1)·h_0; ‖dL/dh_1‖ = |w|^(T−1).',
    });
    out.push({
      kind: 'table',
      head: ['w', 'y = h_T', 'w^T·h_0', 'dL/dw (BPTT)', 'closed form', 'rel. diff', '‖dL/dh_1‖', 'verdict'],
      rows: lin.map((r) => [String(r.w), formatNumber(r.y, 5), formatNumber(r.yClosedForm, 5), formatNumber(r.dLdw, 5),
        formatNumber(r.dLdwClosedForm, 5), f(r.dLdwRelDiff), formatNumber(r.gradNorms[0], 5), r.analysis.verdict]),
      align: ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
    });
  }

  const figs = input.figures ?? [];
  if (figs.length > 0) {
    out.push({ kind: 'h', level: 2, text: 'Figures' });
    for (const fig of figs) out.push({ kind: 'figure', figure: fig });
  }
  for (const p of input.notes ?? []) out.push({ kind: 'p', text: p });
  return out;
}

// ---- Markdown

const mdCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The report as Markdown; figures appear as image links to `figure.file` (figures without a file are listed by title). */
export function markdownReport(input: ReportInput): string {
  checkReportInput('markdownReport', input);
  const out: string[] = [];
  for (const b of blocks(input)) {
    switch (b.kind) {
      case 'h': out.push(`${'#'.repeat(b.level)} ${b.text}`); break;
      case 'p': out.push(b.text); break;
      case 'list': out.push(b.items.map((i) => `- ${i}`).join('\n')); break;
      case 'pre': out.push(`\`\`\`\n${b.text}\n\`\`\``); break;
      case 'table': {
        const sep = b.head.map((_, i) => (b.align?.[i] === 'r' ? '---:' : '---'));
        out.push([b.head, sep, ...b.rows].map((r) => `| ${r.map(mdCell).join(' | ')} |`).join('\n'));
        break;
      }
      case 'figure': {
        const fig = b.figure;
        out.push(fig.file ? `![${fig.title}](${fig.file})` : `**${fig.title}** (SVG inline in the HTML report)`);
        if (fig.caption) out.push(`*${fig.caption}*`);
        break;
      }
    }
  }
  return `${out.join('\n\n')}\n`;
}

// ---- HTML

const STYLE = 'body{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;max-width:1000px;'
  + 'margin:2em auto;padding:0 1em;color:#222;line-height:1.45}table{border-collapse:collapse;margin:1em 0;'
  + 'font-size:0.9em}th,td{border:1px solid #ccc;padding:3px 7px}td.r,th.r{text-align:right;'
  + 'font-variant-numeric:tabular-nums}pre{background:#f5f5f5;padding:0.6em;overflow-x:auto}figure{margin:1.5em 0}'
  + 'figure svg{max-width:100%;height:auto}figcaption{color:#555;font-size:0.9em}';

/** The report as one self-contained HTML page (no external resources; SVGs inline), also well-formed XML. */
export function htmlReport(input: ReportInput): string {
  checkReportInput('htmlReport', input);
  const out: string[] = [];
  for (const b of blocks(input)) {
    switch (b.kind) {
      case 'h': out.push(`<h${b.level}>${esc(b.text)}</h${b.level}>`); break;
      case 'p': out.push(`<p>${esc(b.text)}</p>`); break;
      case 'list': out.push(`<ul>${b.items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>`); break;
      case 'pre': out.push(`<pre>${esc(b.text)}</pre>`); break;
      case 'table': {
        const cls = (i: number) => (b.align?.[i] === 'r' ? ' class="r"' : '');
        const head = `<tr>${b.head.map((h, i) => `<th${cls(i)}>${esc(h)}</th>`).join('')}</tr>`;
        const rows = b.rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${esc(c)}</td>`).join('')}</tr>`).join('\n');
        out.push(`<table>\n<thead>${head}</thead>\n<tbody>\n${rows}\n</tbody>\n</table>`);
        break;
      }
      case 'figure': {
        const fig = b.figure;
        out.push(`<figure>\n${fig.svg}\n<figcaption>${esc(fig.caption ?? fig.title)}</figcaption>\n</figure>`);
        break;
      }
    }
  }
  return `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8"/>\n<meta name="viewport" content="width=device-width, initial-scale=1"/>\n`
    + `<title>${esc(input.title)}</title>\n<style>${STYLE}</style>\n</head>\n<body>\n${out.join('\n')}\n</body>\n</html>\n`;
}
