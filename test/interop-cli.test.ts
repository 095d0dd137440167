// `fused-rnn import`, `export` and `predict` on imported models, run as users run them (the built CLI in a
// child process): the layer table, predictions equal to the framework's, exports that import back, typed
// errors for damaged files.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer } from '../src/index.js';
import { importModel } from '../src/interop/index.js';
import { closeReport } from './helpers/check-close.js';
import { runNode } from './helpers/child.js';

const CLI = 'dist/cli/fused-rnn.js';
const FIX = 'test/fixtures/interop';
const dir = mkdtempSync(join(tmpdir(), 'fused-rnn-interop-cli-'));
// test/helpers/child.ts: a run that hangs in Node's shutdown after its work is done is run once more (note)
const run = async (args: string[]) => {
  const r = await runNode([CLI, ...args], { timeoutMs: 120_000, label: `fused-rnn ${args.join(' ')}` });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);

test.before(() => assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build first`));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('import prints the layer table; predict --ids gives PyTorch\'s logits; export → import round trip', async () => {
  const f = JSON.parse(readFileSync(join(FIX, 'd_torch_bilstm.json'), 'utf8'));
  const out = join(dir, 'torch');
  const r = await run(['import', join(FIX, 'd_torch_bilstm.onnx'), '--out', out, '--output', 'logits']);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /source layer\s+fused-rnn layer\s+params/);
  assert.match(r.out, /ONNX LSTM "node_LSTM_115"\s+Bidirectional "bidirectional"\s+1088/);
  assert.match(r.out, /total\s+3539/);
  const p = await run(['predict', '--model', out, '--ids', JSON.stringify(f.input.value), '--json']);
  assert.is(p.code, 0, p.err);
  const got = JSON.parse(p.out);
  assert.equal(got.shape, [4, 3]);
  const report = closeReport('cli predict', flat(got.predictions), flat(f.output.value), 1e-5, 0);
  assert.ok(report === null, report ?? '');
  for (const format of ['keras', 'onnx', 'safetensors', 'tfjs']) {
    const file = join(dir, format === 'tfjs' ? 'tfjs/model.json' : `torch.${format}`);
    const e = await run(['export', '--model', out, '--format', format, '--out', file]);
    assert.is(e.code, 0, `${format}: ${e.err}`);
    assert.ok(existsSync(file), file);
    if (format === 'safetensors') continue;
    const back = await importModel(file);
    const y = await back.predict({ data: Int32Array.from(flat(f.input.value)), shape: f.input.shape });
    const rep = closeReport(`export ${format}`, y.data, flat(f.output.value), 1e-5, 0);
    assert.ok(rep === null, rep ?? '');
  }
  assert.ok(existsSync(join(dir, 'tfjs/model.weights.bin')));

  // Every graph output by default: a functional model; predict prints each output.
  const both = join(dir, 'torch_both');
  const rb = await run(['import', join(FIX, 'd_torch_bilstm.onnx'), '--out', both]);
  assert.is(rb.code, 0, rb.err);
  assert.match(rb.out, /ONNX LSTM "node_LSTM_223" Y_h\s+Concatenate "concatenate"\s+0/);
  const pb = await run(['predict', '--model', both, '--ids', JSON.stringify(f.input.value), '--json']);
  assert.is(pb.code, 0, pb.err);
  const outs = JSON.parse(pb.out).outputs as Array<{ shape: number[]; predictions: number[][] }>;
  assert.equal(outs.map((q) => q.shape), [[4, 3], [4, 12, 16]]);
  const r0 = closeReport('cli predict logits (2 outputs)', flat(outs[0].predictions), flat(f.output.value), 1e-5, 0);
  const r1 = closeReport('cli predict sequence (2 outputs)', flat(outs[1].predictions), flat(f.output_sequence.value), 1e-5, 0);
  assert.ok(r0 === null && r1 === null, `${r0} ${r1}`);
  assert.match((await run(['predict', '--model', both])).err, /give ids with --ids/);
});

test('predict --tokenizer (Keras tokenizer JSON) on an imported Keras model; errors are typed and name the file', async () => {
  const out = join(dir, 'keras');
  assert.is((await run(['import', join(FIX, 'a_lstm.keras'), '--out', out])).code, 0);
  const tok = new Tokenizer({ numWords: 200 });
  tok.fitOnTexts(['the film was good', 'the plot was bad and slow']);
  writeFileSync(join(dir, 'tokenizer.json'), tok.toJSONString());
  const p = await run(['predict', '--model', out, '--tokenizer', join(dir, 'tokenizer.json'), '--maxlen', '12', 'the film was good', 'bad plot', '--json']);
  assert.is(p.code, 0, p.err);
  const got = JSON.parse(p.out);
  assert.equal(got.shape, [2, 1]);
  assert.ok(got.predictions.every((r: number[]) => r[0] > 0 && r[0] < 1));
  const none = await run(['predict', '--model', out, 'text']);
  assert.is(none.code, 1);
  assert.match(none.err, /holds an imported model: give ids with --ids/);
  writeFileSync(join(dir, 'broken.keras'), readFileSync(join(FIX, 'a_lstm.keras')).subarray(0, 5000));
  const bad = await run(['import', join(dir, 'broken.keras'), '--out', join(dir, 'x')]);
  assert.is(bad.code, 1);
  assert.match(bad.err, /ModelFileError: .*broken\.keras: is not a readable zip/);
  const left = await run(['export', '--model', out, '--format', 'onnx', '--padding', 'left', '--out', join(dir, 'y.onnx')]);
  assert.is(left.code, 0, 'a_lstm has no mask: padding does not matter');
});

test.run();
