// `fused-rnn export --model <dir> --format keras|onnx|tfjs|safetensors --out <file>`: a fused-rnn model
// directory → a file another framework loads (TF.js: model.json with its shard written beside it).
import { Command } from 'commander';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { loadKernels } from '../../src/index.js';
import { loadModel } from '../../src/io/index.js';
import { exportModel, type ExportFormat } from '../../src/interop/index.js';
import { ConfigError } from '../../src/errors.js';
import { emit } from '../output.js';

/** Writes a file atomically (temp file + rename). */
async function writeAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  await writeFile(tmp, bytes);
  await rename(tmp, path);
}

export function exportCommand(): Command {
  return new Command('export')
    .description('export a fused-rnn model directory as Keras 3 (.keras), ONNX, TF.js (model.json + shard) or a PyTorch state_dict (.safetensors)')
    .requiredOption('--model <dir>', 'a model directory (train/compare/import --out)')
    .requiredOption('--format <format>', 'keras | onnx | tfjs | safetensors')
    .requiredOption('--out <file>', 'the file to write (TF.js: the model.json path; the shard goes beside it)')
    .option('--padding <side>', 'ONNX, masked models: the padding side of the input (only right can be expressed)', 'right')
    .option('--json', 'print JSON')
    .action(async (o: { model: string; format: ExportFormat; out: string; padding: 'right' | 'left'; json?: boolean }) => {
      if (!['keras', 'onnx', 'tfjs', 'safetensors'].includes(o.format)) throw new ConfigError(`export: --format must be keras, onnx, tfjs or safetensors, got ${JSON.stringify(o.format)}`);
      if (o.padding !== 'right' && o.padding !== 'left') throw new ConfigError(`export: --padding must be right or left, got ${JSON.stringify(o.padding)}`);
      const model = await loadModel(o.model, { kernels: await loadKernels() });
      const files: string[] = [];
      let notes: string[] = [];
      if (o.format === 'tfjs') {
        const shardName = `${basename(o.out).replace(/\.json$/, '')}.weights.bin`;
        const t = await exportModel(model, 'tfjs', { shardName });
        const shard = join(dirname(o.out), shardName);
        await writeAtomic(shard, t.weights);
        await writeAtomic(o.out, t.modelJson);
        files.push(o.out, shard);
        notes = t.notes;
      } else {
        await writeAtomic(o.out, await exportModel(model, o.format, { padding: o.padding }));
        files.push(o.out);
      }
      emit(o, { format: o.format, files, notes }, () => [`exported ${o.model} as ${o.format}: ${files.join(', ')}`, ...notes.map((n) => `note: ${n}`)].join('\n'));
    });
}
