// A model directory as the CLI writes it: the checkpoint (src/io: model.json + weights.bin) plus task.json
// with what is needed to use the model on raw text (tokenizer, T, class names, or the char-LM shape).
//   DIR/model.json, DIR/weights.bin   the model (atomic writes, checksummed)
//   DIR/task.json                     { kind: 'text-classifier' | 'char-lm', tokenizer, ... }

import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { loadKernels, type Sequential } from '../src/index.js';
import { Tokenizer, type TokenizerJSON } from '../src/data/tokenizer.js';
import { CheckpointError } from '../src/errors.js';
import { loadModel, saveModel } from '../src/io/index.js';
import type { CharLm } from '../src/tasks/char-lm.js';

type TaskFile =
  | { kind: 'text-classifier'; tokenizer: TokenizerJSON; maxlen: number; classes: string[]; truncating?: 'pre' | 'post' }
  | { kind: 'char-lm'; tokenizer: TokenizerJSON; cell: 'lstm' | 'gru'; units: number; embeddingDim: number };

/**
 * Writes the whole directory under a temporary name beside `dir`, then swaps it in with renames, so an
 * interrupted run never leaves a half-written model directory: `dir` is either the old one or the new one.
 */
async function writeDirectory(dir: string, model: Sequential, task: TaskFile): Promise<void> {
  const parent = dirname(dir), name = basename(dir);
  await mkdir(parent, { recursive: true });
  const tmp = join(parent, `.${name}.${process.pid}.tmp`), old = join(parent, `.${name}.${process.pid}.old`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp);
  try {
    await saveModel(model, tmp);
    await writeFile(join(tmp, 'task.json'), JSON.stringify(task));
    const existed = await rename(dir, old).then(() => true, (e: NodeJS.ErrnoException) => { if (e.code === 'ENOENT') return false; throw e; });
    await rename(tmp, dir);
    if (existed) await rm(old, { recursive: true, force: true });
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** `classes`: the label of each class id (K >= 2); `truncating`: which end of long texts training cut. */
export async function saveTextClassifier(dir: string, model: Sequential, tokenizer: Tokenizer, maxlen: number, classes: readonly string[], truncating: 'pre' | 'post' = 'post'): Promise<void> {
  await writeDirectory(dir, model, { kind: 'text-classifier', tokenizer: tokenizer.toJSON(), maxlen, classes: classes.slice(), truncating });
}

export async function saveCharLm(dir: string, lm: CharLm): Promise<void> {
  await writeDirectory(dir, lm.model, { kind: 'char-lm', tokenizer: lm.tokenizer.toJSON(), cell: lm.cell, units: lm.units, embeddingDim: lm.embeddingDim });
}

export interface LoadedTask {
  kind: TaskFile['kind'];
  model: Sequential;
  tokenizer: Tokenizer;
  maxlen: number;
  /** Label of each class id (text classifiers). */
  classes: string[];
  truncating: 'pre' | 'post';
  lm: Pick<CharLm, 'model' | 'tokenizer' | 'cell' | 'units' | 'embeddingDim'> | null;
}

export async function loadTask(dir: string, want?: TaskFile['kind']): Promise<LoadedTask> {
  let task: TaskFile;
  try {
    task = JSON.parse(await readFile(join(dir, 'task.json'), 'utf8')) as TaskFile;
  } catch (e) {
    throw new CheckpointError(`${join(dir, 'task.json')}: cannot read the task description (${(e as Error).message}); is ${dir} a directory written by fused-rnn train/compare/lm train --out?`);
  }
  if (want && task.kind !== want) throw new CheckpointError(`${dir} holds a ${task.kind} model, this command needs a ${want}`);
  const model = await loadModel(dir, { kernels: await loadKernels() });
  const tokenizer = Tokenizer.fromJSON(task.tokenizer);
  if (task.kind === 'char-lm') {
    return { kind: task.kind, model, tokenizer, maxlen: 0, classes: [], truncating: 'post', lm: { model, tokenizer, cell: task.cell, units: task.units, embeddingDim: task.embeddingDim } };
  }
  return { kind: task.kind, model, tokenizer, maxlen: task.maxlen, classes: task.classes, truncating: task.truncating ?? 'post', lm: null };
}
