// loadTorchWeights: a PyTorch state_dict (safetensors) into a matching fused-rnn model. Modules are matched
// to the model's layers in layer order by kind and shape (nn.Embedding ↔ Embedding, nn.Linear ↔ Dense,
// layer K of an nn.LSTM/GRU/RNN with num_layers ↔ the K-th consecutive LSTM/GRU/SimpleRNN or Bidirectional),
// or through an explicit name map. Gate reorders, transposes and bias sums are done here (layout.ts).
import { checkOptions } from '../../options/schema.js';
import { Bidirectional, Dense, Embedding, GRU, LSTM, Recurrent, Sequential, SimpleRNN, type Layer, type Model } from '../../index.js';
import { ModelFileError, UnsupportedModelError } from '../errors.js';
import { readBytes, type ByteSource } from '../source.js';
import { fmtShape, transpose2d, type Tensor } from '../tensor.js';
import { GATES, torchToKeras, type CellKind } from './layout.js';
import { readSafetensors } from './safetensors.js';

/** Options of loadTorchWeights. */
export interface TorchLoadOptions {
  /**
   * fused-rnn layer name → state_dict module prefix (`"encoder.rnn"`); for one layer of a multi-layer
   * nn.LSTM/GRU/RNN add `#K` (`"lstm#1"`). Layers not named are matched in order by kind and shape.
   */
  names?: Record<string, string>;
  /** Fail when a state_dict tensor is left unused (default true). */
  strict?: boolean;
  /** The file name used in messages. */
  name?: string;
}

interface Module {
  prefix: string;
  tensors: Map<string, Tensor>;
  /** Recurrent: layers present (weight_ih_lK) and whether _reverse exists. */
  layers: number;
  bidirectional: boolean;
  used: Set<number>;
}

function groupModules(tensors: Map<string, Tensor>): Map<string, Module> {
  const mods = new Map<string, Module>();
  for (const [name, t] of tensors) {
    const dot = name.lastIndexOf('.');
    const prefix = dot < 0 ? '' : name.slice(0, dot), local = name.slice(dot + 1);
    let m = mods.get(prefix);
    if (!m) { m = { prefix, tensors: new Map(), layers: 0, bidirectional: false, used: new Set() }; mods.set(prefix, m); }
    m.tensors.set(local, t);
    const k = /^weight_ih_l(\d+)(_reverse)?$/.exec(local);
    if (k) { m.layers = Math.max(m.layers, Number(k[1]) + 1); if (k[2]) m.bidirectional = true; }
  }
  return mods;
}

const describeLayer = (l: Layer) => `${l.className} "${l.name}"`;

/**
 * Loads a PyTorch state_dict (safetensors bytes, path or URL) into `model` (built, or with a first-layer
 * inputShape). Supported modules: nn.Embedding, nn.Linear, nn.LSTM / nn.GRU / nn.RNN (any num_layers,
 * bidirectional, batch_first; GRU needs resetAfter: true, PyTorch's formula). All shapes are checked before
 * any weight changes; on an error the model's weights are untouched.
 */
export async function loadTorchWeights(model: Model, source: ByteSource, options: TorchLoadOptions = {}): Promise<void> {
  checkOptions('loadTorchWeights', options); // issue 16: null or non-object options are an OptionError
  const file = options.name ?? (typeof source === 'string' || source instanceof URL ? String(source) : 'state_dict');
  const { tensors } = readSafetensors(await readBytes(source, 'safetensors file'), file);
  if (!model.built && !(model instanceof Sequential)) await model.build(); // a functional model knows its inputs
  if (!model.built) {
    const shape = model.layers[0]?.inputShape;
    if (!shape) throw new UnsupportedModelError(`Sequential "${model.name}"`, 'build the model (or give its first layer an inputShape) before loading weights');
    await model.build(shape);
  }
  const mods = groupModules(tensors);
  const usedNames = new Set<string>();
  const take = (m: Module, local: string, required: boolean): Tensor | null => {
    const t = m.tensors.get(local);
    if (!t) { if (required) throw new ModelFileError(`${file}: ${m.prefix}.${local}`, 'is missing'); return null; }
    usedNames.add(m.prefix ? `${m.prefix}.${local}` : local);
    return t;
  };
  const weights: Array<{ path: string; shape: number[]; data: Float32Array }> = [];
  const entries = model.paramTable.entries;
  const setLayer = (layer: Layer, ts: Tensor[], from: string) => {
    const mine = entries.filter((e) => e.layer === layer.name);
    if (mine.length !== ts.length) throw new ModelFileError(`${file}: ${from}`, `gives ${ts.length} tensors, ${describeLayer(layer)} has ${mine.length}`);
    mine.forEach((e, i) => {
      if (ts[i].shape.join() !== e.shape.join()) throw new ModelFileError(`${file}: ${from}`, `gives ${e.name} of shape ${fmtShape(ts[i].shape)} (Keras layout), ${describeLayer(layer)} needs ${fmtShape(e.shape)}`);
      weights.push({ path: e.path, shape: e.shape.slice(), data: ts[i].data });
    });
  };
  const named = (layer: Layer): { m: Module; k: number } | null => {
    const spec = options.names?.[layer.name];
    if (spec === undefined) return null;
    const [prefix, k] = spec.split('#');
    const m = mods.get(prefix);
    if (!m) throw new ModelFileError(`${file}: module "${prefix}"`, `(named for ${describeLayer(layer)}) is not in the state_dict; modules: ${[...mods.keys()].join(', ')}`);
    return { m, k: k === undefined ? 0 : Number(k) };
  };
  for (const layer of model.layers) {
    if (!entries.some((e) => e.layer === layer.name)) continue;
    if (layer instanceof Embedding || layer instanceof Dense) {
      const isEmb = layer instanceof Embedding;
      const want = isEmb ? [layer.inputDim, layer.outputDim] : null;
      const fits = (m: Module) => {
        const w = m.tensors.get('weight');
        if (!w || w.shape.length !== 2 || m.layers || m.used.size) return false;
        if (isEmb) return !m.tensors.has('bias') && w.shape.join() === want!.join();
        const d = layer as Dense;
        const kernel = entries.find((e) => e.layer === layer.name && e.name === 'kernel')!;
        return w.shape.join() === [d.units, kernel.shape[0]].join() && m.tensors.has('bias') === d.useBias;
      };
      const pick = named(layer)?.m ?? [...mods.values()].find(fits);
      if (!pick) throw new ModelFileError(file, `has no ${isEmb ? 'nn.Embedding' : 'nn.Linear'} module matching ${describeLayer(layer)}; modules: ${[...mods.keys()].join(', ')}`);
      pick.used.add(0);
      const w = take(pick, 'weight', true)!;
      if (isEmb) setLayer(layer, [w], `${pick.prefix}.weight`);
      else {
        const b = (layer as Dense).useBias ? take(pick, 'bias', true) : null;
        if (w.shape.length !== 2) throw new ModelFileError(`${file}: ${pick.prefix}.weight`, `has shape ${fmtShape(w.shape)}, nn.Linear weights are 2-D`);
        setLayer(layer, b ? [transpose2d(w), b] : [transpose2d(w)], `${pick.prefix}.weight`);
      }
      continue;
    }
    const bidi = layer instanceof Bidirectional;
    const inner: Recurrent | null = bidi ? (layer as Bidirectional).forwardLayer : layer instanceof Recurrent ? layer : null;
    if (!inner) throw new UnsupportedModelError(describeLayer(layer), 'has no PyTorch counterpart loadTorchWeights maps (nn.Embedding, nn.Linear, nn.LSTM/GRU/RNN)');
    const cell: CellKind = inner instanceof LSTM ? 'LSTM' : inner instanceof GRU ? 'GRU' : 'SimpleRNN';
    if (inner instanceof GRU && !inner.resetAfter) throw new UnsupportedModelError(describeLayer(layer), 'nn.GRU computes reset_after=True (resetAfter: true); a reset-before GRU cannot take PyTorch weights');
    if ((inner instanceof LSTM || inner instanceof GRU) && (inner.recurrentActivation !== 'sigmoid' || inner.activation !== 'tanh')) {
      throw new UnsupportedModelError(describeLayer(layer), 'PyTorch cells use sigmoid gates and tanh; set recurrentActivation sigmoid and activation tanh');
    }
    if (inner instanceof SimpleRNN && inner.activation !== 'tanh' && inner.activation !== 'relu') throw new UnsupportedModelError(describeLayer(layer), 'nn.RNN has tanh or relu nonlinearity');
    if (inner.goBackwards) throw new UnsupportedModelError(describeLayer(layer), 'goBackwards has no nn.LSTM/GRU/RNN counterpart');
    const H = inner.units, G = GATES[cell] * H;
    // The layer's input width: its first parameter is the kernel (D, G) (the forward one in a Bidirectional).
    const D = entries.find((e) => e.layer === layer.name)!.shape[0];
    const fitsRnn = (m: Module, k: number) => {
      const w = m.tensors.get(`weight_ih_l${k}`);
      return !!w && !m.used.has(k) && m.bidirectional === bidi && w.shape[0] === G && w.shape[1] === D && m.tensors.get(`weight_hh_l${k}`)?.shape.join() === [G, H].join();
    };
    let pick = named(layer);
    if (!pick) {
      for (const m of mods.values()) {
        if (!m.layers) continue;
        const k = [...Array(m.layers).keys()].find((q) => !m.used.has(q));
        if (k !== undefined && fitsRnn(m, k)) { pick = { m, k }; break; }
      }
    }
    if (!pick) throw new ModelFileError(file, `has no ${bidi ? 'bidirectional ' : ''}recurrent layer with ${G} gate rows and hidden size ${H} for ${describeLayer(layer)}; modules: ${[...mods.keys()].join(', ')}`);
    const { m, k } = pick;
    m.used.add(k);
    const dir = (suffix: string) => torchToKeras(cell, H,
      take(m, `weight_ih_l${k}${suffix}`, true)!, take(m, `weight_hh_l${k}${suffix}`, true)!,
      take(m, `bias_ih_l${k}${suffix}`, false), take(m, `bias_hh_l${k}${suffix}`, false));
    setLayer(layer, bidi ? [...dir(''), ...dir('_reverse')] : dir(''), `${m.prefix}.*_l${k}${bidi ? ' (+ _reverse)' : ''}`);
  }
  if (options.strict !== false) {
    const unused = [...tensors.keys()].filter((n) => !usedNames.has(n));
    if (unused.length) throw new ModelFileError(file, `tensors ${unused.join(', ')} match no layer of ${model.className} "${model.name}" (pass strict: false to ignore them)`);
  }
  model.setWeights(weights);
}

export { SimpleRNN };
