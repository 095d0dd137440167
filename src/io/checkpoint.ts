// Public save/load API, for Node (paths) and browsers (bytes, URL, Response). Node file access lives in
// ./node.ts behind dynamic imports of node:* modules, so the browser bundle builds without them.

import { CheckpointError } from '../errors.js';
import type { Model as Sequential } from '../model/model.js';
import type { Sequential as SequentialModel } from '../model/sequential.js';
import { applyWeights, checkBlob, encodeCheckpoint, packSingleFile, parseManifest, restoreModel, unpackSingleFile, WEIGHTS_FILE, type Checkpoint, type RestoreOptions } from './format.js';
import { isNode } from './node.js';

/** Where a checkpoint comes from: a path (Node), a URL, the bytes of a single-file checkpoint, or a fetch Response. */
export type CheckpointSource = string | URL | ArrayBuffer | ArrayBufferView | Response;

/** The single-file checkpoint ("FRNN" container) of a built model, e.g. to download or store in IndexedDB. */
export function saveModelToBytes(model: Sequential): Uint8Array {
  return packSingleFile(encodeCheckpoint(model));
}

/** Saves to a directory (model.json + weights.bin) or, for a path ending in ".frnn", one file. Node only; atomic. */
export async function saveModel(model: Sequential, path: string): Promise<void> {
  const { saveModel: save } = await import('./node.js');
  return save(model, path);
}

/**
 * Loads a model saved by saveModel/saveModelToBytes: rebuilds it from its config, checks every tensor's
 * shape, sets the weights and restores the compile config (optimizer state starts fresh). A Sequential
 * checkpoint gives a Sequential (the default type); for a functional one write loadModel<Model>(...).
 */
export async function loadModel<M extends Sequential = SequentialModel>(source: CheckpointSource, options: RestoreOptions = {}): Promise<M> {
  const { checkpoint, name } = await readCheckpoint(source);
  return (await restoreModel(checkpoint, name, options)) as M;
}

/** Loads only the weights into a built model with the same tensors; on any error the model is unchanged. */
export async function loadWeights(model: Sequential, source: CheckpointSource): Promise<void> {
  const { checkpoint, name } = await readCheckpoint(source);
  applyWeights(model, checkpoint, name);
}

const hasScheme = (s: string) => /^[a-z][a-z0-9+.-]*:/i.test(s) && !/^[a-z]:[\\/]/i.test(s); // not a Windows drive

/** Reads and checks (magic, version, sizes, checksum) a checkpoint from any source. */
export async function readCheckpoint(source: CheckpointSource): Promise<{ checkpoint: Checkpoint; name: string }> {
  if (source instanceof ArrayBuffer) return { checkpoint: unpackSingleFile(new Uint8Array(source), 'checkpoint bytes'), name: 'checkpoint bytes' };
  if (ArrayBuffer.isView(source)) {
    const bytes = new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    return { checkpoint: unpackSingleFile(bytes, 'checkpoint bytes'), name: 'checkpoint bytes' };
  }
  if (typeof Response !== 'undefined' && source instanceof Response) return fromResponse(source, source.url || 'response');
  const src = source as string | URL;
  const url = src instanceof URL ? src : hasScheme(src) ? new URL(src) : null;
  if (isNode() && (url === null || url.protocol === 'file:')) {
    const { readCheckpointFile } = await import('./node.js');
    let path: string;
    if (url) {
      const { fileURLToPath } = await import('node:url');
      path = fileURLToPath(url);
    } else {
      path = src as string;
    }
    return readCheckpointFile(path);
  }
  const target = url ?? new URL(src as string, globalThis.location?.href);
  return fromResponse(await fetchOrThrow(target), target.href);
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
async function fromResponse(res: Response, name: string): Promise<{ checkpoint: Checkpoint; name: string }> {
  if (!res.ok) throw new CheckpointError(`${name}: cannot fetch the checkpoint (HTTP ${res.status})`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  if (bytes[i] !== 0x7b /* '{' */) return { checkpoint: unpackSingleFile(bytes, name), name };
  const manifest = parseManifest(bytes, name);
  const file = manifest.weights.file ?? WEIGHTS_FILE;
  const base = res.url ? new URL(res.url) : null;
  if (!base) throw new CheckpointError(`${name}: a model.json Response needs a URL to find ${file} next to it; load the URL instead`);
  const weightsUrl = new URL(file, base);
  const blob = new Uint8Array(await (await fetchOrThrow(weightsUrl)).arrayBuffer());
  checkBlob(manifest, blob, weightsUrl.href);
  return { checkpoint: { manifest, blob }, name };
}
