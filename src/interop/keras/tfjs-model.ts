// TF.js layers models: model.json = {format: "layers-model", modelTopology (Keras-2-style config),
// weightsManifest: [{paths, weights: [{name, shape, dtype}]}]}; the shards are raw little-endian data,
// concatenated in manifest order. TF.js semantics: hard_sigmoid = clip(0.2x + 0.5, 0, 1), GRU reset_after
// False unless the config says otherwise.
import type { ImportPlan } from '../assemble.js';
import { ModelFileError } from '../errors.js';
import { sizeOfShape, type Tensor } from '../tensor.js';
import { describe } from './layers.js';
import { kerasModelLayers, type KerasModelSpec } from './model-config.js';
import { planFromVars } from './plan.js';

/** A TF.js weights manifest group. */
export interface TfjsManifestGroup {
  paths: string[];
  weights: Array<{ name: string; shape: number[]; dtype: string; quantization?: unknown }>;
}

/** The parsed model.json of a TF.js layers model. */
export interface TfjsModelJson {
  format?: string;
  modelTopology: KerasModelSpec | { model_config: KerasModelSpec };
  weightsManifest: TfjsManifestGroup[];
  [key: string]: unknown;
}

/** Splits the shards into named tensors (ModelFileError naming the shard or the tensor when short). */
export function readTfjsWeights(json: TfjsModelJson, shards: Map<string, Uint8Array>, file: string): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const group of json.weightsManifest ?? []) {
    const parts = group.paths.map((p) => {
      const s = shards.get(p);
      if (!s) throw new ModelFileError(`${file}: shard ${p}`, 'is missing');
      return s;
    });
    const total = parts.reduce((a, p) => a + p.length, 0);
    const bytes = new Uint8Array(total);
    let o = 0;
    for (const p of parts) { bytes.set(p, o); o += p.length; }
    let offset = 0;
    for (const w of group.weights) {
      if (w.quantization) throw new ModelFileError(`${file}: weight ${w.name}`, 'is quantized; fused-rnn imports float32 weights only');
      const n = sizeOfShape(w.shape);
      const width = w.dtype === 'float32' || w.dtype === 'int32' ? 4 : 0;
      if (!width) throw new ModelFileError(`${file}: weight ${w.name}`, `has dtype ${w.dtype}; float32 expected`);
      if (offset + n * width > total) {
        throw new ModelFileError(`${file}: weight ${w.name}`, `needs bytes ${offset}..${offset + n * width} but the shards of its group (${group.paths.join(', ')}) hold ${total} bytes (truncated shard?)`);
      }
      const view = new DataView(bytes.buffer, bytes.byteOffset + offset, n * 4);
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = w.dtype === 'int32' ? view.getInt32(i * 4, true) : view.getFloat32(i * 4, true);
      out.set(w.name, { shape: w.shape.slice(), data });
      offset += n * width;
    }
    if (offset !== total) throw new ModelFileError(`${file}: shards ${group.paths.join(', ')}`, `hold ${total} bytes, the manifest describes ${offset}`);
  }
  return out;
}

/** Parses model.json text; ModelFileError when it is not a TF.js layers model. */
export function parseTfjsModelJson(text: string | Uint8Array, file: string): TfjsModelJson {
  let json: TfjsModelJson;
  try {
    json = JSON.parse(typeof text === 'string' ? text : new TextDecoder().decode(text)) as TfjsModelJson;
  } catch (e) {
    throw new ModelFileError(file, `is not valid JSON: ${(e as Error).message}`);
  }
  if (!json || typeof json !== 'object' || !json.modelTopology) throw new ModelFileError(file, 'has no modelTopology: not a TF.js layers model');
  if (json.format && json.format !== 'layers-model') throw new ModelFileError(file, `has format "${json.format}"; only TF.js layers models ("layers-model") are supported`);
  if (!Array.isArray(json.weightsManifest)) throw new ModelFileError(file, 'has no weightsManifest');
  return json;
}

/** A TF.js layers model (parsed model.json + shard bytes by manifest path) → an import plan. */
export function planTfjs(json: TfjsModelJson, shards: Map<string, Uint8Array>, file: string): ImportPlan {
  const topo = 'model_config' in json.modelTopology ? json.modelTopology.model_config : json.modelTopology;
  const parsed = kerasModelLayers(topo, 'tfjs', `${file}:modelTopology`);
  const weights = readTfjsWeights(json, shards, file);
  const names = [...weights.keys()];
  return planFromVars(parsed, (conv) => {
    const prefix = `${String(conv.spec.config.name)}/`;
    const mine = names.filter((n) => n.startsWith(prefix));
    if (mine.length === 0) throw new ModelFileError(`${file}: weights of ${describe(conv.spec)}`, `are missing from the manifest (no weight named ${prefix}...)`);
    return mine.map((n) => ({ name: n, tensor: weights.get(n)! }));
  });
}
