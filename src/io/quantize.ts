// Quantized checkpoints (issue 20): the float32 checkpoint with its weight matrices stored as int8 or
// float16 (docs/checkpoint-format.md, "Quantized weights"). Model-free on purpose: the inference entry
// (src/infer) decodes these records without the training library.
//
// int8: symmetric, q = round(w / s) in [-127, 127], one f32 scale s per OUTPUT COLUMN of a (K, N) kernel
// (axis 1: s[j] = max_k |W[k, j]| / 127) and per ROW of an embedding table (axis 0, one scale per token).
// The scales follow the int8 bytes in the blob (offset a multiple of 4). float16: IEEE half, round to
// nearest even (overflow to ±Infinity is an error when saving). Biases and every tensor that is not a
// 2-D kernel, recurrent kernel or embedding table stay float32.

import { CheckpointError } from '../errors.js';
import { crc32Hex } from './crc32.js';

/**
 * The version-2 checkpoint checksum (the reliability work): CRC-32 of JSON.stringify(manifest without its
 * `checksum` key, keys in order) followed by the blob, 8 hex digits.
 */
export function manifestBlobChecksum(manifest: object, blob: Uint8Array): string {
  const rest: Record<string, unknown> = { ...(manifest as Record<string, unknown>) };
  delete rest.checksum;
  const json = new TextEncoder().encode(JSON.stringify(rest));
  const all = new Uint8Array(json.length + blob.length);
  all.set(json);
  all.set(blob, json.length);
  return crc32Hex(all);
}


/** How weight matrices are stored: float32 (default), int8 (4× smaller) or float16 (2× smaller). */
export type WeightsDtype = 'float32' | 'int8' | 'float16';

/** Options of saveModel / saveModelToBytes. */
export interface SaveOptions {
  /**
   * How weight matrices (kernels, recurrent kernels, embedding tables) are stored: 'float32' (default),
   * 'int8' (symmetric, one scale per output column, per row for embeddings; about 4× smaller) or 'float16'
   * (about 2× smaller). Biases stay float32. For inference (fused-rnn/infer runs int8 directly); loading one
   * for training dequantizes with a warning. docs/checkpoint-format.md, "Quantized weights".
   */
  weights?: WeightsDtype;
}

// The parts of src/io/format.ts' records this module reads (declared here: format.ts imports this file).
interface TensorRecord {
  path: string;
  shape: number[];
  dtype: string;
  byteOffset: number;
  byteLength: number;
  trainable: boolean;
}
interface Manifest {
  formatVersion: number;
  weights: { dtype?: string; byteLength: number; checksum?: { algorithm: 'crc32'; value: string } };
  tensors: TensorRecord[];
}
interface Checkpoint {
  manifest: Manifest;
  blob: Uint8Array;
}

/** The int8 fields of a tensor record: where its scales are and along which axis they vary. */
export interface QuantizationRecord {
  scheme: 'symmetric';
  /** 1: one scale per column (kernels, (K, N)); 0: one scale per row (embeddings, (V, E)). */
  axis: 0 | 1;
  /** Byte offset of the f32 scales in the blob (a multiple of 4) and their byte length (4 per scale). */
  scaleOffset: number;
  scaleLength: number;
}

/** A tensor record that may be quantized (dtype int8 carries `quantization`). */
export type StoredTensor = Omit<TensorRecord, 'dtype'> & { dtype: WeightsDtype; quantization?: QuantizationRecord };

const align4 = (n: number) => (n + 3) & ~3;
const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const BYTES: Record<WeightsDtype, number> = { float32: 4, float16: 2, int8: 1 };

/** Whether a tensor is stored quantized in a checkpoint saved with int8/float16 weights. */
export function isQuantizable(path: string, shape: readonly number[]): boolean {
  return shape.length === 2 && /(^|\/)(kernel|recurrent_kernel|embeddings)$/.test(path);
}

/** Byte length a tensor record must have for its dtype and shape (throws for unknown dtypes). */
export function storedByteLength(t: StoredTensor, source: string): number {
  const per = BYTES[t.dtype];
  if (!per) throw new CheckpointError(`${source}: invalid manifest: tensor ${t.path}: dtype ${JSON.stringify(t.dtype)} is not supported (float32, float16 or int8)`);
  return per * count(t.shape);
}

/**
 * Checks a tensor record's dtype-specific fields (byte length; int8 scales inside the blob, one per
 * row/column). Throws CheckpointError naming the tensor.
 */
export function checkStoredTensor(t: StoredTensor, blobBytes: number, source: string): void {
  const want = storedByteLength(t, source);
  const fail = (what: string): never => { throw new CheckpointError(`${source}: invalid manifest: tensor ${t.path}: ${what}`); };
  if (t.byteLength !== want) fail(`byteLength ${t.byteLength} does not match shape (${t.shape.join(', ')}) (${want} bytes of ${t.dtype})`);
  if (t.dtype !== 'int8') return;
  const q = t.quantization;
  if (!q || q.scheme !== 'symmetric' || (q.axis !== 0 && q.axis !== 1) || t.shape.length !== 2) fail('int8 needs a 2-D shape and quantization { scheme: "symmetric", axis: 0 | 1, scaleOffset, scaleLength }');
  const scales = t.shape[q!.axis];
  if (q!.scaleLength !== 4 * scales) fail(`quantization.scaleLength ${q!.scaleLength} must be ${4 * scales} (one f32 scale per ${q!.axis === 1 ? 'column' : 'row'})`);
  if (!Number.isInteger(q!.scaleOffset) || q!.scaleOffset % 4 !== 0 || q!.scaleOffset < 0 || q!.scaleOffset + q!.scaleLength > blobBytes) {
    fail(`quantization scales at bytes ${q!.scaleOffset}..${q!.scaleOffset + q!.scaleLength} are not 4-byte aligned inside the ${blobBytes}-byte blob`);
  }
}

/** int8 values (a view) and f32 scales (a copy) of an int8 tensor. */
export function readInt8(t: StoredTensor, blob: Uint8Array): { q: Int8Array; scales: Float32Array } {
  const q = new Int8Array(blob.buffer, blob.byteOffset + t.byteOffset, t.byteLength);
  const s = t.quantization!;
  return { q, scales: readFloat32(blob, s.scaleOffset, s.scaleLength / 4) };
}

function readFloat32(blob: Uint8Array, at: number, n: number): Float32Array {
  const view = new DataView(blob.buffer, blob.byteOffset + at, 4 * n), out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

/** IEEE half → float (exact). */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

const f32buf = new Float32Array(1), u32buf = new Uint32Array(f32buf.buffer);
/** float → IEEE half, round to nearest even (overflow gives ±Infinity). */
export function floatToHalf(x: number): number {
  f32buf[0] = x;
  const b = u32buf[0], sign = (b >>> 16) & 0x8000, e = (b >>> 23) & 0xff, m = b & 0x7fffff;
  if (e === 0xff) return sign | 0x7c00 | (m ? 0x200 : 0);
  const he = e - 127 + 15;
  if (he >= 31) return sign | 0x7c00;
  if (he <= 0) {
    if (he < -10) return sign;
    const mm = m | 0x800000, shift = 14 - he;
    let r = mm >> shift;
    const rem = mm & ((1 << shift) - 1), half = 1 << (shift - 1);
    if (rem > half || (rem === half && (r & 1))) r++;
    return sign | r;
  }
  let r = (he << 10) | (m >> 13);
  const rem = m & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (r & 1))) r++;
  return sign | r;
}

/** Float32 values of any stored tensor (int8 and float16 dequantized). */
export function decodeTensor(t: StoredTensor, blob: Uint8Array): Float32Array {
  const n = count(t.shape);
  if (t.dtype === 'float32') return readFloat32(blob, t.byteOffset, n);
  if (t.dtype === 'float16') {
    const view = new DataView(blob.buffer, blob.byteOffset + t.byteOffset, 2 * n), out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
    return out;
  }
  const { q, scales } = readInt8(t, blob);
  const [R, C] = t.shape, axis = t.quantization!.axis, out = new Float32Array(n);
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) out[r * C + c] = q[r * C + c] * scales[axis === 1 ? c : r];
  return out;
}

/**
 * Symmetric int8 of a (R, C) matrix: one scale per column (axis 1) or row (axis 0), s = max|w| / 127
 * (0 for an all-zero line, whose values are then 0). Non-finite weights cannot be quantized.
 */
export function quantizeInt8(w: Float32Array, R: number, C: number, axis: 0 | 1, path = 'tensor'): { q: Int8Array; scales: Float32Array } {
  const scales = new Float32Array(axis === 1 ? C : R), q = new Int8Array(R * C);
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) {
    const v = w[r * C + c];
    if (!Number.isFinite(v)) throw new CheckpointError(`${path}: cannot quantize the non-finite value ${v} at (${r}, ${c})`);
    const i = axis === 1 ? c : r;
    scales[i] = Math.max(scales[i], Math.abs(v));
  }
  for (let i = 0; i < scales.length; i++) scales[i] = scales[i] / 127;
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) {
    const s = scales[axis === 1 ? c : r];
    q[r * C + c] = s > 0 ? Math.max(-127, Math.min(127, Math.round(w[r * C + c] / s))) : 0;
  }
  return { q, scales };
}

/**
 * The checkpoint with its kernels, recurrent kernels and embedding tables stored as `dtype` (the manifest's
 * weights.dtype says which); everything else, and the model and compile configs, unchanged.
 */
export function quantizeCheckpoint<C extends Checkpoint>(cp: C, dtype: WeightsDtype): C {
  if (dtype === 'float32') return cp;
  if (dtype !== 'int8' && dtype !== 'float16') throw new CheckpointError(`saveModel: weights must be "float32", "int8" or "float16", got ${JSON.stringify(dtype)}`);
  const parts: Uint8Array[] = [];
  const tensors: StoredTensor[] = [];
  let offset = 0;
  const push = (bytes: Uint8Array): number => {
    const at = offset;
    parts.push(bytes);
    offset += bytes.length;
    const pad = align4(offset) - offset;
    if (pad) { parts.push(new Uint8Array(pad)); offset += pad; }
    return at;
  };
  for (const t of cp.manifest.tensors) {
    const w = decodeTensor(t as StoredTensor, cp.blob);
    if (!isQuantizable(t.path, t.shape)) {
      tensors.push({ ...(t as StoredTensor), byteOffset: push(new Uint8Array(w.buffer, w.byteOffset, w.byteLength)) });
      continue;
    }
    if (dtype === 'float16') {
      const h = new Uint16Array(w.length);
      for (let i = 0; i < w.length; i++) {
        h[i] = floatToHalf(w[i]);
        if ((h[i] & 0x7c00) === 0x7c00 && Number.isFinite(w[i])) throw new CheckpointError(`${t.path}: ${w[i]} at index ${i} overflows float16`);
      }
      const bytes = new Uint8Array(h.buffer);
      tensors.push({ ...t, dtype: 'float16', byteOffset: push(bytes), byteLength: bytes.length });
      continue;
    }
    const axis: 0 | 1 = /(^|\/)embeddings$/.test(t.path) ? 0 : 1;
    const { q, scales } = quantizeInt8(w, t.shape[0], t.shape[1], axis, t.path);
    const byteOffset = push(new Uint8Array(q.buffer));
    const scaleOffset = push(new Uint8Array(scales.buffer));
    tensors.push({ ...t, dtype: 'int8', byteOffset, byteLength: q.length, quantization: { scheme: 'symmetric', axis, scaleOffset, scaleLength: scales.byteLength } });
  }
  const blob = new Uint8Array(offset);
  let at = 0;
  for (const p of parts) { blob.set(p, at); at += p.length; }
  // Version 1 keeps weights.dtype and the blob's CRC-32 in weights.checksum; version 2 has a dtype per tensor
  // and one checksum over manifest + blob (recomputed last, its key stays where it was).
  const weights = { ...cp.manifest.weights, byteLength: blob.length } as Manifest['weights'];
  if ('dtype' in cp.manifest.weights) weights.dtype = dtype;
  if (cp.manifest.weights.checksum) weights.checksum = { algorithm: 'crc32', value: crc32Hex(blob) };
  const manifest = { ...cp.manifest, weights, tensors } as C['manifest'];
  const m2 = manifest as unknown as { checksum?: { value: string } };
  if (m2.checksum) m2.checksum = { ...m2.checksum, value: manifestBlobChecksum(manifest, blob) };
  return { ...cp, manifest, blob };
}

/** Whether a manifest stores any tensor quantized (loading it for training dequantizes with a warning). */
export function isQuantized(manifest: { tensors: Array<{ dtype: string }> }): boolean {
  return manifest.tensors.some((t) => t.dtype !== 'float32');
}
