// Public save/load API, for Node (paths) and browsers (bytes, URL, Response). Node file access lives in
// ./node.ts behind dynamic imports of node:* modules, so the browser bundle builds without them.

import { CheckpointError } from '../errors.js';
import { boolean, checkOptions, custom, describeValue, object, validateOptions, type Schema } from '../options/schema.js';
import type { Model as Sequential } from '../model/model.js';
import type { Sequential as SequentialModel } from '../model/sequential.js';
import { applyWeights, checkBlob, encodeCheckpoint, packSingleFile, parseManifest, resolveLimits, restoreModel, unpackSingleFile, WEIGHTS_FILE, type Checkpoint, type CheckpointReadOptions, type RestoreOptions } from './format.js';
import { isNode } from './node.js';
import type { SaveOptions } from './quantize.js';

export type { SaveOptions } from './quantize.js';

/** Where a checkpoint comes from: a path (Node), a URL, the bytes of a single-file checkpoint, or a fetch Response. */
export type CheckpointSource = string | URL | ArrayBuffer | ArrayBufferView | Response;

/** The single-file checkpoint ("FRNN" container) of a built model, e.g. to download or store in IndexedDB. */
export function saveModelToBytes(model: Sequential, options: SaveOptions = {}): Uint8Array {
  checkModel(model, 'saveModelToBytes');
  checkOptions('saveModelToBytes', options); // issue 16: null or non-object options are an OptionError
  return packSingleFile(encodeCheckpoint(model, { weights: options.weights }));
}

function checkModel(model: unknown, call: string): asserts model is Sequential {
  const m = model as { getWeights?: unknown; paramTable?: unknown } | null;
  if (typeof m !== 'object' || m === null || typeof m.getWeights !== 'function') {
    throw new CheckpointError(`${call}: model must be a Sequential model, got ${describeValue(model)}`);
  }
}

/** Saves to a directory (model.json + weights.bin) or, for a path ending in ".frnn", one file. Node only; atomic. */
export async function saveModel(model: Sequential, path: string, options: SaveOptions = {}): Promise<void> {
  checkModel(model, 'saveModel');
  if (typeof path !== 'string' || path.length === 0) throw new CheckpointError(`saveModel: path must be a non-empty string, got ${describeValue(path)}`);
  checkOptions('saveModel', options); // issue 16: null or non-object options are an OptionError
  const { saveModel: save } = await import('./node.js');
  return save(model, path, options);
}

/**
 * Loads a model saved by saveModel/saveModelToBytes: rebuilds it from its config, checks every tensor's
 * shape, sets the weights and restores the compile config (optimizer state starts fresh). A Sequential
 * checkpoint gives a Sequential (the default type); for a functional one write loadModel<Model>(...).
 */
export async function loadModel<M extends Sequential = SequentialModel>(source: CheckpointSource, options: RestoreOptions = {}): Promise<M> {
  validateOptions('loadModel', options, LOAD_OPTIONS, { what: 'the load options' });
  const { checkpoint, name } = await readCheckpoint(source, options);
  return (await restoreModel(checkpoint, name, options)) as M;
}

const LOAD_OPTIONS: Schema = {
  kernels: custom('a Kernels object (from loadKernels())', (v) => typeof v === 'object' && v !== null && typeof (v as { arena?: unknown }).arena === 'object'),
  compile: boolean(), allowUnverified: boolean(), limits: object('an object of limits (maxFileBytes, maxManifestBytes, maxParams, maxLayers)'),
};

/** Loads only the weights into a built model with the same tensors; on any error the model is unchanged. */
export async function loadWeights(model: Sequential, source: CheckpointSource, options: CheckpointReadOptions = {}): Promise<void> {
  checkModel(model, 'loadWeights');
  validateOptions('loadWeights', options, { allowUnverified: boolean(), limits: LOAD_OPTIONS.limits }, { what: 'the load options' });
  const { checkpoint, name } = await readCheckpoint(source, options);
  applyWeights(model, checkpoint, name);
}

const hasScheme = (s: string) => /^[a-z][a-z0-9+.-]*:/i.test(s) && !/^[a-z]:[\\/]/i.test(s); // not a Windows drive

/** Reads and checks (magic, version, sizes, checksum) a checkpoint from any source. */
export async function readCheckpoint(source: CheckpointSource, options: CheckpointReadOptions = {}): Promise<{ checkpoint: Checkpoint; name: string }> {
  validateOptions('readCheckpoint', options, { allowUnverified: boolean(), limits: LOAD_OPTIONS.limits }, { what: 'the read options', allowUnknown: true });
  if (source instanceof ArrayBuffer) return { checkpoint: unpackSingleFile(new Uint8Array(source), 'checkpoint bytes', options), name: 'checkpoint bytes' };
  if (ArrayBuffer.isView(source)) {
    const bytes = new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    return { checkpoint: unpackSingleFile(bytes, 'checkpoint bytes', options), name: 'checkpoint bytes' };
  }
  if (typeof Response !== 'undefined' && source instanceof Response) return fromResponse(source, source.url || 'response', options);
  if (!(source instanceof URL) && (typeof source !== 'string' || source.length === 0)) {
    throw new CheckpointError(`loadModel: source must be a path, a URL, bytes (ArrayBuffer / Uint8Array) or a Response, got ${describeValue(source)}`);
  }
  const src = source as string | URL;
  let url: URL | null;
  try {
    url = src instanceof URL ? src : hasScheme(src) ? new URL(src) : null;
  } catch {
    throw new CheckpointError(`${String(src)}: not a valid URL`);
  }
  if (isNode() && (url === null || url.protocol === 'file:')) {
    const { readCheckpointFile } = await import('./node.js');
    let path: string;
    if (url) {
      const { fileURLToPath } = await import('node:url');
      path = fileURLToPath(url);
    } else {
      path = src as string;
    }
    return readCheckpointFile(path, options);
  }
  let target: URL;
  try {
    target = url ?? new URL(src as string, globalThis.location?.href);
  } catch {
    throw new CheckpointError(`${String(src)}: not a valid URL or path`);
  }
  return fromResponse(await fetchOrThrow(target), target.href, options);
}

async function fetchOrThrow(url: URL): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new CheckpointError(`${url.href}: cannot fetch the checkpoint (${(e as Error).message})`);
  }
  if (!res.ok) throw new CheckpointError(`${url.href}: cannot fetch the checkpoint (HTTP ${res.status})`);
  return res;
}

/** A single-file checkpoint, or a model.json whose blob (weights.bin) is fetched next to it. */
async function fromResponse(res: Response, name: string, options: CheckpointReadOptions): Promise<{ checkpoint: Checkpoint; name: string }> {
  if (!res.ok) throw new CheckpointError(`${name}: cannot fetch the checkpoint (HTTP ${res.status})`);
  const limits = resolveLimits(options.limits);
  const bytes = await readBounded(res, limits.maxFileBytes, name);
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  if (bytes[i] !== 0x7b /* '{' */) return { checkpoint: unpackSingleFile(bytes, name, options), name };
  const manifest = parseManifest(bytes, name, options);
  const file = manifest.weights.file ?? WEIGHTS_FILE;
  const base = res.url ? new URL(res.url) : null;
  if (!base) throw new CheckpointError(`${name}: a model.json Response needs a URL to find ${file} next to it; load the URL instead`);
  const weightsUrl = new URL(file, base);
  const blob = await readBounded(await fetchOrThrow(weightsUrl), limits.maxFileBytes, weightsUrl.href);
  checkBlob(manifest, blob, weightsUrl.href);
  return { checkpoint: { manifest, blob }, name };
}

/** A response body, read chunk by chunk and abandoned as soon as it passes `max` bytes (an endless stream cannot exhaust memory). */
async function readBounded(res: Response, max: number, name: string): Promise<Uint8Array> {
  const declared = Number(res.headers?.get?.('content-length'));
  if (Number.isFinite(declared) && declared > max) throw new CheckpointError(`${name}: the response declares ${declared} bytes, more than limits.maxFileBytes = ${max}`);
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > max) {
      await reader.cancel().catch(() => {});
      throw new CheckpointError(`${name}: the response has more than limits.maxFileBytes = ${max} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}
