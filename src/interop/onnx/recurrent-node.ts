// An ONNX LSTM / GRU / RNN node → a recurrent entry (graph-values.ts RnnEntry) and its symbolic outputs
// Y (T, dirs, B, H) or (B, T, dirs, H) for layout 1, Y_h and Y_c (dirs, B, H). Initial states are zeros
// (constants: no state input) or values the graph computes (Unsqueeze(h, 0) of another layer's state, as
// the functional exporters write encoder → decoder states); sequence_lens must be the count of non-zero ids.
import { ModelFileError } from '../errors.js';
import { onnxToKeras } from './graph-plan.js';
import { activationOf, asDyn, need, unsupported, where, type Dyn, type Entry, type Ref, type Val } from './graph-values.js';
import type { OnnxNode } from './proto.js';
import { attr } from './static-ops.js';

/** A state input (1 or dirs, B, H) on the data path → a (B, H) value for commit; null when it is zeros. */
function stateValue(node: OnnxNode, name: string, s: Val | null, dirs: number): Dyn | null {
  if (!s) return null;
  if (s.kind === 'const') {
    if (s.t.data.some((q) => q !== 0)) unsupported(node, `${name} must be zeros, absent, or computed from another layer (fused-rnn layers start from a zero state otherwise)`);
    return null;
  }
  if (s.kind !== 'dyn') unsupported(node, `${name} must be a state computed from another layer`);
  if (dirs !== 1) unsupported(node, `${name} of a bidirectional layer from another layer is not supported`);
  const lead = s.tags[0];
  if (s.tags.length !== 3 || s.tags[1] !== 'B' || s.tags[2] !== 'F' || (lead !== '1' && !(lead === 'L' && s.list?.length === 1))) {
    unsupported(node, `${name} has axes (${s.tags.join(', ')}); expected (1, batch, hidden)`);
  }
  return { kind: 'dyn', tags: ['B', 'F'], shape: s.shape.slice(1), list: null, feat: lead === 'L' ? s.list : s.feat };
}

/** Converts the node; `commit` resolves a data-path value to the entry output it is. */
export function recurrentNode(stack: Entry[], node: OnnxNode, ins: Array<Val | null>, commit: (v: Dyn, consumer: string) => Ref): Dyn[] {
  const [x, Wv, Rv, Bv, lensV, h0, c0, P] = ins;
  const X = asDyn(x, node);
  const layout = attr<number>(node, 'layout', 0);
  const want = layout === 0 ? 'T,B,F' : 'B,T,F';
  if (X.tags.join() !== want) unsupported(node, `input X has axes (${X.tags.join(', ')}), layout ${layout} needs (${want})`);
  const input = commit(X, where(node));
  const W = need(Wv?.kind === 'const' ? Wv.t : null, node, 'W');
  const R = need(Rv?.kind === 'const' ? Rv.t : null, node, 'R');
  const B = Bv?.kind === 'const' ? Bv.t : null;
  if (Bv && Bv.kind !== 'const') unsupported(node, 'B must be a constant');
  if (P && (P.kind !== 'const' || P.t.data.some((q) => q !== 0))) unsupported(node, 'P (peepholes) must be absent or zeros');
  let lensInput = -1;
  if (lensV) {
    if (lensV.kind !== 'lens') unsupported(node, 'sequence_lens must be computed from the ids (count of non-zero ids = mask_zero); other lengths are not supported');
    lensInput = lensV.input;
  }
  const H = attr<number>(node, 'hidden_size', 0);
  const direction = attr<string>(node, 'direction', 'forward');
  const dirs = direction === 'bidirectional' ? 2 : 1;
  if (!['forward', 'reverse', 'bidirectional'].includes(direction)) unsupported(node, `direction "${direction}"`);
  if (node.attributes.some((a) => a.name === 'clip')) unsupported(node, 'cell clipping (clip) is not supported');
  if (attr<number>(node, 'input_forget', 0) !== 0) unsupported(node, 'input_forget = 1 is not supported');
  const cell = node.opType as 'LSTM' | 'GRU' | 'RNN';
  const states: Ref[] = [];
  const hv = stateValue(node, 'initial_h', h0, dirs), cv = cell === 'LSTM' ? stateValue(node, 'initial_c', c0, dirs) : null;
  if (cell === 'LSTM' && (hv === null) !== (cv === null)) unsupported(node, 'initial_h and initial_c must both come from other layers, or both be zeros');
  if (hv && layout !== 0) unsupported(node, 'initial states from other layers with layout = 1 are not supported');
  if (hv) states.push(commit(hv, `${where(node)} initial_h`));
  if (cv) states.push(commit(cv, `${where(node)} initial_c`));
  const nActs = cell === 'LSTM' ? 3 : cell === 'GRU' ? 2 : 1;
  const defaults = cell === 'LSTM' ? ['Sigmoid', 'Tanh', 'Tanh'] : cell === 'GRU' ? ['Sigmoid', 'Tanh'] : ['Tanh'];
  const names = attr<string[]>(node, 'activations', [...defaults, ...(dirs === 2 ? defaults : [])]);
  const alphas = attr<number[]>(node, 'activation_alpha', []), betas = attr<number[]>(node, 'activation_beta', []);
  const acts = names.map((nm, i) => activationOf(nm, alphas[i], betas[i]) ?? unsupported(node, `activation ${nm}${alphas[i] !== undefined ? ` (alpha ${alphas[i]}, beta ${betas[i]})` : ''} is not supported`));
  if (dirs === 2 && acts.slice(0, nActs).join() !== acts.slice(nActs).join()) unsupported(node, 'different activations per direction are not supported');
  let recurrentActivation = 'sigmoid', activation = acts[0];
  if (cell === 'LSTM') {
    recurrentActivation = acts[0]; activation = acts[1];
    if (acts[1] !== acts[2]) unsupported(node, `cell activation ${names[1]} and output activation ${names[2]} differ (Keras uses one activation for both)`);
  } else if (cell === 'GRU') {
    recurrentActivation = acts[0]; activation = acts[1];
  }
  if (!['sigmoid', 'hard_sigmoid', 'hard_sigmoid_tfjs'].includes(recurrentActivation)) unsupported(node, `gate activation ${recurrentActivation} is not supported`);
  const resetAfter = cell === 'GRU' && attr<number>(node, 'linear_before_reset', 0) === 1;
  const G = cell === 'LSTM' ? 4 : cell === 'GRU' ? 3 : 1;
  const D = X.shape[2];
  if (W.dims.join() !== [dirs, G * H, D].join() || R.dims.join() !== [dirs, G * H, H].join() || (B && B.dims.join() !== [dirs, 2 * G * H].join())) {
    throw new ModelFileError(`${where(node)} weights`, `W (${W.dims}), R (${R.dims}), B (${B?.dims ?? 'none'}) do not fit hidden_size ${H}, input width ${D}, ${dirs} direction(s)`);
  }
  const weights = onnxToKeras(cell, W, R, B, dirs, H, D, resetAfter);
  stack.push({ kind: 'rnn', node, cell, H, dirs, reverse: direction === 'reverse', activation, recurrentActivation, resetAfter, weights, lensInput, input, states, uses: new Set() });
  const src = stack.length - 1;
  const list = Array.from({ length: dirs }, (_, d) => ({ src, dir: d }));
  const { B: Bp, T: Tp } = { B: X.shape[layout === 0 ? 1 : 0], T: X.shape[layout === 0 ? 0 : 1] };
  const Y: Dyn = layout === 0
    ? { kind: 'dyn', tags: ['T', 'L', 'B', 'F'], shape: [Tp, dirs, Bp, H], list, feat: null }
    : { kind: 'dyn', tags: ['B', 'T', 'L', 'F'], shape: [Bp, Tp, dirs, H], list, feat: null };
  const Yh: Dyn = layout === 0
    ? { kind: 'dyn', tags: ['L', 'B', 'F'], shape: [dirs, Bp, H], list, feat: null }
    : { kind: 'dyn', tags: ['B', 'L', 'F'], shape: [Bp, dirs, H], list, feat: null };
  const Yc: Dyn = { ...Yh, list: list.map((p) => ({ ...p, cell: true })) };
  // Y_h of a forward layer equals Y at the last step; a masked Y_h is the state at the last valid step.
  return [Y, Yh, Yc];
}
