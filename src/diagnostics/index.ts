// Gradient diagnostics: analysis of per-time-step gradient norms, remedies, spectral norms, the one-neuron
// linear RNN, SVG pictures, terminal sparklines and the Markdown/HTML report. Pure TypeScript, no wasm and no
// Node APIs, so the web page can use all of it. See docs/diagnostics.md.
export * from './analysis.js';
export * from './format.js';
export * from './linear-rnn.js';
export * from './remedies.js';
export * from './report.js';
export * from './sparkline.js';
export * from './spectral-norm.js';
export * from './stats.js';
export * from './training-summary.js';
export { gradientHeatmap, COLOUR_BAR_STEPS, type HeatmapOptions } from './svg/heatmap.js';
export { gradientNormChart, type LineChartOptions, type LineSeries } from './svg/line-chart.js';
export { lossCurve, type LossCurveOptions, type LossRun } from './svg/loss-curve.js';
export { viridis, ZERO_COLOUR, NONFINITE_COLOUR, SERIES_COLOURS } from './svg/palette.js';
export { esc as escapeXml } from './svg/xml.js';
