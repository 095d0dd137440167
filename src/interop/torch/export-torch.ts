// fused-rnn → PyTorch state_dict in safetensors: Embedding → `<name>.weight`; Dense → `<name>.weight`
// (N, D) and `<name>.bias`; each LSTM/GRU/SimpleRNN (or Bidirectional) → one nn.LSTM/GRU/RNN module
// `<name>` with num_layers=1 (`weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`, `_reverse` for the
// backward direction). Stack them in PyTorch as separate modules (or merge same-kind neighbours into one
// num_layers module by renaming _l0 → _lK).
import { Bidirectional, Dense, Dropout, Embedding, GRU, LSTM, Recurrent, Sequential, type Layer, type Model } from '../../index.js';
import { UnsupportedModelError } from '../errors.js';
import { transpose2d, type Tensor } from '../tensor.js';
import { kerasToTorch, type CellKind } from './layout.js';
import { writeSafetensors } from './safetensors.js';

/** The state_dict of a built model as safetensors bytes. */
export function exportSafetensors(model: Model): Uint8Array {
  const all = new Map(model.getWeights().map((w) => [w.path, w]));
  const weightsOf = (l: Layer): Tensor[] => model.paramTable.entries.filter((e) => e.layer === l.name).map((e) => ({ shape: e.shape.slice(), data: all.get(e.path)!.data }));
  const out = new Map<string, Tensor>();
  const key = (l: Layer) => l.name.replace(/[^A-Za-z0-9_]/g, '_');
  for (const l of model.layers) {
    const where = `${l.className} "${l.name}"`;
    if (l instanceof Dropout) continue;
    // A functional model's wiring layers (merges, Masking, RepeatVector) hold no parameters: nothing to write.
    if (!(model instanceof Sequential) && !model.paramTable.entries.some((e) => e.layer === l.name)) continue;
    if (l instanceof Embedding) { out.set(`${key(l)}.weight`, weightsOf(l)[0]); continue; }
    if (l instanceof Dense) {
      const [k, b] = weightsOf(l);
      out.set(`${key(l)}.weight`, transpose2d(k));
      if (b) out.set(`${key(l)}.bias`, b);
      continue;
    }
    const bidi = l instanceof Bidirectional;
    const inner = bidi ? (l as Bidirectional).forwardLayer : l instanceof Recurrent ? l : null;
    if (!inner) throw new UnsupportedModelError(where, 'has no nn module the safetensors export writes (nn.Embedding, nn.Linear, nn.LSTM/GRU/RNN)');
    const cell = inner.className as CellKind;
    if (inner instanceof GRU && !inner.resetAfter) throw new UnsupportedModelError(where, 'a reset-before GRU (resetAfter: false) has no nn.GRU counterpart (PyTorch computes reset_after)');
    if ((inner instanceof LSTM || inner instanceof GRU) && (inner.recurrentActivation !== 'sigmoid' || inner.activation !== 'tanh')) throw new UnsupportedModelError(where, 'nn.LSTM/nn.GRU use sigmoid gates and tanh');
    if (inner.goBackwards) throw new UnsupportedModelError(where, 'goBackwards has no nn.LSTM/GRU/RNN counterpart');
    if (cell === 'SimpleRNN' && inner.activation !== 'tanh' && inner.activation !== 'relu') throw new UnsupportedModelError(where, 'nn.RNN has tanh or relu');
    const ws = weightsOf(l);
    for (let d = 0; d < (bidi ? 2 : 1); d++) {
      const t = kerasToTorch(cell, inner.units, ws[d * 3], ws[d * 3 + 1], ws[d * 3 + 2]);
      const s = d ? '_reverse' : '';
      out.set(`${key(l)}.weight_ih_l0${s}`, t.wih);
      out.set(`${key(l)}.weight_hh_l0${s}`, t.whh);
      out.set(`${key(l)}.bias_ih_l0${s}`, t.bih);
      out.set(`${key(l)}.bias_hh_l0${s}`, t.bhh);
    }
  }
  return writeSafetensors(out);
}
