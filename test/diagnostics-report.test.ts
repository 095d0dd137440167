// The Markdown and HTML reports: the per-layer table with the measured numbers, reasons, sparkline, training
// summary, remedies with their "because", the linear-RNN table, figures linked (Markdown) or inline (HTML); the
// HTML page is self-contained, well-formed XML (saxes) and escapes text. Writes test-artifacts/diagnostics/report.*.
import { mkdirSync, writeFileSync } from 'node:fs';
import { SaxesParser } from 'saxes';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  analyzeSeries, gradientHeatmap, gradientNormChart, htmlReport, linearRnnTable, lossCurve, markdownReport,
  summarizeTraining, type ReportInput,
} from '../src/diagnostics/index.js';

const ART = 'test-artifacts/diagnostics';
mkdirSync(ART, { recursive: true });

const geometric = (r: number, T: number) => Array.from({ length: T }, (_, i) => r ** (T - 1 - i));

function input(): ReportInput {
  const rows = Array.from({ length: 6 }, (_, s) => geometric(0.8 + 0.002 * s, 50));
  const summary = summarizeTraining(rows);
  const lstmNorms = geometric(0.99, 50);
  return {
    title: 'Gradient report <adding problem> & friends',
    intro: ['Adding problem, T = 50, batch 32, seed 1.'],
    layers: [
      { name: 'simple_rnn', cell: 'simple-rnn', activation: 'tanh', analysis: summary.overall, norms: summary.profile, summary, spectralNorm: 0.83 },
      { name: 'lstm', cell: 'lstm', analysis: analyzeSeries(lstmNorms), norms: lstmNorms },
    ],
    linearRnn: linearRnnTable(),
    figures: [
      { title: 'Heatmap', svg: gradientHeatmap(rows), file: 'heatmap.svg', caption: 'log10 ‖dL/dh_t‖, SimpleRNN' },
      { title: 'Norm by step', svg: gradientNormChart([{ name: 'SimpleRNN', values: summary.profile }, { name: 'LSTM', values: lstmNorms }]), file: 'lines.svg' },
      { title: 'Loss', svg: lossCurve([{ name: 'run', loss: [1, 0.8, 0.7], clipSteps: [2] }]) },
    ],
    notes: ['Measured on 2 cores.'],
  };
}

test('Markdown: layer table with numbers, reasons, sparkline, training summary, remedies, linear RNN, figures', () => {
  const md = markdownReport(input());
  writeFileSync(`${ART}/report.md`, md);
  assert.ok(md.startsWith('# Gradient report <adding problem> & friends\n\nAdding problem, T = 50'));
  assert.match(md, '| layer | cell | T | g_1 | g_T | ratio g_1/g_T | factor/step | ×/10 steps | R² | zeros | NaN/Inf | σ_max(U) | verdict |');
  // SimpleRNN profile: geometric mean of 0.8..0.81 per step → factor (Π r_s)^(1/6)
  const factor = Math.exp(geometric(1, 6).map((_, s) => Math.log(0.8 + 0.002 * s)).reduce((a, b) => a + b) / 6);
  const row = md.split('\n').find((l) => l.startsWith('| simple_rnn |'))!;
  assert.ok(row, md);
  const cells = row.split('|').map((c) => c.trim());
  assert.is(cells[3], '50');
  assert.is(Number(cells[7]), Number(factor.toPrecision(3)));
  assert.is(cells[12], '0.83');
  assert.is(cells[13], 'vanishing');
  assert.match(md, '| lstm | lstm | 50 | 0.611 | 1 | 0.611 | 0.99 | 0.904 | 1 | 0 | 0 |  | healthy |');
  assert.match(md, '### simple_rnn: vanishing');
  assert.match(md, /```\ng_t, t = 1\.\.50: ▁.*█  min .* \(t=1\)  max 1 \(t=50\)  log\n```/);
  assert.match(md, 'Over 6 recorded training steps: 6 vanishing, 0 exploding, 0 healthy (0 with NaN/Inf).');
  assert.match(md, '- gated-cells: Use an LSTM or GRU');
  assert.match(md, 'Because: cell SimpleRNN (tanh); ‖dL/dh_1‖/‖dL/dh_T‖ = ');
  assert.match(md, 'σ_max(U) = 0.83 < 1');
  assert.not.match(md.split('### lstm')[1], 'Remedies', 'a healthy layer gets no remedies');
  assert.match(md, '| 1.01 | 20959 | 20959 | 2.0752e7 | 2.0752e7 | 2.3e-14 | 20752 | exploding |');
  assert.match(md, '![Heatmap](heatmap.svg)\n\n*log10 ‖dL/dh_t‖, SimpleRNN*');
  assert.match(md, '**Loss** (SVG inline in the HTML report)');
  assert.ok(md.endsWith('Measured on 2 cores.\n'));
  assert.is(markdownReport(input()), md, 'deterministic');
});

test('HTML: self-contained, well-formed XML, figures inline, text escaped', () => {
  const html = htmlReport(input());
  writeFileSync(`${ART}/report.html`, html);
  const parser = new SaxesParser();
  const names: string[] = [];
  let svgDepth = 0, svgs = 0, h1 = '';
  let inH1 = false;
  parser.on('opentag', (t) => {
    names.push(t.name);
    if (t.name === 'svg') { if (svgDepth === 0) svgs++; svgDepth++; }
    if (t.name === 'h1') inH1 = true;
  });
  parser.on('closetag', (t) => { if (t.name === 'svg') svgDepth--; if (t.name === 'h1') inH1 = false; });
  parser.on('text', (s) => { if (inH1) h1 += s; });
  parser.write(html).close(); // throws on any well-formedness error
  assert.ok(html.startsWith('<!DOCTYPE html>\n<html lang="en">'));
  assert.is(svgs, 3);
  assert.is(names.filter((n) => n === 'figure').length, 3);
  assert.is(names.filter((n) => n === 'table').length, 2);
  assert.is(h1, 'Gradient report <adding problem> & friends');
  assert.match(html, '<title>Gradient report &lt;adding problem&gt; &amp; friends</title>');
  // self-contained: nothing loaded from elsewhere (the only URL is the SVG namespace)
  assert.not.match(html, /\s(src|href)=/);
  assert.is(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '').includes('http'), false);
  assert.match(html, '<td class="r">0.83</td>');
  assert.is(htmlReport(input()), html, 'deterministic');
});

test('an empty report is just the title', () => {
  assert.is(markdownReport({ title: 'Nothing' }), '# Nothing\n');
  assert.match(htmlReport({ title: 'Nothing' }), '<body>\n<h1>Nothing</h1>\n</body>');
});

test.run();
