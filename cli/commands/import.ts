// `fused-rnn import <file> --out <dir>`: a Keras (.keras, .h5), TF.js (model.json) or ONNX model → a
// fused-rnn model directory (checkpoint + task.json of kind "imported"), printing the layer mapping table.
// `predict --model <dir>` on such a directory takes ids as JSON (--ids) or texts with a Keras tokenizer
// JSON (--tokenizer): see predictImported.
import { Command } from 'commander';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadKernels, padSequences, Tokenizer, type Prediction } from '../../src/index.js';
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
    .option('--output <names>', 'ONNX: the graph output(s) to import, comma-separated (default: all)')
    .option('--json', 'print JSON')
    .action(async (file: string, o: { out: string; format?: ImportFormat; output?: string; json?: boolean }) => {
      if (o.format && !['keras', 'h5', 'tfjs', 'onnx'].includes(o.format)) throw new ConfigError(`import: --format must be keras, h5, tfjs or onnx, got ${JSON.stringify(o.format)}`);
      const output = o.output?.includes(',') ? o.output.split(',').map((q) => q.trim()) : o.output;
      const r = await importDetailed(file, { format: o.format, output, kernels: await loadKernels() });
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

/** JSON id rows → (B, T) int32 padded as Keras pad_sequences ('pre'). */
function idRows(v: unknown, what: string, maxlen: number | undefined): { data: Int32Array; shape: number[] } {
  if (!Array.isArray(v) || v.length === 0) throw new ConfigError(`predict: ${what} must be a non-empty JSON array of id arrays`);
  const rows = (Array.isArray(v[0]) ? v : [v]) as unknown[];
  rows.forEach((r, i) => {
    if (!Array.isArray(r) || !r.every((q) => Number.isInteger(q) && q >= 0)) throw new ConfigError(`predict: ${what} row ${i} must be an array of non-negative integer ids, got ${JSON.stringify(r).slice(0, 60)}`);
  });
  const padded = padSequences(rows as number[][], maxlen ? { maxlen } : {});
  return { data: padded.data, shape: padded.shape };
}

/**
 * `predict --model <imported dir>`: ids as a JSON array of id arrays (--ids '[[3, 9, 4]]'; for a model with
 * several inputs an object by input name, --ids '{"enc_in": [[3, 9]], "dec_in": [[1, 2]]}'), or texts turned
 * into ids by a Keras tokenizer JSON (--tokenizer tokenizer.json; Tokenizer.to_json()), padded as Keras'
 * pad_sequences does (padding and truncating 'pre', to --maxlen or the model's length or the longest text).
 * A model with several outputs prints each.
 */
export async function predictImported(dir: string, texts: string[], o: PredictImportedOptions): Promise<void> {
  const model = await loadModel(dir, { kernels: await loadKernels() });
  const names = model.inputNames.length ? model.inputNames : ['input'];
  const fixedT = model.builtInputShape?.[0];
  const maxlen = o.maxlen ?? (typeof fixedT === 'number' ? fixedT : undefined);
  let xs: Array<{ data: Int32Array; shape: number[] }>;
  let labels: string[];
  if (o.ids !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(o.ids);
    } catch (e) {
      throw new ConfigError(`predict: --ids must be JSON, e.g. '[[3, 9, 4]]' (${(e as Error).message})`);
    }
    if (names.length > 1) {
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError(`predict: the model has inputs ${names.join(', ')}: give --ids as an object by input name, e.g. '{"${names[0]}": [[3, 9]], ...}'`);
      const byName = parsed as Record<string, unknown>;
      const missing = names.filter((n) => !(n in byName));
      if (missing.length) throw new ConfigError(`predict: --ids has no ids for input(s) ${missing.join(', ')} (inputs: ${names.join(', ')})`);
      xs = names.map((n) => idRows(byName[n], `--ids.${n}`, undefined));
    } else {
      xs = [idRows(parsed, '--ids', maxlen)];
    }
    labels = Array.from({ length: xs[0].shape[0] }, (_, i) => JSON.stringify(Array.from(xs[0].data.subarray(i * xs[0].shape[1], (i + 1) * xs[0].shape[1]))));
  } else if (o.tokenizer) {
    if (!texts.length) throw new ConfigError('predict: give texts as arguments with --tokenizer');
    if (names.length > 1) throw new ConfigError(`predict: --tokenizer fills one input; the model has ${names.length} (${names.join(', ')}): use --ids`);
    const tok = Tokenizer.fromJSON(await readFile(o.tokenizer, 'utf8'));
    xs = [idRows(tok.textsToSequences(texts), 'the tokenized texts', maxlen)];
    labels = texts;
  } else {
    throw new ConfigError(`predict: ${dir} holds an imported model: give ids with --ids '[[...]]' or texts with --tokenizer <keras tokenizer.json>`);
  }
  const raw = await model.predict(xs.length === 1 ? xs[0] : xs);
  const outs = (Array.isArray(raw) ? raw : [raw]).map((out: Prediction): { shape: number[]; predictions: number[][] } => {
    const per = out.data.length / out.shape[0];
    return { shape: out.shape, predictions: Array.from({ length: out.shape[0] }, (_, i) => Array.from(out.data.subarray(i * per, (i + 1) * per))) };
  });
  const text = (rows: number[][]) => rows.map((r, i) => `${labels[i] ?? ''}\t${r.map((v) => v.toFixed(5)).join(' ')}`).join('\n');
  if (outs.length === 1) return emit(o, outs[0], () => text(outs[0].predictions));
  const outNames = model.outputNames;
  emit(o, { outputs: outs.map((q, i) => ({ name: outNames[i], ...q })) }, () => outs.map((q, i) => `output ${outNames[i]} (${q.shape.join(', ')}):\n${text(q.predictions)}`).join('\n'));
}
