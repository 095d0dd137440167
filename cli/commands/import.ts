// `fused-rnn import <file> --out <dir>`: a Keras (.keras, .h5), TF.js (model.json) or ONNX model → a
// fused-rnn model directory (checkpoint + task.json of kind "imported"), printing the layer mapping table.
// `predict --model <dir>` on such a directory takes ids as JSON (--ids) or texts with a Keras tokenizer
// JSON (--tokenizer): see predictImported.
import { Command } from 'commander';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadKernels, padSequences, Tokenizer } from '../../src/index.js';
import { loadModel, saveModel } from '../../src/io/index.js';
import { importDetailed, type ImportFormat } from '../../src/interop/index.js';
import { ConfigError } from '../../src/errors.js';
import { emit, table } from '../output.js';

/** task.json of an imported model directory. */
interface ImportedTask {
  kind: 'imported';
  format: ImportFormat;
  source: string;
  layers: Array<{ source: string; target: string; params: number }>;
}

export function importCommand(): Command {
  return new Command('import')
    .description('import a Keras (.keras, .h5), TF.js (model.json) or ONNX model into a fused-rnn model directory')
    .argument('<file>', 'the model file (for TF.js: model.json, shards beside it)')
    .requiredOption('--out <dir>', 'the model directory to write')
    .option('--format <format>', 'keras | h5 | tfjs | onnx (default: detected from the content)')
    .option('--output <name>', 'ONNX: the graph output to import (default: the first)')
    .option('--json', 'print JSON')
    .action(async (file: string, o: { out: string; format?: ImportFormat; output?: string; json?: boolean }) => {
      if (o.format && !['keras', 'h5', 'tfjs', 'onnx'].includes(o.format)) throw new ConfigError(`import: --format must be keras, h5, tfjs or onnx, got ${JSON.stringify(o.format)}`);
      const r = await importDetailed(file, { format: o.format, output: o.output, kernels: await loadKernels() });
      await saveModel(r.model, o.out);
      const task: ImportedTask = { kind: 'imported', format: r.format, source: file, layers: r.layers };
      const tmp = join(o.out, `.task.json.${process.pid}.tmp`);
      await writeFile(tmp, JSON.stringify(task, null, 2));
      await rename(tmp, join(o.out, 'task.json'));
      const total = r.layers.reduce((a, l) => a + l.params, 0);
      emit(o, { format: r.format, out: o.out, layers: r.layers, params: total }, () => [
        `imported ${file} (${r.format}) → ${o.out}`,
        table(['source layer', 'fused-rnn layer', 'params'], [...r.layers.map((l) => [l.source, l.target, l.params] as Array<string | number>), ['total', '', total]]),
      ].join('\n'));
    });
}

/** Whether a model directory was written by `fused-rnn import`. */
export async function isImportedModel(dir: string): Promise<boolean> {
  try {
    return (JSON.parse(await readFile(join(dir, 'task.json'), 'utf8')) as { kind?: string }).kind === 'imported';
  } catch {
    return false;
  }
}

/** Options of predict on an imported model. */
export interface PredictImportedOptions {
  ids?: string;
  tokenizer?: string;
  maxlen?: number;
  json?: boolean;
}

/**
 * `predict --model <imported dir>`: ids as a JSON array of id arrays (--ids '[[3, 9, 4]]'), or texts turned
 * into ids by a Keras tokenizer JSON (--tokenizer tokenizer.json; Tokenizer.to_json()), padded as Keras'
 * pad_sequences does (padding and truncating 'pre', to --maxlen or the model's length or the longest text).
 */
export async function predictImported(dir: string, texts: string[], o: PredictImportedOptions): Promise<void> {
  const model = await loadModel(dir, { kernels: await loadKernels() });
  let sequences: number[][];
  if (o.ids !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(o.ids);
    } catch (e) {
      throw new ConfigError(`predict: --ids must be JSON, e.g. '[[3, 9, 4]]' (${(e as Error).message})`);
    }
    if (!Array.isArray(parsed) || parsed.length === 0) throw new ConfigError('predict: --ids must be a non-empty JSON array of id arrays');
    sequences = (Array.isArray(parsed[0]) ? parsed : [parsed]) as number[][];
  } else if (o.tokenizer) {
    if (!texts.length) throw new ConfigError('predict: give texts as arguments with --tokenizer');
    const tok = Tokenizer.fromJSON(await readFile(o.tokenizer, 'utf8'));
    sequences = tok.textsToSequences(texts);
  } else {
    throw new ConfigError(`predict: ${dir} holds an imported model: give ids with --ids '[[...]]' or texts with --tokenizer <keras tokenizer.json>`);
  }
  const fixedT = model.builtInputShape?.[0];
  const maxlen = o.maxlen ?? (typeof fixedT === 'number' ? fixedT : undefined);
  const padded = padSequences(sequences, maxlen ? { maxlen } : {});
  const out = await model.predict({ data: padded.data, shape: padded.shape });
  const per = out.data.length / out.shape[0];
  const rows = Array.from({ length: out.shape[0] }, (_, i) => Array.from(out.data.subarray(i * per, (i + 1) * per)));
  emit(o, { shape: out.shape, predictions: rows }, () => rows.map((r, i) => `${texts[i] ?? JSON.stringify(sequences[i])}\t${r.map((v) => v.toFixed(5)).join(' ')}`).join('\n'));
}
