// ONNX Runtime as an oracle (kept here, not in `npm test`: onnxruntime-node is a 113 MB package whose install
// script fails without ONNXRUNTIME_NODE_INSTALL=skip, see docs/peers.md). The same fused-rnn weights go into
// an ONNX LSTM / GRU graph (onnx-model.ts); onnxruntime-node and onnxruntime-web (wasm, 1 thread) must give
// the fused-rnn outputs within 1e-5. Exits non-zero on any mismatch. Run: `npm run oracle:onnx` in bench/peers
// (`npm run bench:peers` runs it first). Legend: N samples, T steps, D input width, H units.
import { Bidirectional, GRU, LSTM, Sequential, loadKernels, type Layer } from '../../src/index.js';
import { uniform } from '../../test/helpers/random.js';
import { buildOnnxRnn, kerasDirections, type OnnxCell } from './onnx-model.js';
import { loadOrt, type OrtName } from './ort.js';

interface OracleCase {
  name: string;
  cell: OnnxCell;
  layer: () => Layer;
  resetAfter?: boolean;
  returnSequences: boolean;
  N: number;
  T: number;
  D: number;
  H: number;
}

// H = 7, D = 5 (not multiples of 4), T = 1 and N = 1 edge cases, and one W3-sized cell.
const CASES: OracleCase[] = [
  { name: 'LSTM(7)', cell: 'lstm', layer: () => new LSTM({ units: 7 }), returnSequences: false, N: 3, T: 6, D: 5, H: 7 },
  { name: 'LSTM(7, seq)', cell: 'lstm', layer: () => new LSTM({ units: 7, returnSequences: true }), returnSequences: true, N: 3, T: 6, D: 5, H: 7 },
  { name: 'LSTM(7), T = 1, N = 1', cell: 'lstm', layer: () => new LSTM({ units: 7 }), returnSequences: false, N: 1, T: 1, D: 5, H: 7 },
  { name: 'GRU(9, resetAfter false) ↔ linear_before_reset 0', cell: 'gru', resetAfter: false, layer: () => new GRU({ units: 9, resetAfter: false, returnSequences: true }), returnSequences: true, N: 3, T: 6, D: 5, H: 9 },
  { name: 'GRU(9, resetAfter true) ↔ linear_before_reset 1', cell: 'gru', resetAfter: true, layer: () => new GRU({ units: 9, returnSequences: true }), returnSequences: true, N: 3, T: 6, D: 5, H: 9 },
  { name: 'GRU(9, resetAfter true), last state', cell: 'gru', resetAfter: true, layer: () => new GRU({ units: 9 }), returnSequences: false, N: 2, T: 4, D: 5, H: 9 },
  { name: 'Bidirectional(LSTM(6, seq)) ↔ direction bidirectional', cell: 'lstm', layer: () => new Bidirectional({ layer: new LSTM({ units: 6, returnSequences: true }) }), returnSequences: true, N: 3, T: 6, D: 5, H: 6 },
  { name: 'LSTM(256) at W3 shape (B 4, T 64, D 64)', cell: 'lstm', layer: () => new LSTM({ units: 256 }), returnSequences: false, N: 4, T: 64, D: 64, H: 256 },
];

export interface OracleRow {
  name: string;
  runtime: OrtName;
  maxAbsDiff: number;
  ok: boolean;
}

export async function runOnnxOracle(runtimes: OrtName[] = ['ort-node', 'ort-web'], atol = 1e-5): Promise<OracleRow[]> {
  const k = await loadKernels();
  const rows: OracleRow[] = [];
  const sessions = await Promise.all(runtimes.map(async (r) => ({ r, ort: await loadOrt(r) })));
  for (const c of CASES) {
    const m = new Sequential([c.layer()], { seed: 1, kernels: k });
    await m.build([c.T, c.D]);
    const scale = 1 / Math.sqrt(c.H);
    m.setWeights(m.getWeights().map((w, i) => ({ ...w, data: uniform(w.data.length, 10 + i, -scale, scale) })));
    const x = uniform(c.N * c.T * c.D, 7, -1, 1);
    const want = (await m.predict({ data: x, shape: [c.N, c.T, c.D] }, { batchSize: c.N })).data;
    const bytes = buildOnnxRnn({ cell: c.cell, D: c.D, H: c.H, resetAfter: c.resetAfter, returnSequences: c.returnSequences, directions: kerasDirections(m.getWeights()) });
    for (const { r, ort } of sessions) {
      const session = await ort.create(bytes);
      const got = await session.run(x, [c.N, c.T, c.D]);
      let maxAbsDiff = got.length === want.length ? 0 : Infinity;
      for (let i = 0; i < want.length && i < got.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(got[i] - want[i]) || (Number.isNaN(got[i] - want[i]) ? Infinity : 0));
      rows.push({ name: c.name, runtime: r, maxAbsDiff, ok: maxAbsDiff <= atol });
      await session.release();
    }
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await runOnnxOracle();
  for (const r of rows) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.runtime.padEnd(8)} ${r.name}: max |fused-rnn − onnxruntime| = ${r.maxAbsDiff.toExponential(2)}`);
  const bad = rows.filter((r) => !r.ok).length;
  console.log(bad ? `${bad} ONNX oracle comparisons failed (atol 1e-5)` : `all ${rows.length} ONNX oracle comparisons within 1e-5`);
  process.exit(bad ? 1 : 0);
}
