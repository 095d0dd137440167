// The native checkpoint (DESIGN.md §8, docs/checkpoint-format.md): a JSON manifest (format version, model
// and compile config, every tensor's path, Keras shape, dtype, byte offset and length) plus ONE
// little-endian blob, and (version 2) ONE CRC-32 over the manifest and the blob together, so an edit or a
// bit flip anywhere is caught. Two containers share it:
//   directory:   DIR/model.json (manifest) + DIR/weights.bin (blob)
//   single file: "FRNN" | u32 version | u32 manifest bytes M | manifest (UTF-8) | zero pad to 4 | blob
// This module is platform-neutral (no Node APIs): it encodes, decodes and checks bytes.

import type { Kernels } from '../../bindings/index.js';
import { CheckpointError } from '../errors.js';
import type { Model as Sequential } from '../model/model.js';
import type { SequentialConfig as SequentialConfigV } from '../model/sequential.js';
import { compileFromConfig, compileToConfig, modelFromConfig, modelToConfig, type CompileConfig, type ModelConfig as SequentialConfig } from './config.js';
import { manifestChecksum } from './checksum.js';
import { resolveLimits, type CheckpointLimits, type CheckpointReadOptions } from './limits.js';
import { crc32Hex } from './crc32.js';
import { checkStoredTensor, decodeTensor, isQuantized, quantizeCheckpoint, type StoredTensor, type WeightsDtype } from './quantize.js';

export { manifestChecksum };

/** The 4 bytes that open a single-file checkpoint. */
export const MAGIC = 'FRNN';
/** The version this library writes; it reads every version ≤ this one (version 1 only with allowUnverified). */
export const FORMAT_VERSION = 2;
/** magic (4) + version u32 (4) + manifest length u32 (4). */
export const HEADER_BYTES = 12;
/** The blob's file name in the directory form. */
export const WEIGHTS_FILE = 'weights.bin';
/** The manifest's file name in the directory form. */
export const MANIFEST_FILE = 'model.json';

/** Tensor element types a checkpoint can declare (issue 20 adds quantized ones; readers refuse unknown ones). */
export type TensorDtype = 'float32' | 'float16' | 'int8';

export { DEFAULT_LIMITS, resolveLimits, type CheckpointLimits, type CheckpointReadOptions } from './limits.js';

/** One tensor of the table: where its bytes lie in the blob and what they hold. */
export interface TensorRecord {
  /** "<layer>/<weight>", as in model.getWeights(). */
  path: string;
  /** Keras shape, e.g. LSTM kernel [D, 4H]. */
  shape: number[];
  dtype: TensorDtype;
  /** Offset and length in bytes inside the blob (offsets are multiples of 4). */
  byteOffset: number;
  byteLength: number;
  trainable: boolean;
}

/** The checkpoint's JSON manifest (docs/checkpoint-format.md). */
export interface Manifest {
  format: 'fused-rnn-checkpoint';
  formatVersion: number;
  model: SequentialConfig;
  /** The compile options, or null for a model saved before compile(). Optimizer state is not saved. */
  compile: CompileConfig | null;
  weights: {
    /** Blob file name relative to the manifest (directory form only). */
    file?: string;
    /** Version 1 only (every tensor float32); version 2 has a dtype per tensor. */
    dtype?: 'float32';
    byteOrder: 'little';
    byteLength: number;
    /** Version 1 only: CRC-32 of the blob alone. */
    checksum?: { algorithm: 'crc32'; value: string };
  };
  tensors: TensorRecord[];
  /**
   * Version 2: CRC-32 of the manifest's canonical JSON without this field (JSON.stringify of the parsed
   * object, keys in file order) followed by the blob. Always the last key.
   */
  checksum?: { algorithm: 'crc32'; scope: 'manifest+blob'; value: string };
}

/** A decoded checkpoint: the parsed manifest and the blob of tensor bytes. */
export interface Checkpoint {
  manifest: Manifest;
  blob: Uint8Array;
}

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const align4 = (n: number) => (n + 3) & ~3;

/** Manifest + blob of a built model's current weights. */
export function encodeCheckpoint(model: Sequential, options: { weightsFile?: string; weights?: WeightsDtype } = {}): Checkpoint {
  if (!model.built) throw new CheckpointError(`Sequential "${model.name}": build the model (or fit/predict once) before saving it`);
  const weights = model.getWeights();
  const trainable = new Map(model.paramTable.entries.map((e) => [e.path, e.trainable]));
  const tensors: TensorRecord[] = [];
  let offset = 0;
  for (const w of weights) {
    tensors.push({ path: w.path, shape: w.shape.slice(), dtype: 'float32', byteOffset: offset, byteLength: w.data.length * 4, trainable: trainable.get(w.path) ?? true });
    offset += w.data.length * 4;
  }
  const blob = new Uint8Array(offset);
  const view = new DataView(blob.buffer);
  for (let i = 0; i < weights.length; i++) {
    const { data } = weights[i], at = tensors[i].byteOffset;
    if (littleEndianHost) blob.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    else for (let j = 0; j < data.length; j++) view.setFloat32(at + 4 * j, data[j], true);
  }
  const manifest: Manifest = {
    format: 'fused-rnn-checkpoint',
    formatVersion: FORMAT_VERSION,
    model: modelToConfig(model),
    compile: compileToConfig(model),
    weights: { ...(options.weightsFile ? { file: options.weightsFile } : {}), byteOrder: 'little', byteLength: blob.length },
    tensors,
  };
  manifest.checksum = { algorithm: 'crc32', scope: 'manifest+blob', value: manifestChecksum(manifest, blob) };
  // Issue 20: int8 / float16 weight matrices (src/io/quantize.ts; it recomputes the checksum).
  return options.weights && options.weights !== 'float32' ? quantizeCheckpoint({ manifest, blob }, options.weights) : { manifest, blob };
}

/** The single-file container: magic, version, manifest length, manifest, zero padding to 4, blob. */
export function packSingleFile({ manifest, blob }: Checkpoint): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(manifest));
  const blobOffset = align4(HEADER_BYTES + json.length);
  const out = new Uint8Array(blobOffset + blob.length);
  out.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(out.buffer);
  view.setUint32(4, manifest.formatVersion, true);
  view.setUint32(8, json.length, true);
  out.set(json, HEADER_BYTES);
  out.set(blob, blobOffset);
  return out;
}

/** Splits and checks a single-file checkpoint (magic, version, sizes, checksum). `source` names it in errors. */
export function unpackSingleFile(bytes: Uint8Array, source: string, options: CheckpointReadOptions = {}): Checkpoint {
  const limits = resolveLimits(options.limits);
  if (bytes.length > limits.maxFileBytes) throw new CheckpointError(`${source}: the file has ${bytes.length} bytes, more than limits.maxFileBytes = ${limits.maxFileBytes}`);
  if (bytes.length < HEADER_BYTES) throw new CheckpointError(`${source}: truncated: the header needs ${HEADER_BYTES} bytes, the file has ${bytes.length}`);
  const magic = String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]);
  if (magic !== MAGIC) {
    const hex = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new CheckpointError(`${source}: not a fused-rnn checkpoint: the magic bytes are ${hex} (${JSON.stringify(magic)}), expected "${MAGIC}"`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  checkVersion(version, source);
  const manifestBytes = view.getUint32(8, true);
  if (manifestBytes > limits.maxManifestBytes) throw new CheckpointError(`${source}: the header declares a ${manifestBytes}-byte manifest, more than limits.maxManifestBytes = ${limits.maxManifestBytes}`);
  if (HEADER_BYTES + manifestBytes > bytes.length) {
    throw new CheckpointError(`${source}: truncated: the manifest needs bytes ${HEADER_BYTES}..${HEADER_BYTES + manifestBytes}, the file has ${bytes.length} bytes`);
  }
  const manifest = parseManifest(bytes.subarray(HEADER_BYTES, HEADER_BYTES + manifestBytes), source, options);
  if (manifest.formatVersion !== version) throw new CheckpointError(`${source}: the header says format version ${version} but the manifest says ${manifest.formatVersion}`);
  const blobOffset = align4(HEADER_BYTES + manifestBytes);
  // The 0–3 padding bytes are outside the checksum: they must be zero, so that no byte of the file goes unchecked.
  for (let i = HEADER_BYTES + manifestBytes; i < Math.min(blobOffset, bytes.length); i++) {
    if (bytes[i] !== 0) throw new CheckpointError(`${source}: padding byte ${i} after the manifest is ${bytes[i]}, expected 0 (damaged file)`);
  }
  const blob = bytes.subarray(Math.min(blobOffset, bytes.length));
  checkBlob(manifest, blob, source, blobOffset);
  return { manifest, blob };
}

function checkVersion(version: unknown, source: string): void {
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) throw new CheckpointError(`${source}: invalid format version ${JSON.stringify(version)}`);
  if (version > FORMAT_VERSION) {
    throw new CheckpointError(`${source}: format version ${version} was written by a newer fused-rnn; this version reads versions 1..${FORMAT_VERSION}`);
  }
}

const fail = (source: string, what: string): never => {
  throw new CheckpointError(`${source}: invalid manifest: ${what}`);
};

/**
 * Parses and validates a manifest (JSON text or UTF-8 bytes): fields, version, tensor offsets inside the
 * blob, and the sizes the model config declares against the tensor table and the limits, all before
 * anything is allocated.
 */
export function parseManifest(input: string | Uint8Array, source: string, options: CheckpointReadOptions = {}): Manifest {
  const limits = resolveLimits(options.limits);
  if (input.length > limits.maxManifestBytes) throw new CheckpointError(`${source}: the manifest has ${input.length} bytes, more than limits.maxManifestBytes = ${limits.maxManifestBytes}`);
  let m: Manifest;
  try {
    m = JSON.parse(typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input)) as Manifest;
  } catch (e) {
    throw new CheckpointError(`${source}: the manifest is not valid JSON (${(e as Error).message})`);
  }
  if (!m || typeof m !== 'object' || Array.isArray(m)) fail(source, 'not an object');
  if (m.format !== 'fused-rnn-checkpoint') fail(source, `format is ${JSON.stringify(m.format)}, expected "fused-rnn-checkpoint"`);
  checkVersion(m.formatVersion, source);
  const v1 = m.formatVersion === 1;
  if (v1 && !options.allowUnverified) {
    throw new CheckpointError(
      `${source}: format version 1 has no checksum over its manifest (config, compile config, tensor table), so edits to it cannot be detected; ` +
      'load it with { allowUnverified: true } if you trust the file (CLI: --allow-unverified), then save it again to upgrade it to version 2',
    );
  }
  if (!m.model || typeof m.model !== 'object' || (m.model.className !== 'Sequential' && m.model.className !== 'Functional')) fail(source, 'model must be a Sequential or Functional config');
  if (m.compile !== null && (typeof m.compile !== 'object' || Array.isArray(m.compile))) fail(source, 'compile must be an object or null');
  const w = m.weights;
  if (!w || typeof w !== 'object') fail(source, 'weights is missing');
  if (v1 && !['float32', 'int8', 'float16'].includes(w.dtype ?? '')) fail(source, `weights.dtype ${JSON.stringify(w.dtype)} is not supported (float32, int8 or float16)`);
  if (w.byteOrder !== 'little') fail(source, `weights.byteOrder ${JSON.stringify(w.byteOrder)} is not supported (little only)`);
  if (!Number.isSafeInteger(w.byteLength) || w.byteLength < 0) fail(source, `weights.byteLength ${JSON.stringify(w.byteLength)} is not a byte count`);
  if (w.byteLength > limits.maxFileBytes) fail(source, `weights.byteLength ${w.byteLength} is more than limits.maxFileBytes = ${limits.maxFileBytes}`);
  if (w.file !== undefined && typeof w.file !== 'string') fail(source, `weights.file must be a file name, got ${JSON.stringify(w.file)}`);
  const hex = (c: { algorithm?: unknown; value?: unknown } | undefined) => c?.algorithm === 'crc32' && typeof c.value === 'string' && /^[0-9a-f]{8}$/.test(c.value);
  if (v1 && !hex(w.checksum)) fail(source, 'weights.checksum must be { algorithm: "crc32", value: 8 hex digits }');
  if (!v1 && (!hex(m.checksum) || m.checksum?.scope !== 'manifest+blob')) fail(source, 'checksum must be { algorithm: "crc32", scope: "manifest+blob", value: 8 hex digits }');
  if (!Array.isArray(m.tensors)) fail(source, 'tensors must be an array');
  if (m.tensors.length > limits.maxLayers) fail(source, `${m.tensors.length} tensors, more than limits.maxLayers = ${limits.maxLayers}`);
  const seen = new Set<string>();
  const spans: Array<[number, number, string]> = [];
  for (const t of m.tensors) {
    const name = typeof t?.path === 'string' ? t.path : JSON.stringify(t?.path);
    if (typeof t?.path !== 'string') fail(source, `tensor ${name}: path must be a string`);
    if (seen.has(t.path)) fail(source, `tensor ${name} appears twice`);
    seen.add(t.path);
    if (!Array.isArray(t.shape) || t.shape.length > 8 || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(source, `tensor ${name}: shape ${JSON.stringify(t.shape)} is not a list of sizes`);
    if (!Number.isSafeInteger(t.byteOffset) || t.byteOffset < 0 || t.byteOffset % 4 !== 0) fail(source, `tensor ${name}: byteOffset ${t.byteOffset} is not a multiple of 4`);
    const elements = t.shape.reduce((a, b) => a * b, 1);
    if (elements > limits.maxParams) fail(source, `tensor ${name}: shape (${t.shape.join(', ')}) holds ${elements} values, more than limits.maxParams = ${limits.maxParams}`);
    checkStoredTensor(t as StoredTensor, w.byteLength, source); // dtype float32 | float16 | int8 (+ scales), byte length
    if (t.byteOffset + t.byteLength > w.byteLength) fail(source, `tensor ${name}: bytes ${t.byteOffset}..${t.byteOffset + t.byteLength} lie outside the ${w.byteLength}-byte blob`);
    spans.push([t.byteOffset, t.byteOffset + t.byteLength, t.path]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i][0] < spans[i - 1][1]) fail(source, `tensors ${spans[i - 1][2]} and ${spans[i][2]} overlap in the blob`);
  }
  checkDeclaredModel(m, source, limits);
  return m;
}

/**
 * What the model config will allocate, computed from the layer configs alone (no kernels, no memory): every
 * tensor its layers declare must be in the tensor table with the same shape, and the total within the
 * limits. A small manifest that declares LSTM(2048) over a tiny tensor table is refused here, in
 * microseconds, instead of after building (and initialising) a 134 MB model.
 */
function checkDeclaredModel(m: Manifest, source: string, limits: Required<CheckpointLimits>): void {
  // Functional configs are checked against the table after building (their graph needs the model code);
  // the checksum and the size limits on the tensor table and the blob still apply before that.
  if (m.model.className !== 'Sequential') return;
  const c = (m.model as SequentialConfigV).config;
  if (!c || typeof c !== 'object' || !Array.isArray(c.layers)) fail(source, 'model.config.layers must be an array of layer configs');
  if (c.layers.length > limits.maxLayers) fail(source, `${c.layers.length} layers, more than limits.maxLayers = ${limits.maxLayers}`);
  if (c.inputShape === null || c.inputShape === undefined) return; // not built: restoreModel refuses it
  let model: Sequential;
  try {
    model = modelFromConfig(m.model);
  } catch (e) {
    throw new CheckpointError(`${source}: cannot rebuild the model from its config: ${(e as Error).message}`);
  }
  const byPath = new Map(m.tensors.map((t) => [t.path, t]));
  let shape = c.inputShape;
  if (!Array.isArray(shape) || !shape.every((d) => d === null || (Number.isSafeInteger(d) && d > 0))) fail(source, `model.config.inputShape ${JSON.stringify(shape)} is not a shape`);
  let total = 0;
  const declared = new Map<string, boolean>();
  try {
    for (const layer of model.layers) {
      for (const d of layer.declareParams(shape)) {
        const path = `${layer.name}/${d.name}`;
        const n = d.shape.reduce((a, b) => a * b, 1);
        total += n;
        if (total > limits.maxParams) fail(source, `the model config declares more than limits.maxParams = ${limits.maxParams} weights (at tensor ${path} (${d.shape.join(', ')}))`);
        const t = byPath.get(path);
        declared.set(path, true);
        if (!t) fail(source, `tensor ${path} (${d.shape.join(', ')}) that the model config declares is missing from the tensor table`);
        if (t!.shape.length !== d.shape.length || t!.shape.some((x, i) => x !== d.shape[i])) {
          fail(source, `tensor ${path} has shape (${t!.shape.join(', ')}) in the tensor table but the model config declares (${d.shape.join(', ')})`);
        }
      }
      shape = layer.computeOutputShape(shape);
    }
    for (const d of declared.keys()) byPath.delete(d);
    const extra = [...byPath.keys()][0];
    if (extra !== undefined) fail(source, `tensor ${extra} of the tensor table is not declared by the model config`);
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError(`${source}: the model config does not fit its input shape: ${(e as Error).message}`);
  }
}

/** Checks the blob's size and the checksum against the manifest; names the first tensor a short blob cuts. */
export function checkBlob(manifest: Manifest, blob: Uint8Array, source: string, blobOffset = 0): void {
  const want = manifest.weights.byteLength;
  if (blob.length < want) {
    const cut = manifest.tensors.find((t) => t.byteOffset + t.byteLength > blob.length);
    throw new CheckpointError(
      `${source}: truncated: the weights blob needs ${want} bytes at offset ${blobOffset}, the file has only ${blob.length} (${want - blob.length} bytes missing` +
      `${cut ? `; tensor ${cut.path} is cut` : ''})`,
    );
  }
  if (blob.length > want) throw new CheckpointError(`${source}: the weights blob has ${blob.length - want} bytes more than the ${want} the manifest describes`);
  if (manifest.formatVersion === 1) {
    const sum = crc32Hex(blob);
    if (sum !== manifest.weights.checksum!.value) {
      throw new CheckpointError(`${source}: checksum mismatch: the weights blob has CRC-32 ${sum}, the manifest says ${manifest.weights.checksum!.value} (corrupt or from another save)`);
    }
    return;
  }
  const sum = manifestChecksum(manifest, blob);
  if (sum !== manifest.checksum!.value) {
    throw new CheckpointError(
      `${source}: checksum mismatch: the manifest and weights have CRC-32 ${sum}, the file says ${manifest.checksum!.value} ` +
      '(the file was edited or damaged, or the manifest and weights come from different saves)',
    );
  }
}

export type WeightList = Array<{ path: string; shape: number[]; data: Float32Array }>;

/**
 * The checkpoint's tensors matched to a built model: every model tensor must be present with the model's
 * shape, and the checkpoint may hold no others. Throws CheckpointError naming the tensor and both shapes.
 */
export function matchTensors(model: Sequential, { manifest, blob }: Checkpoint, source: string): WeightList {
  const byPath = new Map(manifest.tensors.map((t) => [t.path, t]));
  const out: WeightList = [];
  const fmt = (s: readonly number[]) => `(${s.join(', ')})`;
  for (const e of model.paramTable.entries) {
    const t = byPath.get(e.path);
    if (!t) throw new CheckpointError(`${source}: tensor ${e.path} ${fmt(e.shape)} of model "${model.name}" is missing from the checkpoint`);
    const same = t.shape.length === e.shape.length && t.shape.every((d, i) => d === e.shape[i]);
    if (!same) throw new CheckpointError(`${source}: tensor ${e.path} has shape ${fmt(t.shape)} in the checkpoint but ${fmt(e.shape)} in model "${model.name}"`);
    byPath.delete(e.path);
    out.push({ path: e.path, shape: e.shape.slice(), data: t.dtype === 'float32' ? readF32(blob, t.byteOffset, t.byteLength / 4) : decodeTensor(t as StoredTensor, blob) });
  }
  if (byPath.size) throw new CheckpointError(`${source}: tensor ${[...byPath.keys()][0]} of the checkpoint does not exist in model "${model.name}"`);
  return out;
}

function readF32(blob: Uint8Array, at: number, n: number): Float32Array {
  if (littleEndianHost) {
    const bytes = blob.slice(at, at + 4 * n); // a copy: aligned, and independent of the file buffer
    return new Float32Array(bytes.buffer, 0, n);
  }
  const view = new DataView(blob.buffer, blob.byteOffset + at, 4 * n), out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

/** loadModel options: where to build, whether to compile, and how to read (limits, allowUnverified). */
export interface RestoreOptions extends CheckpointReadOptions {
  kernels?: Kernels;
  /** Compile with the stored compile config when there is one (default true). */
  compile?: boolean;
}

/** A new model from a checked checkpoint: fromConfig, build, setWeights, compile (if stored). */
export async function restoreModel(cp: Checkpoint, source: string, options: RestoreOptions = {}): Promise<Sequential> {
  let model: Sequential;
  try {
    model = modelFromConfig(cp.manifest.model, { kernels: options.kernels });
  } catch (e) {
    throw new CheckpointError(`${source}: cannot rebuild the model from its config: ${(e as Error).message}`);
  }
  try {
    if (cp.manifest.model.className === 'Sequential') {
      const shape = (cp.manifest.model as SequentialConfigV).config.inputShape;
      if (shape) await model.build(shape.slice());
    } else {
      await model.build();
    }
  } catch (e) {
    model.dispose();
    throw new CheckpointError(`${source}: cannot rebuild the model from its config: ${(e as Error).message}`);
  }
  try {
    if (!model.built) throw new CheckpointError(`${source}: the model config has no inputShape; cannot build the model`);
    warnIfQuantized(cp, source);
    model.setWeights(matchTensors(model, cp, source));
    if (cp.manifest.compile && options.compile !== false) {
      try {
        model.compile(compileFromConfig(cp.manifest.compile));
      } catch (e) {
        throw new CheckpointError(`${source}: cannot restore the compile config: ${(e as Error).message}`);
      }
    }
  } catch (e) {
    model.dispose(); // a failed load gives its memory back to the shared Kernels
    throw e;
  }
  return model;
}

/** Sets a built model's weights from a checked checkpoint; on any mismatch nothing changes. */
export function applyWeights(model: Sequential, cp: Checkpoint, source: string): void {
  if (!model.built) throw new CheckpointError(`${source}: build model "${model.name}" before loading weights into it`);
  warnIfQuantized(cp, source);
  model.setWeights(matchTensors(model, cp, source));
}

/** Issue 20: a quantized checkpoint loaded into the training library is dequantized to float32, with a warning. */
function warnIfQuantized(cp: Checkpoint, source: string): void {
  if (isQuantized(cp.manifest)) {
    console.warn(`${source}: the weights are stored as ${[...new Set(cp.manifest.tensors.map((t) => t.dtype as string).filter((d) => d !== 'float32'))].join(' and ')}; they were dequantized to float32 (training continues from the quantized values; fused-rnn/infer runs int8 weights directly)`);
  }
}
