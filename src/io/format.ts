// The native checkpoint (DESIGN.md §8, docs/checkpoint-format.md): a JSON manifest (format version, model
// and compile config, every tensor's path, Keras shape, dtype, byte offset and length, CRC-32 of the blob)
// plus ONE little-endian f32 blob. Two containers share it:
//   directory:   DIR/model.json (manifest) + DIR/weights.bin (blob)
//   single file: "FRNN" | u32 version | u32 manifest bytes M | manifest (UTF-8) | zero pad to 4 | blob
// This module is platform-neutral (no Node APIs): it encodes, decodes and checks bytes.

import type { Kernels } from '../../bindings/index.js';
import { CheckpointError } from '../errors.js';
import type { Model as Sequential } from '../model/model.js';
import { compileFromConfig, compileToConfig, modelFromConfigBuilt, modelToConfig, type CompileConfig, type ModelConfig as SequentialConfig } from './config.js';
import { crc32Hex } from './crc32.js';

export const MAGIC = 'FRNN';
/** The version this library writes; it reads every version ≤ this one. */
export const FORMAT_VERSION = 1;
/** magic (4) + version u32 (4) + manifest length u32 (4). */
export const HEADER_BYTES = 12;
export const WEIGHTS_FILE = 'weights.bin';
export const MANIFEST_FILE = 'model.json';

export interface TensorRecord {
  /** "<layer>/<weight>", as in model.getWeights(). */
  path: string;
  /** Keras shape, e.g. LSTM kernel [D, 4H]. */
  shape: number[];
  dtype: 'float32';
  /** Offset and length in bytes inside the blob (offsets are multiples of 4). */
  byteOffset: number;
  byteLength: number;
  trainable: boolean;
}

export interface Manifest {
  format: 'fused-rnn-checkpoint';
  formatVersion: number;
  model: SequentialConfig;
  /** The compile options, or null for a model saved before compile(). Optimizer state is not saved. */
  compile: CompileConfig | null;
  weights: {
    /** Blob file name relative to the manifest (directory form only). */
    file?: string;
    dtype: 'float32';
    byteOrder: 'little';
    byteLength: number;
    checksum: { algorithm: 'crc32'; value: string };
  };
  tensors: TensorRecord[];
}

export interface Checkpoint {
  manifest: Manifest;
  blob: Uint8Array;
}

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const align4 = (n: number) => (n + 3) & ~3;

/** Manifest + blob of a built model's current weights. */
export function encodeCheckpoint(model: Sequential, options: { weightsFile?: string } = {}): Checkpoint {
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
    weights: {
      ...(options.weightsFile ? { file: options.weightsFile } : {}),
      dtype: 'float32', byteOrder: 'little', byteLength: blob.length, checksum: { algorithm: 'crc32', value: crc32Hex(blob) },
    },
    tensors,
  };
  return { manifest, blob };
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
export function unpackSingleFile(bytes: Uint8Array, source: string): Checkpoint {
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
  if (HEADER_BYTES + manifestBytes > bytes.length) {
    throw new CheckpointError(`${source}: truncated: the manifest needs bytes ${HEADER_BYTES}..${HEADER_BYTES + manifestBytes}, the file has ${bytes.length} bytes`);
  }
  const manifest = parseManifest(bytes.subarray(HEADER_BYTES, HEADER_BYTES + manifestBytes), source);
  if (manifest.formatVersion !== version) throw new CheckpointError(`${source}: the header says format version ${version} but the manifest says ${manifest.formatVersion}`);
  const blobOffset = align4(HEADER_BYTES + manifestBytes);
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

/** Parses and validates a manifest (JSON text or UTF-8 bytes): fields, version, tensor offsets inside the blob. */
export function parseManifest(input: string | Uint8Array, source: string): Manifest {
  let m: Manifest;
  try {
    m = JSON.parse(typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input)) as Manifest;
  } catch (e) {
    throw new CheckpointError(`${source}: the manifest is not valid JSON (${(e as Error).message})`);
  }
  if (!m || typeof m !== 'object') fail(source, 'not an object');
  if (m.format !== 'fused-rnn-checkpoint') fail(source, `format is ${JSON.stringify(m.format)}, expected "fused-rnn-checkpoint"`);
  checkVersion(m.formatVersion, source);
  if (!m.model || (m.model.className !== 'Sequential' && m.model.className !== 'Functional')) fail(source, 'model must be a Sequential or Functional config');
  const w = m.weights;
  if (!w || typeof w !== 'object') fail(source, 'weights is missing');
  if (w.dtype !== 'float32') fail(source, `weights.dtype ${JSON.stringify(w.dtype)} is not supported (float32 only)`);
  if (w.byteOrder !== 'little') fail(source, `weights.byteOrder ${JSON.stringify(w.byteOrder)} is not supported (little only)`);
  if (!Number.isInteger(w.byteLength) || w.byteLength < 0) fail(source, `weights.byteLength ${JSON.stringify(w.byteLength)} is not a byte count`);
  if (w.checksum?.algorithm !== 'crc32' || !/^[0-9a-f]{8}$/.test(String(w.checksum?.value))) fail(source, `weights.checksum must be { algorithm: "crc32", value: 8 hex digits }`);
  if (!Array.isArray(m.tensors)) fail(source, 'tensors must be an array');
  const seen = new Set<string>();
  for (const t of m.tensors) {
    const name = typeof t?.path === 'string' ? t.path : JSON.stringify(t?.path);
    if (typeof t?.path !== 'string') fail(source, `tensor ${name}: path must be a string`);
    if (seen.has(t.path)) fail(source, `tensor ${name} appears twice`);
    seen.add(t.path);
    if (t.dtype !== 'float32') fail(source, `tensor ${name}: dtype ${JSON.stringify(t.dtype)} is not supported (float32 only)`);
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && d >= 0)) fail(source, `tensor ${name}: shape ${JSON.stringify(t.shape)} is not a list of sizes`);
    if (!Number.isInteger(t.byteOffset) || t.byteOffset < 0 || t.byteOffset % 4 !== 0) fail(source, `tensor ${name}: byteOffset ${t.byteOffset} is not a multiple of 4`);
    const want = 4 * t.shape.reduce((a, b) => a * b, 1);
    if (t.byteLength !== want) fail(source, `tensor ${name}: byteLength ${t.byteLength} does not match shape (${t.shape.join(', ')}) (${want} bytes of float32)`);
    if (t.byteOffset + t.byteLength > w.byteLength) fail(source, `tensor ${name}: bytes ${t.byteOffset}..${t.byteOffset + t.byteLength} lie outside the ${w.byteLength}-byte blob`);
  }
  return m;
}

/** Checks the blob's size and CRC-32 against the manifest; names the first tensor a short blob cuts. */
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
  const sum = crc32Hex(blob);
  if (sum !== manifest.weights.checksum.value) {
    throw new CheckpointError(`${source}: checksum mismatch: the weights blob has CRC-32 ${sum}, the manifest says ${manifest.weights.checksum.value} (corrupt or from another save)`);
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
    out.push({ path: e.path, shape: e.shape.slice(), data: readF32(blob, t.byteOffset, t.byteLength / 4) });
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

export interface RestoreOptions {
  kernels?: Kernels;
  /** Compile with the stored compile config when there is one (default true). */
  compile?: boolean;
}

/** A new model from a checked checkpoint: fromConfig, build, setWeights, compile (if stored). */
export async function restoreModel(cp: Checkpoint, source: string, options: RestoreOptions = {}): Promise<Sequential> {
  let model: Sequential;
  try {
    model = await modelFromConfigBuilt(cp.manifest.model, { kernels: options.kernels });
  } catch (e) {
    throw new CheckpointError(`${source}: cannot rebuild the model from its config: ${(e as Error).message}`);
  }
  if (!model.built) throw new CheckpointError(`${source}: the model config has no inputShape; cannot build the model`);
  model.setWeights(matchTensors(model, cp, source));
  if (cp.manifest.compile && options.compile !== false) {
    try {
      model.compile(compileFromConfig(cp.manifest.compile));
    } catch (e) {
      throw new CheckpointError(`${source}: cannot restore the compile config: ${(e as Error).message}`);
    }
  }
  return model;
}

/** Sets a built model's weights from a checked checkpoint; on any mismatch nothing changes. */
export function applyWeights(model: Sequential, cp: Checkpoint, source: string): void {
  if (!model.built) throw new CheckpointError(`${source}: build model "${model.name}" before loading weights into it`);
  model.setWeights(matchTensors(model, cp, source));
}
