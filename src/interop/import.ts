// importModel: any supported source → a built fused-rnn model. The format is detected from the content
// (zip → Keras 3 `.keras`, HDF5 signature → legacy `.h5`, JSON with modelTopology → TF.js, protobuf with a
// graph → ONNX); options.format forces it.
import { checkOptions } from '../options/schema.js';
import type { Kernels, Model, Sequential } from '../index.js';
import { buildModel, type ImportPlan, type LayerMapping } from './assemble.js';
import { ModelFileError } from './errors.js';
import { planKerasFile } from './keras/keras-file.js';
import { planLegacyH5 } from './keras/legacy-h5.js';
import { parseTfjsModelJson, planTfjs, type TfjsModelJson } from './keras/tfjs-model.js';
import { planOnnx } from './onnx/import-graph.js';
import { readBytes, resolveBeside, type ByteSource } from './source.js';

/** Formats importModel reads. */
export type ImportFormat = 'keras' | 'h5' | 'tfjs' | 'onnx';

/** A TF.js model given as its parts: model.json (text or parsed) and the shard bytes. */
export interface TfjsParts {
  modelJson: string | TfjsModelJson;
  /** One buffer holding every shard in manifest order, or the shards by manifest path. */
  weights: Uint8Array | ArrayBuffer | Record<string, Uint8Array | ArrayBuffer>;
}

/** What importModel accepts: bytes, a path (Node), a URL, or TF.js parts. */
export type ModelSource = ByteSource | TfjsParts;

/** Options of importModel. */
export interface ImportOptions {
  /** Skip detection and read the source as this format. */
  format?: ImportFormat;
  /** Kernels instance for the model (default: the model loads its own on build). */
  kernels?: Kernels;
  /**
   * TF.js shards by manifest path when model.json comes as bytes (e.g. dropped files in a browser); by default
   * shards are read beside the model.json path/URL.
   */
  shards?: Record<string, Uint8Array | ArrayBuffer>;
  /**
   * ONNX: the graph output(s) to import, by name (default: every output; several outputs give a functional
   * Model with the outputs in this order).
   */
  output?: string | string[];
  /** The file name used in messages (default: the path/URL, or "model"). */
  name?: string;
}

/** The result of importDetailed: the model, the detected format and the layer mapping table. */
export interface ImportResult<M extends Model = Sequential> {
  /** A Sequential model, or a functional Model for sources that are not one chain (Keras/TF.js functional models, ONNX graphs with several inputs, outputs or branches; type it: importDetailed<Model>). */
  model: M;
  format: ImportFormat;
  /** One row per source layer: source → fused-rnn layer, parameter count. */
  layers: LayerMapping[];
}

const u8 = (b: Uint8Array | ArrayBuffer): Uint8Array => (b instanceof Uint8Array ? b : new Uint8Array(b));

/** The format of a file from its first bytes, or null when unknown. */
export function detectFormat(bytes: Uint8Array): ImportFormat | null {
  if (!(bytes instanceof Uint8Array)) throw new ModelFileError('detectFormat', `bytes must be a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`); // issue 16
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'keras';
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x48 && bytes[2] === 0x44 && bytes[3] === 0x46) return 'h5';
  let i = 0;
  while (i < bytes.length && i < 64 && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09 || bytes[i] === 0xef || bytes[i] === 0xbb || bytes[i] === 0xbf)) i++;
  if (bytes[i] === 0x7b) return 'tfjs';
  // ONNX ModelProto starts with field 1 (ir_version, varint: 0x08) or another small field tag.
  if (bytes.length >= 2 && (bytes[0] === 0x08 || bytes[0] === 0x12 || bytes[0] === 0x1a || bytes[0] === 0x3a || bytes[0] === 0x42)) return 'onnx';
  return null;
}

function isTfjsParts(s: ModelSource): s is TfjsParts {
  return typeof s === 'object' && s !== null && !(s instanceof Uint8Array) && !(s instanceof ArrayBuffer) && !(s instanceof URL) && 'modelJson' in s;
}

async function tfjsShards(json: TfjsModelJson, source: ModelSource, options: ImportOptions, file: string): Promise<Map<string, Uint8Array>> {
  const paths = json.weightsManifest.flatMap((g) => g.paths);
  const shards = new Map<string, Uint8Array>();
  const given = isTfjsParts(source) ? source.weights : options.shards;
  if (given instanceof Uint8Array || given instanceof ArrayBuffer) {
    // One buffer with every shard back to back: split it by the manifest's byte counts.
    const all = u8(given);
    let o = 0;
    for (const g of json.weightsManifest) {
      const bytes = g.weights.reduce((a, w) => a + w.shape.reduce((x, y) => x * y, 1) * 4, 0);
      const part = all.subarray(o, o + bytes);
      o += bytes;
      g.paths.forEach((p, i) => shards.set(p, i === 0 ? part : new Uint8Array(0)));
    }
    return shards;
  }
  if (given) {
    for (const p of paths) {
      const b = given[p] ?? given[p.split('/').pop()!];
      if (!b) throw new ModelFileError(`${file}: shard ${p}`, `is missing (given: ${Object.keys(given).join(', ') || 'none'})`);
      shards.set(p, u8(b));
    }
    return shards;
  }
  if (typeof source !== 'string' && !(source instanceof URL)) throw new ModelFileError(`${file}: shards ${paths.join(', ')}`, 'are missing: model.json came as bytes; pass options.shards or { modelJson, weights }');
  for (const p of paths) shards.set(p, await readBytes(await resolveBeside(source, p), `TF.js weight shard ${p}`));
  return shards;
}

/**
 * Imports a model with its layer mapping. See importModel for sources and errors.
 */
export async function importDetailed<M extends Model = Sequential>(source: ModelSource, options: ImportOptions = {}): Promise<ImportResult<M>> {
  checkOptions('importDetailed', options); // issue 16: null or non-object options are an OptionError
  const file = options.name ?? (typeof source === 'string' || source instanceof URL ? String(source) : 'model');
  let plan: ImportPlan;
  let format: ImportFormat;
  if (isTfjsParts(source)) {
    format = 'tfjs';
    const json = typeof source.modelJson === 'string' ? parseTfjsModelJson(source.modelJson, file) : source.modelJson;
    plan = planTfjs(json, await tfjsShards(json, source, options, file), file);
  } else {
    const bytes = await readBytes(source);
    const detected = options.format ?? detectFormat(bytes);
    if (!detected) throw new ModelFileError(file, 'is not a model file fused-rnn can read (not a .keras zip, HDF5, TF.js model.json or ONNX protobuf)');
    format = detected;
    switch (detected) {
      case 'keras': plan = await planKerasFile(bytes, file); break;
      case 'h5': plan = await planLegacyH5(bytes, file); break;
      case 'tfjs': {
        const json = parseTfjsModelJson(bytes, file);
        plan = planTfjs(json, await tfjsShards(json, source, options, file), file);
        break;
      }
      case 'onnx': plan = await planOnnx(bytes, file, options.output); break;
      default: throw new ModelFileError(file, `unknown format ${JSON.stringify(detected)} (keras, h5, tfjs, onnx)`);
    }
  }
  const { model, mapping } = await buildModel(plan, options.kernels);
  return { model: model as M, format, layers: mapping };
}

/**
 * Imports a recurrent model from Keras 3 `.keras`, legacy Keras `.h5` (Keras 2 or 3), a TF.js layers model
 * (model.json + shards) or ONNX (LSTM/GRU/RNN graphs as torch.onnx.export and tf2onnx write them) into a
 * built fused-rnn model that predicts as the source framework does: a Sequential for Sequential sources (and
 * functional models or ONNX graphs that are one chain), a functional Model otherwise (write
 * importModel<Model>(...)). ONNX: every graph output unless `options.output` names some.
 *
 * `source`: bytes, a file path (Node), a URL, or `{ modelJson, weights }` for TF.js. For a TF.js model.json
 * path or URL the shards are read beside it. The format is detected from the content unless
 * `options.format` is given.
 *
 * Throws UnsupportedModelError (naming the layer or ONNX node and what is unsupported) or ModelFileError
 * (naming the damaged part: zip entry, HDF5 path, shard, tensor); no model is returned half-loaded.
 */
export async function importModel<M extends Model = Sequential>(source: ModelSource, options: ImportOptions = {}): Promise<M> {
  checkOptions('importModel', options); // issue 16: null or non-object options are an OptionError
  return (await importDetailed<M>(source, options)).model;
}
