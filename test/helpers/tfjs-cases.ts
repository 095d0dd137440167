// The stock-vs-fused cases shared by test/tfjs-layers.test.ts (cpu) and test/tfjs-wasm.test.ts (wasm): every
// class and option on B 3, T 6, D 5, H 7 (not multiples of 4). See helpers/tfjs-twins.ts for the comparison.
import { uniform } from './random.js';
import { tf, type TwinCase } from './tfjs-twins.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
export const B = 3, T = 6, D = 5, H = 7;
// tfjs' defaults hardSigmoid and orthogonal (whose chained ops the Node bundles lack) are set explicitly.
export const R = { recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform' } as const;
export const S = { recurrentInitializer: 'glorotUniform' } as const;

export const x = () => tf.tensor3d(uniform(B * T * D, 5), [B, T, D]);
/** x with zeroed (masked) steps: per row, the steps listed are zero. */
export function xMasked(zeroSteps: number[][]) {
  const v = uniform(B * T * D, 6);
  zeroSteps.forEach((steps, b) => steps.forEach((t) => v.fill(0, (b * T + t) * D, (b * T + t + 1) * D)));
  return tf.tensor3d(v, [B, T, D]);
}
export const RIGHT = [[], [4, 5], [1, 2, 3, 4, 5]];
export const LEFT = [[], [0, 1], [0, 1, 2, 3, 4, 5]];
export const GAPS = [[], [2], [0, 5]];

/** input → (optional Masking) → recurrent layer(s) built by `layer(L)`. */
export function seq(name: string, layer: (L: any) => any, opts: { mask?: number[][]; stockPath?: string } = {}): TwinCase {
  return {
    name,
    stockPath: opts.stockPath,
    // tfjs' Masking layer has no gradient for its input (its `any` op), in either model.
    noInputGrads: opts.mask !== undefined,
    inputs: () => [opts.mask ? xMasked(opts.mask) : x()],
    build: (L) => {
      const input = tf.input({ shape: [T, D] });
      const h = opts.mask ? tf.layers.masking({ maskValue: 0 }).apply(input) : input;
      const out = layer(L).apply(h);
      return { inputs: [input], outputs: Array.isArray(out) ? out : [out] };
    },
  };
}

/** A recurrent layer with initial states as extra model inputs, returning its states. */
function withStates(name: string, nStates: number, layer: (L: any) => any): TwinCase {
  return {
    name,
    statesAsInputs: true,
    inputs: () => [x(), ...Array.from({ length: nStates }, (_, i) => tf.tensor2d(uniform(B * H, 40 + i), [B, H]))],
    build: (L) => {
      const input = tf.input({ shape: [T, D] });
      const states = Array.from({ length: nStates }, () => tf.input({ shape: [H] }));
      // Initial states as extra inputs of apply (tfjs' functional executor re-standardizes them this way).
      const out = layer(L).apply([input, ...states]);
      return { inputs: [input, ...states], outputs: out };
    },
  };
}

/** A deterministic dropoutFunc (tfjs calls it with ones and the rate): drops every third unit. */
const dropoutFunc = (ones: any, rate: number) => {
  const n = ones.size;
  const m = Float32Array.from({ length: n }, (_, i) => ((i * 7 + 3) % 3 === 0 ? 0 : 1 / (1 - rate)));
  return tf.mul(ones, tf.tensor(m, ones.shape));
};

export const CASES: TwinCase[] = [
  seq('LSTM(7)', (L) => L.lstm({ units: H, ...R, name: 'rnn' })),
  seq('LSTM(7, seq)', (L) => L.lstm({ units: H, returnSequences: true, ...R, name: 'rnn' })),
  seq('LSTM(7, seq, goBackwards)', (L) => L.lstm({ units: H, returnSequences: true, goBackwards: true, ...R, name: 'rnn' })),
  seq('LSTM(7, goBackwards)', (L) => L.lstm({ units: H, goBackwards: true, ...R, name: 'rnn' })),
  seq('LSTM(7, seq), right-padded mask', (L) => L.lstm({ units: H, returnSequences: true, ...R, name: 'rnn' }), { mask: RIGHT }),
  seq('LSTM(7), left-padded mask', (L) => L.lstm({ units: H, ...R, name: 'rnn' }), { mask: LEFT }),
  seq('LSTM(7, seq, goBackwards), right-padded mask', (L) => L.lstm({ units: H, returnSequences: true, goBackwards: true, ...R, name: 'rnn' }), { mask: RIGHT }),
  seq('LSTM(7, relu, useBias false, unitForgetBias)', (L) => L.lstm({ units: H, activation: 'relu', useBias: false, unitForgetBias: true, ...R, name: 'rnn' })),
  seq('LSTM(7, seq) → LSTM(4)', (L) => ({
    apply: (h: any) => L.lstm({ units: 4, ...R, name: 'rnn2' }).apply(L.lstm({ units: H, returnSequences: true, ...R, name: 'rnn1' }).apply(h)),
  })),
  withStates('LSTM(7, seq, returnState) with initialState [h0, c0]', 2,
    (L) => L.lstm({ units: H, returnSequences: true, returnState: true, ...R, name: 'rnn' })),
  withStates('LSTM(7, goBackwards, returnState) with initialState', 2,
    (L) => L.lstm({ units: H, goBackwards: true, returnState: true, ...R, name: 'rnn' })),
  seq('GRU(7)', (L) => L.gru({ units: H, ...R, name: 'rnn' })),
  seq('GRU(7, seq, goBackwards)', (L) => L.gru({ units: H, returnSequences: true, goBackwards: true, ...R, name: 'rnn' })),
  seq('GRU(7, seq), left-padded mask', (L) => L.gru({ units: H, returnSequences: true, ...R, name: 'rnn' }), { mask: LEFT }),
  seq('GRU(7, relu, useBias false)', (L) => L.gru({ units: H, activation: 'relu', useBias: false, ...R, name: 'rnn' })),
  withStates('GRU(7, seq, returnState) with initialState', 1, (L) => L.gru({ units: H, returnSequences: true, returnState: true, ...R, name: 'rnn' })),
  seq('SimpleRNN(7, seq)', (L) => L.simpleRNN({ units: H, returnSequences: true, ...S, name: 'rnn' })),
  seq('SimpleRNN(7, relu), right-padded mask', (L) => L.simpleRNN({ units: H, activation: 'relu', ...S, name: 'rnn' }), { mask: RIGHT }),
  seq('SimpleRNN(7, goBackwards, linear)', (L) => L.simpleRNN({ units: H, activation: 'linear', goBackwards: true, ...S, name: 'rnn' })),
  withStates('SimpleRNN(7, returnState) with initialState', 1, (L) => L.simpleRNN({ units: H, returnState: true, ...S, name: 'rnn' })),
  ...(['concat', 'sum', 'ave', 'mul'] as const).map((mergeMode) =>
    seq(`Bidirectional(LSTM(7, seq), ${mergeMode})`, (L) => L.bidirectional({ layer: L.lstm({ units: H, returnSequences: true, ...R, name: 'rnn' }), mergeMode, name: 'bi' }))),
  seq('Bidirectional(LSTM(7), concat), right-padded mask', (L) => L.bidirectional({ layer: L.lstm({ units: H, ...R, name: 'rnn' }), name: 'bi' }), { mask: RIGHT }),
  seq('Bidirectional(GRU(7, seq), concat), left-padded mask', (L) => L.bidirectional({ layer: L.gru({ units: H, returnSequences: true, ...R, name: 'rnn' }), name: 'bi' }), { mask: LEFT }),
  seq('Bidirectional(SimpleRNN(7, seq), merge null)', (L) => L.bidirectional({ layer: L.simpleRNN({ units: H, returnSequences: true, ...S, name: 'rnn' }), mergeMode: null, name: 'bi' })),
  seq('Bidirectional(LSTM(7, returnState), concat)', (L) => L.bidirectional({ layer: L.lstm({ units: H, returnState: true, ...R, name: 'rnn' }), name: 'bi' })),
  seq('LSTM(7, seq), dropout 0.3, recurrentDropout 0.4 (deterministic dropoutFunc)',
    (L) => L.lstm({ units: H, returnSequences: true, dropout: 0.3, recurrentDropout: 0.4, dropoutFunc, ...R, name: 'rnn' })),
  seq('SimpleRNN(7), dropout 0.25, recurrentDropout 0.5 (deterministic dropoutFunc)',
    (L) => L.simpleRNN({ units: H, dropout: 0.25, recurrentDropout: 0.5, dropoutFunc, ...S, name: 'rnn' })),
  seq('GRU(7, seq), dropout 0.3 (deterministic dropoutFunc)', (L) => L.gru({ units: H, returnSequences: true, dropout: 0.3, dropoutFunc, ...R, name: 'rnn' })),
  // What the kernels cannot express runs tfjs' per-step code (and still agrees).
  // tfjs' default gate activation hardSigmoid (0.2x + 0.5) runs on the kernels' hard_sigmoid_tfjs.
  seq('LSTM(7, seq) with tfjs default hardSigmoid gates', (L) => L.lstm({ units: H, returnSequences: true, recurrentInitializer: 'glorotUniform', name: 'rnn' })),
  seq('GRU(7, goBackwards) with tfjs default hardSigmoid gates, right-padded mask', (L) => L.gru({ units: H, goBackwards: true, recurrentInitializer: 'glorotUniform', name: 'rnn' }), { mask: RIGHT }),
  seq('LSTM(7) with a softsign gate activation (not a kernel activation)', (L) => L.lstm({ units: H, recurrentActivation: 'softsign', recurrentInitializer: 'glorotUniform', name: 'rnn' }), { stockPath: 'softsign' }),
  seq('LSTM(7, seq), mask with gaps (per-step mask)', (L) => L.lstm({ units: H, returnSequences: true, ...R, name: 'rnn' }), { mask: GAPS }),
  seq('GRU(7, seq, goBackwards), mask with gaps', (L) => L.gru({ units: H, returnSequences: true, goBackwards: true, ...R, name: 'rnn' }), { mask: GAPS }),
  seq('SimpleRNN(7), mask with gaps', (L) => L.simpleRNN({ units: H, ...S, name: 'rnn' }), { mask: GAPS }),
  seq('Bidirectional(LSTM(7, seq), concat), mask with gaps', (L) => L.bidirectional({ layer: L.lstm({ units: H, returnSequences: true, ...R, name: 'rnn' }), name: 'bi' }), { mask: GAPS }),
];

