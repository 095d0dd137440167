// Reading a native checkpoint (docs/checkpoint-format.md) for `fused-rnn/infer`, without the training
// library: src/io/format.ts rebuilds a Sequential (and so imports every layer, the optimizers and the
// losses), which would multiply the inference bundle. This reader checks the same things (magic, version,
// sizes, dtypes incl. int8/float16, CRC-32) and hands back the manifest and the blob; tensors are decoded
// by src/io/quantize.ts, shared with the training loader.

import { CheckpointError } from '../errors.js';
import { crc32Hex } from '../io/crc32.js';
import type { Manifest } from '../io/format.js';
import { checkStoredTensor, manifestBlobChecksum, type StoredTensor } from '../io/quantize.js';

/** Newest checkpoint format version this reader understands. */
export const INFER_FORMAT_VERSION = 2;

/** Where a checkpoint comes from: a path (Node; file or directory), a URL, the bytes of a single file, or a Response. */
export type InferSource = string | URL | ArrayBuffer | ArrayBufferView | Response;

/** A checked checkpoint: the manifest and the weights blob. */
export interface StoredCheckpoint {
  manifest: Manifest;
  tensors: StoredTensor[];
  blob: Uint8Array;
  /** How the source is named in errors. */
  name: string;
}

const align4 = (n: number) => (n + 3) & ~3;
const isNode = () => typeof process !== 'undefined' && typeof process.versions?.node === 'string';
const hasScheme = (s: string) => /^[a-z][a-z0-9+.-]*:/i.test(s) && !/^[a-z]:[\\/]/i.test(s);

function parseManifest(bytes: Uint8Array | string, name: string): Manifest {
  let m: Manifest;
  try {
    m = JSON.parse(typeof bytes === 'string' ? bytes : new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as Manifest;
  } catch (e) {
    throw new CheckpointError(`${name}: the manifest is not valid JSON (${(e as Error).message})`);
  }
  const fail = (what: string): never => { throw new CheckpointError(`${name}: invalid manifest: ${what}`); };
  if (!m || typeof m !== 'object' || m.format !== 'fused-rnn-checkpoint') fail(`format is ${JSON.stringify(m?.format)}, expected "fused-rnn-checkpoint"`);
  checkVersion(m.formatVersion, name);
  if (!m.model || typeof m.model.className !== 'string' || typeof m.model.config !== 'object') fail('model must be a { className, config } model config');
  const w = m.weights;
  if (!w || typeof w !== 'object' || !Number.isInteger(w.byteLength) || w.byteLength < 0) fail('weights.byteLength is missing');
  if (w.byteOrder !== 'little') fail(`weights.byteOrder ${JSON.stringify(w.byteOrder)} is not supported (little only)`);
  // Version 1: CRC-32 of the blob in weights.checksum. Version 2 (the reliability work): CRC-32 of the
  // manifest's JSON without its `checksum` key, continued over the blob, in manifest.checksum.
  const sum = m.formatVersion >= 2 ? (m as unknown as { checksum?: { algorithm?: string; value?: string } }).checksum : w.checksum;
  if (sum?.algorithm !== 'crc32' || !/^[0-9a-f]{8}$/.test(String(sum?.value))) fail(`${m.formatVersion >= 2 ? 'checksum' : 'weights.checksum'} must be { algorithm: "crc32", value: 8 hex digits }`);
  if (!Array.isArray(m.tensors)) fail('tensors must be an array');
  const seen = new Set<string>();
  for (const t of m.tensors as StoredTensor[]) {
    if (typeof t?.path !== 'string' || seen.has(t.path)) fail(`tensor ${JSON.stringify(t?.path)} is unnamed or appears twice`);
    seen.add(t.path);
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && d >= 0)) fail(`tensor ${t.path}: shape ${JSON.stringify(t.shape)} is not a list of sizes`);
    if (!Number.isInteger(t.byteOffset) || t.byteOffset < 0 || t.byteOffset % 4 !== 0) fail(`tensor ${t.path}: byteOffset ${t.byteOffset} is not a multiple of 4`);
    checkStoredTensor(t, w.byteLength, name);
    if (t.byteOffset + t.byteLength > w.byteLength) fail(`tensor ${t.path}: bytes ${t.byteOffset}..${t.byteOffset + t.byteLength} lie outside the ${w.byteLength}-byte blob`);
  }
  return m;
}

function checkVersion(version: unknown, name: string): void {
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) throw new CheckpointError(`${name}: invalid format version ${JSON.stringify(version)}`);
  if (version > INFER_FORMAT_VERSION) throw new CheckpointError(`${name}: format version ${version} was written by a newer fused-rnn; this version reads versions 1..${INFER_FORMAT_VERSION}`);
}

function checkBlob(m: Manifest, blob: Uint8Array, name: string): void {
  const want = m.weights.byteLength;
  if (blob.length < want) throw new CheckpointError(`${name}: truncated: the weights blob needs ${want} bytes, the file has only ${blob.length} (${want - blob.length} bytes missing)`);
  if (blob.length > want) throw new CheckpointError(`${name}: the weights blob has ${blob.length - want} bytes more than the ${want} the manifest describes`);
  if (m.formatVersion >= 2) {
    const stated = (m as unknown as { checksum: { value: string } }).checksum.value;
    const sum = manifestBlobChecksum(m, blob);
    if (sum !== stated) throw new CheckpointError(`${name}: checksum mismatch: the manifest and weights have CRC-32 ${sum}, the manifest says ${stated} (corrupt, edited or from another save)`);
    return;
  }
  const sum = crc32Hex(blob);
  if (sum !== m.weights.checksum!.value) throw new CheckpointError(`${name}: checksum mismatch: the weights blob has CRC-32 ${sum}, the manifest says ${m.weights.checksum!.value} (corrupt or from another save)`);
}

function done(manifest: Manifest, blob: Uint8Array, name: string): StoredCheckpoint {
  checkBlob(manifest, blob, name);
  return { manifest, tensors: manifest.tensors as StoredTensor[], blob, name };
}

/** Splits and checks a single-file checkpoint ("FRNN" | u32 version | u32 M | manifest | pad | blob). */
export function unpackCheckpoint(bytes: Uint8Array, name: string): StoredCheckpoint {
  if (bytes.length < 12) throw new CheckpointError(`${name}: truncated: the header needs 12 bytes, the file has ${bytes.length}`);
  const magic = String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]);
  if (magic !== 'FRNN') throw new CheckpointError(`${name}: not a fused-rnn checkpoint: the magic bytes are ${JSON.stringify(magic)}, expected "FRNN"`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true), M = view.getUint32(8, true);
  checkVersion(version, name);
  if (12 + M > bytes.length) throw new CheckpointError(`${name}: truncated: the manifest needs bytes 12..${12 + M}, the file has ${bytes.length} bytes`);
  const manifest = parseManifest(bytes.subarray(12, 12 + M), name);
  if (manifest.formatVersion !== version) throw new CheckpointError(`${name}: the header says format version ${version} but the manifest says ${manifest.formatVersion}`);
  return done(manifest, bytes.subarray(Math.min(align4(12 + M), bytes.length)), name);
}

async function fetchBytes(url: URL, name: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new CheckpointError(`${name}: cannot fetch the checkpoint (${(e as Error).message})`);
  }
  if (!res.ok) throw new CheckpointError(`${name}: cannot fetch the checkpoint (HTTP ${res.status})`);
  return new Uint8Array(await res.arrayBuffer());
}

async function fromBytesOrManifest(bytes: Uint8Array, name: string, base: URL | null): Promise<StoredCheckpoint> {
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  if (bytes[i] !== 0x7b) return unpackCheckpoint(bytes, name);
  const manifest = parseManifest(bytes, name);
  if (!base) throw new CheckpointError(`${name}: a model.json needs a URL to find its weights file next to it; load the URL instead`);
  const url = new URL(manifest.weights.file ?? 'weights.bin', base);
  return done(manifest, await fetchBytes(url, url.href), name);
}

async function readPath(path: string): Promise<StoredCheckpoint> {
  const fs = await import('node:fs/promises');
  const { join } = await import('node:path');
  let stat;
  try {
    stat = await fs.stat(path);
  } catch {
    throw new CheckpointError(`${path}: no such checkpoint file or directory`);
  }
  if (!stat.isDirectory()) return unpackCheckpoint(new Uint8Array(await fs.readFile(path)), path);
  const manifest = parseManifest(new Uint8Array(await fs.readFile(join(path, 'model.json'))), join(path, 'model.json'));
  // As src/io/node.ts: weights.bin, or weights.prev.bin when a save was interrupted after renaming the blob.
  let firstError: unknown = null;
  for (const file of [manifest.weights.file ?? 'weights.bin', 'weights.prev.bin']) {
    try {
      return done(manifest, new Uint8Array(await fs.readFile(join(path, file))), join(path, file));
    } catch (e) {
      firstError ??= e;
    }
  }
  throw firstError instanceof CheckpointError ? firstError : new CheckpointError(`${path}: cannot read the weights (${(firstError as Error).message})`);
}

/** Reads and checks a checkpoint from any source (path, URL, bytes, Response). */
export async function readStoredCheckpoint(source: InferSource): Promise<StoredCheckpoint> {
  if (source instanceof ArrayBuffer) return unpackCheckpoint(new Uint8Array(source), 'checkpoint bytes');
  if (ArrayBuffer.isView(source)) return unpackCheckpoint(new Uint8Array(source.buffer, source.byteOffset, source.byteLength), 'checkpoint bytes');
  if (typeof Response !== 'undefined' && source instanceof Response) {
    const name = source.url || 'response';
    if (!source.ok) throw new CheckpointError(`${name}: cannot fetch the checkpoint (HTTP ${source.status})`);
    return fromBytesOrManifest(new Uint8Array(await source.arrayBuffer()), name, source.url ? new URL(source.url) : null);
  }
  if (typeof source !== 'string' && !(source instanceof URL)) throw new CheckpointError(`loadInferenceModel: expected a path, URL, bytes or Response, got ${source === null ? 'null' : typeof source}`);
  const url = source instanceof URL ? source : hasScheme(source) ? new URL(source) : null;
  if (isNode() && (url === null || url.protocol === 'file:')) {
    const { fileURLToPath } = await import('node:url');
    return readPath(url ? fileURLToPath(url) : (source as string));
  }
  const target = url ?? new URL(source as string, globalThis.location?.href);
  return fromBytesOrManifest(await fetchBytes(target, target.href), target.href, target);
}
