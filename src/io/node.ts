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
import type { SaveOptions } from './quantize.js';
import { checkBlob, encodeCheckpoint, MANIFEST_FILE, packSingleFile, parseManifest, resolveLimits, unpackSingleFile, WEIGHTS_FILE, type Checkpoint, type CheckpointReadOptions } from './format.js';

/** The blob a directory save keeps while it replaces weights.bin (see the commit protocol above). */
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

/** `.<target>.<pid>-<time>-<rand>.tmp`: the temp files saves write (target = the .frnn name, weights.bin or model.json). */
const TEMP_NAME = /^\.(.+)\.(\d+)-([0-9a-z]+)-([0-9a-z]+)\.tmp$/;

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by someone else
  }
}

/**
 * Removes temp files that saves killed mid-way left in `dir` (for the given target names): those whose
 * writing process is gone, or older than a day whatever their pid says (pids are reused). Files being
 * written by a live save are left alone. Returns the paths removed. Best effort: errors are ignored.
 */
export async function cleanStaleTempFiles(dir: string, targets: readonly string[]): Promise<string[]> {
  const { fs, path: p } = await node();
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (!m || !targets.includes(m[1])) continue;
    const pid = Number(m[2]), born = parseInt(m[3], 36);
    const old = Number.isFinite(born) && Date.now() - born > 24 * 3600 * 1000;
    if (!old && processAlive(pid)) continue;
    const file = p.join(dir, name);
    try {
      const st = await fs.lstat(file);
      if (!st.isFile()) continue;
      await fs.rm(file);
      removed.push(file);
    } catch {
      // raced with another cleaner, or not ours to remove
    }
  }
  return removed;
}

async function exists(fs: Fs, file: string): Promise<boolean> {
  return fs.stat(file).then(() => true, () => false);
}

/**
 * Saves config + weights atomically: to a DIRECTORY (model.json + weights.bin), or to a single file when
 * `path` ends with ".frnn". A failed or interrupted save leaves the previous checkpoint at `path` loadable.
 */
export async function saveModel(model: Sequential, path: string, options: SaveOptions = {}): Promise<void> {
  const { fs, path: p } = await node();
  const single = path.toLowerCase().endsWith('.frnn');
  const id = tempId();
  const temps: string[] = [];
  try {
    if (single) {
      const bytes = packSingleFile(encodeCheckpoint(model, { weights: options.weights }));
      const dir = p.dirname(path);
      await fs.mkdir(dir, { recursive: true });
      await cleanStaleTempFiles(dir, [p.basename(path)]);
      const tmp = p.join(dir, `.${p.basename(path)}.${id}.tmp`);
      temps.push(tmp);
      await writeDurable(fs, tmp, bytes);
      await saveHook?.('temp-written');
      await fs.rename(tmp, path);
      await syncDir(fs, dir);
      await saveHook?.('manifest-renamed');
      return;
    }
    const cp = encodeCheckpoint(model, { weightsFile: WEIGHTS_FILE, weights: options.weights });
    await fs.mkdir(path, { recursive: true });
    await cleanStaleTempFiles(path, [WEIGHTS_FILE, MANIFEST_FILE]);
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
    try {
      const limit = resolveLimits(undefined).maxFileBytes;
      const m = parseManifest((await readRegularFile(manifest, limit, 'manifest'))!, manifest, { allowUnverified: true });
      checkBlob(m, (await readRegularFile(weights, limit, 'weights blob'))!, weights);
    } catch {
      return; // weights.bin does not belong to model.json: keep prev as it is
    }
  }
  await fs.rename(weights, prev);
}

/**
 * Reads a whole regular file, refusing anything else BEFORE reading: devices (/dev/zero), FIFOs, sockets,
 * directories, links to those, and files larger than `maxBytes`. Opened non-blocking, so a FIFO cannot hang
 * the open; the size and type come from the open handle (fstat), so a swap after a check cannot fool it,
 * and at most the fstat size is read. Missing files → null.
 */
export async function readRegularFile(file: string, maxBytes: number, what: string): Promise<Uint8Array | null> {
  const { fs } = await node();
  const { constants } = await import('node:fs');
  let h;
  try {
    h = await fs.open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new CheckpointError(`${file}: cannot open the ${what} (${code ?? (e as Error).message})`);
  }
  try {
    const st = await h.stat();
    if (!st.isFile()) {
      const kind = st.isDirectory() ? 'a directory' : st.isCharacterDevice() ? 'a character device' : st.isBlockDevice() ? 'a block device' : st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : 'not a regular file';
      throw new CheckpointError(`${file}: the ${what} must be a regular file, this is ${kind}`);
    }
    if (st.size > maxBytes) throw new CheckpointError(`${file}: the ${what} has ${st.size} bytes, more than limits.maxFileBytes = ${maxBytes}`);
    const out = new Uint8Array(st.size);
    let at = 0;
    while (at < out.length) {
      const { bytesRead } = await h.read(out, at, out.length - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return at === out.length ? out : out.subarray(0, at); // shrank while reading: the checks below name it truncated
  } finally {
    await h.close().catch(() => {});
  }
}

/** Reads a checkpoint from a directory, its model.json, or a single file; checks limits, sizes and checksum. */
export async function readCheckpointFile(path: string, options: CheckpointReadOptions = {}): Promise<{ checkpoint: Checkpoint; name: string }> {
  const { fs, path: p } = await node();
  const limits = resolveLimits(options.limits);
  let stat;
  try {
    stat = await fs.stat(path);
  } catch {
    throw new CheckpointError(`${path}: no checkpoint there (no such file or directory)`);
  }
  if (!stat.isDirectory() && p.basename(path) !== MANIFEST_FILE) {
    const bytes = await readRegularFile(path, limits.maxFileBytes, 'checkpoint');
    if (!bytes) throw new CheckpointError(`${path}: no checkpoint there (no such file or directory)`);
    return { checkpoint: unpackSingleFile(bytes, path, options), name: path };
  }
  const dir = stat.isDirectory() ? path : p.dirname(path);
  const manifestPath = p.join(dir, MANIFEST_FILE);
  const text = await readRegularFile(manifestPath, limits.maxManifestBytes, 'manifest');
  if (!text) throw new CheckpointError(`${manifestPath}: missing: ${dir} holds no fused-rnn checkpoint manifest`);
  const manifest = parseManifest(text, manifestPath, options);
  const file = manifest.weights.file ?? WEIGHTS_FILE;
  if (/[\\/]/.test(file) || file === '..' || file === '.') throw new CheckpointError(`${manifestPath}: invalid manifest: weights.file ${JSON.stringify(file)} must be a file name in the same directory`);
  const weightsPath = p.join(dir, file);
  let firstError: unknown;
  for (const candidate of [weightsPath, p.join(dir, PREVIOUS_WEIGHTS_FILE)]) {
    let blob: Uint8Array | null;
    try {
      blob = await readRegularFile(candidate, limits.maxFileBytes, 'weights blob');
    } catch (e) {
      firstError ??= e;
      continue;
    }
    if (!blob) {
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
