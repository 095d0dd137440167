// The page's model file (".frnt", fused-rnn text classifier): everything needed to classify raw text.
//   bytes 0..3    ASCII "FRNT"
//   bytes 4..7    u32 little-endian container version (1)
//   bytes 8..11   u32 little-endian header length H
//   bytes 12..    H bytes of UTF-8 JSON: the CLI's task.json ({ kind: "text-classifier", tokenizer, maxlen,
//                 classes }) plus `info` (cell, embeddings, test accuracy, …; informational only)
//   then          the single-file checkpoint ("FRNN" container of src/io, saveModelToBytes) to the end
// See docs/web.md.
import type { TokenizerJSON } from '../../src/data/tokenizer.js';

export const FRNT_MAGIC = 'FRNT';
export const FRNT_VERSION = 1;

export interface TextModelHeader {
  kind: 'text-classifier';
  tokenizer: TokenizerJSON;
  maxlen: number;
  /** Label of each class (output order): two for the binary models, K for multi-class and multi-label ones. */
  classes: string[];
  /** K sigmoids (labels above 0.5), not one class. */
  multiLabel?: boolean;
  info?: Record<string, unknown>;
}

export class ModelFileError extends Error {
  override name = 'ModelFileError';
}

export function encodeModelFile(header: TextModelHeader, checkpoint: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(12 + json.length + checkpoint.length);
  out.set(new TextEncoder().encode(FRNT_MAGIC), 0);
  const view = new DataView(out.buffer);
  view.setUint32(4, FRNT_VERSION, true);
  view.setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(checkpoint, 12 + json.length);
  return out;
}

const ascii = (b: Uint8Array) => String.fromCharCode(...b);

/** Splits a model file into its header and a copy of the checkpoint bytes (a copy, so f32 data is aligned). */
export function decodeModelFile(bytes: Uint8Array, name = 'model file'): { header: TextModelHeader; checkpoint: Uint8Array } {
  if (bytes.length < 12) throw new ModelFileError(`${name}: ${bytes.length} bytes is too short for a model file`);
  const magic = ascii(bytes.subarray(0, 4));
  if (magic === 'FRNN') {
    throw new ModelFileError(`${name}: a bare checkpoint (FRNN) has no tokenizer; load a .frnt file downloaded from this page`);
  }
  if (magic !== FRNT_MAGIC) throw new ModelFileError(`${name}: not a fused-rnn text model (starts with ${JSON.stringify(magic)}, expected "FRNT")`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true), length = view.getUint32(8, true);
  if (version < 1 || version > FRNT_VERSION) throw new ModelFileError(`${name}: container version ${version}; this page reads version ${FRNT_VERSION}`);
  if (12 + length > bytes.length) throw new ModelFileError(`${name}: header of ${length} bytes runs past the end of the file (${bytes.length} bytes)`);
  let header: TextModelHeader;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(12, 12 + length))) as TextModelHeader;
  } catch (e) {
    throw new ModelFileError(`${name}: the header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (header?.kind !== 'text-classifier') throw new ModelFileError(`${name}: header kind is ${JSON.stringify(header?.kind)}, expected "text-classifier"`);
  if (!Number.isInteger(header.maxlen) || header.maxlen < 1) throw new ModelFileError(`${name}: header maxlen ${JSON.stringify(header.maxlen)} is not a positive integer`);
  return { header, checkpoint: bytes.slice(12 + length) };
}
