// A model directory as the CLI writes it: the checkpoint (src/io: model.json + weights.bin) plus task.json
// with what is needed to use the model on raw text (tokenizer, T, class names, or the char-LM shape).
//   DIR/model.json, DIR/weights.bin   the model (atomic writes, checksummed)
//   DIR/task.json                     { kind: 'text-classifier' | 'char-lm', tokenizer, ... }
//
// Writing --out DIR never deletes what the command did not create, and a kill at any moment leaves a model:
//   0. before training: DIR must be absent, an empty directory, or a fused-rnn model directory (model.json
//      and task.json); a regular file or another non-empty directory is refused (--force: replace it);
//   1. write the new directory beside DIR as .DIR.<pid>-<time>-<rand>.tmp;
//   2. rename DIR → .DIR.<id>.old (the backup), 3. rename the new one → DIR, 4. delete the backup.
// A kill between 2 and 3 leaves no DIR but a complete backup: every later run (save or load) first renames
// the newest backup of a dead process back to DIR, then deletes dead processes' temp directories and backups.

import { lstat, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { loadKernels, type Sequential } from '../src/index.js';
import { Tokenizer, type TokenizerJSON } from '../src/data/tokenizer.js';
import { CheckpointError } from '../src/errors.js';
import { loadModel, saveModel } from '../src/io/index.js';
import type { CharLm } from '../src/tasks/char-lm.js';
import { CliError } from './errors.js';

type TaskFile =
  | { kind: 'text-classifier'; tokenizer: TokenizerJSON; maxlen: number; classes: string[]; truncating?: 'pre' | 'post'; multiLabel?: boolean; labelSeparator?: string }
  | { kind: 'char-lm'; tokenizer: TokenizerJSON; cell: 'lstm' | 'gru'; units: number; embeddingDim: number };

/** Test hook: called between the steps of the swap; throwing or exiting there simulates a kill. */
export type SwapStage = 'written' | 'old-moved' | 'new-moved';
let swapHook: ((stage: SwapStage) => void | Promise<void>) | null = process.env.FUSED_RNN_TEST_KILL_AT
  ? (stage) => { if (stage === process.env.FUSED_RNN_TEST_KILL_AT) process.kill(process.pid, 'SIGKILL'); }
  : null;
/** Sets the swap test hook (null clears it). */
export function setSwapHookForTesting(hook: typeof swapHook): void {
  swapHook = hook;
}

const SIDE = (name: string) => new RegExp(`^\\.${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)-([0-9a-z]+)-([0-9a-z]+)\\.(tmp|old)$`);

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function kind(path: string): Promise<'missing' | 'dir' | 'file' | 'other'> {
  try {
    const st = await lstat(path);
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
  } catch {
    return 'missing';
  }
}

async function isModelDir(dir: string): Promise<boolean> {
  return (await kind(join(dir, 'model.json'))) === 'file' && (await kind(join(dir, 'task.json'))) === 'file';
}

/**
 * Recovers DIR after a killed save (see the header): restores the newest backup when DIR is missing, then
 * removes the temp directories and backups that dead runs left beside DIR. Returns what it did, for tests.
 */
export async function recoverModelDir(dir: string): Promise<{ restored: string | null; removed: string[] }> {
  const parent = dirname(dir), name = basename(dir), re = SIDE(name);
  let entries: string[];
  try {
    entries = await readdir(parent);
  } catch {
    return { restored: null, removed: [] };
  }
  const dead = entries.map((e) => ({ e, m: re.exec(e) })).filter((x) => x.m && !alive(Number(x.m[1])))
    .map((x) => ({ path: join(parent, x.e), type: x.m![4], time: parseInt(x.m![2], 36) }));
  let restored: string | null = null;
  if ((await kind(dir)) === 'missing') {
    const backups = dead.filter((d) => d.type === 'old').sort((a, b) => b.time - a.time);
    for (const b of backups) {
      if (!(await isModelDir(b.path))) continue;
      await rename(b.path, dir);
      restored = b.path;
      break;
    }
  }
  const removed: string[] = [];
  for (const d of dead) {
    if (d.path === restored || (await kind(d.path)) !== 'dir') continue;
    await rm(d.path, { recursive: true, force: true });
    removed.push(d.path);
  }
  return { restored, removed };
}

/**
 * Checks an --out target before any work (and again before the swap): absent, an empty directory, or a
 * fused-rnn model directory; anything else is refused with a CliError unless `force`.
 */
export async function checkOutTarget(dir: string, force = false): Promise<void> {
  if (typeof dir !== 'string' || dir.trim() === '') throw new CliError('--out needs a directory path');
  await recoverModelDir(dir);
  const k = await kind(dir);
  if (k === 'missing') return;
  if (k !== 'dir') {
    if (force && k === 'file') return;
    throw new CliError(`--out ${dir}: ${k === 'file' ? 'is a file' : 'exists and is not a directory'}; refusing to replace it (choose another path${k === 'file' ? ', or --force to replace the file' : ''})`);
  }
  if (await isModelDir(dir)) return;
  const entries = await readdir(dir);
  if (entries.length === 0 || force) return;
  throw new CliError(`--out ${dir}: a non-empty directory that is not a fused-rnn model (${entries.length} entries, e.g. ${entries.slice(0, 3).join(', ')}); refusing to replace it (choose another path, or --force)`);
}

/**
 * Writes the whole directory under a temporary name beside `dir`, then swaps it in with renames, so an
 * interrupted run never leaves a half-written model directory nor no model at all (see the header).
 */
async function writeDirectory(dir: string, model: Sequential, task: TaskFile, force: boolean): Promise<void> {
  const parent = dirname(dir), name = basename(dir);
  await mkdir(parent, { recursive: true });
  await checkOutTarget(dir, force);
  const id = `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const tmp = join(parent, `.${name}.${id}.tmp`), old = join(parent, `.${name}.${id}.old`);
  await mkdir(tmp);
  let moved = false;
  try {
    await saveModel(model, tmp);
    await writeFile(join(tmp, 'task.json'), JSON.stringify(task));
    await swapHook?.('written');
    moved = await rename(dir, old).then(() => true, (e: NodeJS.ErrnoException) => { if (e.code === 'ENOENT') return false; throw e; });
    await swapHook?.('old-moved');
    await rename(tmp, dir);
    await swapHook?.('new-moved');
  } catch (e) {
    if (moved && (await kind(dir)) === 'missing') await rename(old, dir).catch(() => {});
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  if (moved) await rm(old, { recursive: true, force: true });
}

/**
 * Saves a text classifier (model, tokenizer, T, class names) to `dir` (see writeDirectory). `classes`: the
 * label of each class id (K >= 2); `truncating`: which end of long texts training cut; `labelSeparator`: a
 * multi-label model (K sigmoids) and what joined the labels in its training file.
 */
export async function saveTextClassifier(dir: string, model: Sequential, tokenizer: Tokenizer, maxlen: number, classes: readonly string[], truncating: 'pre' | 'post' = 'post', force = false, labelSeparator?: string): Promise<void> {
  const multi = labelSeparator !== undefined ? { multiLabel: true, labelSeparator } : {};
  await writeDirectory(dir, model, { kind: 'text-classifier', tokenizer: tokenizer.toJSON(), maxlen, classes: classes.slice(), truncating, ...multi }, force);
}

/** Saves a character language model to `dir` (see writeDirectory). */
export async function saveCharLm(dir: string, lm: CharLm, force = false): Promise<void> {
  await writeDirectory(dir, lm.model, { kind: 'char-lm', tokenizer: lm.tokenizer.toJSON(), cell: lm.cell, units: lm.units, embeddingDim: lm.embeddingDim }, force);
}

/** A loaded model directory: the model, its tokenizer and the task's settings. */
export interface LoadedTask {
  kind: TaskFile['kind'];
  model: Sequential;
  tokenizer: Tokenizer;
  maxlen: number;
  /** Label of each class id (text classifiers). */
  classes: string[];
  truncating: 'pre' | 'post';
  /** Multi-label classifier: the separator its training labels used; null for single-label models. */
  labelSeparator: string | null;
  lm: Pick<CharLm, 'model' | 'tokenizer' | 'cell' | 'units' | 'embeddingDim'> | null;
}

/** Loads a model directory written by train/compare/lm train --out (after recovering an interrupted save). */
export async function loadTask(dir: string, want?: TaskFile['kind']): Promise<LoadedTask> {
  await recoverModelDir(dir);
  let task: TaskFile;
  try {
    const file = join(dir, 'task.json');
    if ((await kind(file)) !== 'file') throw new Error(await kind(dir) === 'missing' ? `${dir} does not exist` : 'missing or not a regular file');
    task = JSON.parse(await readFile(file, 'utf8')) as TaskFile;
    if (!task || typeof task !== 'object' || (task.kind !== 'text-classifier' && task.kind !== 'char-lm')) throw new Error('not a task description');
  } catch (e) {
    throw new CheckpointError(`${join(dir, 'task.json')}: cannot read the task description (${(e as Error).message}); is ${dir} a directory written by fused-rnn train/compare/lm train --out?`);
  }
  if (want && task.kind !== want) throw new CheckpointError(`${dir} holds a ${task.kind} model, this command needs a ${want}`);
  const model = await loadModel(dir, { kernels: await loadKernels() });
  let tokenizer: Tokenizer;
  try {
    tokenizer = Tokenizer.fromJSON(task.tokenizer);
  } catch (e) {
    throw new CheckpointError(`${join(dir, 'task.json')}: invalid tokenizer (${(e as Error).message})`);
  }
  if (task.kind === 'char-lm') {
    return { kind: task.kind, model, tokenizer, maxlen: 0, classes: [], truncating: 'post', labelSeparator: null, lm: { model, tokenizer, cell: task.cell, units: task.units, embeddingDim: task.embeddingDim } };
  }
  const labelSeparator = task.multiLabel ? (typeof task.labelSeparator === 'string' && task.labelSeparator !== '' ? task.labelSeparator : '|') : null;
  return { kind: task.kind, model, tokenizer, maxlen: task.maxlen, classes: task.classes, truncating: task.truncating ?? 'post', labelSeparator, lm: null };
}
