// Node file I/O for checkpoints: atomic saves (temp file in the same directory, fsync, rename) and loads of
// both containers. Node APIs are imported dynamically so browser bundles, which never call this, still build.
//
// Directory form commit protocol (the manifest rename is the commit point):
//   1. write .weights.bin.<id>.tmp and .model.json.<id>.tmp, fsync both
//   2. keep the blob the CURRENT model.json describes as weights.prev.bin
//   3. rename the new blob to weights.bin          (old model.json + new weights.bin: load uses prev)
//   4. rename the new manifest to model.json, fsync the directory, delete weights.prev.bin
// A crash at any point leaves model.json with a blob matching its checksum (weights.bin or weights.prev.bin).

import { CheckpointError } from '../errors.js';
import type { Model as Sequential } from '../model/model.js';
import { checkBlob, encodeCheckpoint, MANIFEST_FILE, packSingleFile, parseManifest, unpackSingleFile, WEIGHTS_FILE, type Checkpoint } from './format.js';

export const PREVIOUS_WEIGHTS_FILE = 'weights.prev.bin';

export type SaveStage = 'temp-written' | 'previous-kept' | 'weights-renamed' | 'manifest-renamed';
type SaveHook = (stage: SaveStage) => void | Promise<void>;
let saveHook: SaveHook | null = null;

/**
 * Test hook: called at each stage of a save; throwing simulates a crash there (temp files are then
 * removed, as the next save would ignore them anyway). Pass null to clear.
 */
export function setSaveHookForTesting(hook: SaveHook | null): void {
  saveHook = hook;
}

export function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

async function node() {
  if (!isNode()) throw new CheckpointError('saving to or loading from a file path needs Node; in browsers use saveModelToBytes() and loadModel(ArrayBuffer | URL)');
  const [fs, path] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  return { fs, path };
}

type Fs = Awaited<ReturnType<typeof node>>['fs'];

async function writeDurable(fs: Fs, file: string, bytes: Uint8Array): Promise<void> {
  const h = await fs.open(file, 'wx');
  try {
    await h.writeFile(bytes);
    await h.sync();
  } finally {
    await h.close();
  }
}

/** fsync a directory so the renames in it are durable (not supported everywhere: best effort). */
async function syncDir(fs: Fs, dir: string): Promise<void> {
  let h;
  try {
    h = await fs.open(dir, 'r');
    await h.sync();
  } catch {
    // Windows and some file systems cannot open or sync directories.
  } finally {
    await h?.close().catch(() => {});
  }
}

const tempId = () => `${isNode() ? process.pid : 0}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

async function exists(fs: Fs, file: string): Promise<boolean> {
  return fs.stat(file).then(() => true, () => false);
}

/**
 * Saves config + weights atomically: to a DIRECTORY (model.json + weights.bin), or to a single file when
 * `path` ends with ".frnn". A failed or interrupted save leaves the previous checkpoint at `path` loadable.
 */
export async function saveModel(model: Sequential, path: string): Promise<void> {
  const { fs, path: p } = await node();
  const single = path.toLowerCase().endsWith('.frnn');
  const id = tempId();
  const temps: string[] = [];
  try {
    if (single) {
      const bytes = packSingleFile(encodeCheckpoint(model));
      const dir = p.dirname(path);
      await fs.mkdir(dir, { recursive: true });
      const tmp = p.join(dir, `.${p.basename(path)}.${id}.tmp`);
      temps.push(tmp);
      await writeDurable(fs, tmp, bytes);
      await saveHook?.('temp-written');
      await fs.rename(tmp, path);
      await syncDir(fs, dir);
      await saveHook?.('manifest-renamed');
      return;
    }
    const cp = encodeCheckpoint(model, { weightsFile: WEIGHTS_FILE });
    await fs.mkdir(path, { recursive: true });
    const weights = p.join(path, WEIGHTS_FILE), manifest = p.join(path, MANIFEST_FILE), prev = p.join(path, PREVIOUS_WEIGHTS_FILE);
    const tmpW = p.join(path, `.${WEIGHTS_FILE}.${id}.tmp`), tmpM = p.join(path, `.${MANIFEST_FILE}.${id}.tmp`);
    temps.push(tmpW, tmpM);
    await writeDurable(fs, tmpW, cp.blob);
    await writeDurable(fs, tmpM, new TextEncoder().encode(JSON.stringify(cp.manifest, null, 1)));
    await saveHook?.('temp-written');
    await keepCurrentBlob(fs, manifest, weights, prev);
    await saveHook?.('previous-kept');
    await fs.rename(tmpW, weights);
    await saveHook?.('weights-renamed');
    await fs.rename(tmpM, manifest);
    await syncDir(fs, path);
    await saveHook?.('manifest-renamed');
    await fs.rm(prev, { force: true });
  } catch (e) {
    await Promise.all(temps.map((t) => fs.rm(t, { force: true }).catch(() => {})));
    throw e;
  }
}

/**
 * Before weights.bin is replaced: make weights.prev.bin the blob that the current model.json describes.
 * No prev file means the last save completed, so weights.bin is that blob; with a prev file left by an
 * interrupted save, whichever of the two matches the manifest's checksum is kept.
 */
async function keepCurrentBlob(fs: Fs, manifest: string, weights: string, prev: string): Promise<void> {
  if (!(await exists(fs, manifest)) || !(await exists(fs, weights))) return;
  if (await exists(fs, prev)) {
    let m;
    try {
      m = parseManifest(await fs.readFile(manifest), manifest);
      checkBlob(m, await fs.readFile(weights), weights);
    } catch {
      return; // weights.bin does not belong to model.json: keep prev as it is
    }
  }
  await fs.rename(weights, prev);
}

/** Reads a checkpoint from a directory, its model.json, or a single file; checks sizes and checksum. */
export async function readCheckpointFile(path: string): Promise<{ checkpoint: Checkpoint; name: string }> {
  const { fs, path: p } = await node();
  let stat;
  try {
    stat = await fs.stat(path);
  } catch {
    throw new CheckpointError(`${path}: no checkpoint there (no such file or directory)`);
  }
  if (!stat.isDirectory() && p.basename(path) !== MANIFEST_FILE) {
    return { checkpoint: unpackSingleFile(new Uint8Array(await fs.readFile(path)), path), name: path };
  }
  const dir = stat.isDirectory() ? path : p.dirname(path);
  const manifestPath = p.join(dir, MANIFEST_FILE);
  let text: Uint8Array;
  try {
    text = await fs.readFile(manifestPath);
  } catch {
    throw new CheckpointError(`${manifestPath}: missing: ${dir} holds no fused-rnn checkpoint manifest`);
  }
  const manifest = parseManifest(text, manifestPath);
  const file = manifest.weights.file ?? WEIGHTS_FILE;
  if (/[\\/]/.test(file) || file === '..' || file === '.') throw new CheckpointError(`${manifestPath}: invalid manifest: weights.file ${JSON.stringify(file)} must be a file name in the same directory`);
  const weightsPath = p.join(dir, file);
  let firstError: unknown;
  for (const candidate of [weightsPath, p.join(dir, PREVIOUS_WEIGHTS_FILE)]) {
    let blob: Uint8Array;
    try {
      blob = new Uint8Array(await fs.readFile(candidate));
    } catch {
      firstError ??= new CheckpointError(`${candidate}: missing: the weights blob of ${manifestPath}`);
      continue;
    }
    try {
      checkBlob(manifest, blob, candidate);
      return { checkpoint: { manifest, blob }, name: dir };
    } catch (e) {
      firstError ??= e;
    }
  }
  throw firstError;
}
