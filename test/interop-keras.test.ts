// Interop: the real Keras 3 `.keras`, legacy `.h5` and TF.js files in test/fixtures/interop (written by
// Keras 3.15 / tfjs 4.22, with each framework's own output on fixed ids) import and predict within 1e-5.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { loadKernels, type Kernels } from '../src/index.js';
import { importDetailed, importModel } from '../src/interop/index.js';
import { closeReport } from './helpers/check-close.js';

const DIR = new URL('./fixtures/interop/', import.meta.url);
const fixture = (name: string) => JSON.parse(readFileSync(new URL(name, DIR), 'utf8'));
const path = (name: string) => new URL(name, DIR).pathname;
const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);

let k: Kernels;
test.before(async () => {
  k = await loadKernels();
});

function expectClose(label: string, got: ArrayLike<number>, want: ArrayLike<number>, atol = 1e-5): void {
  const r = closeReport(label, got, want, atol, 0);
  assert.ok(r === null, r ?? '');
}

test('Keras 3 .keras (a_lstm.keras) predicts as Keras within 1e-5', async () => {
  const f = fixture('a_lstm.json');
  const { model, format, layers } = await importDetailed(path('a_lstm.keras'), { kernels: k });
  assert.is(format, 'keras');
  assert.equal(layers.map((l) => l.source), ['Embedding "embedding"', 'LSTM "lstm"', 'Dense "dense"']);
  const out = await model.predict({ data: Int32Array.from(flat(f.input.value)), shape: f.input.shape });
  assert.equal(out.shape, f.output.shape);
  expectClose('a_lstm.keras', out.data, flat(f.output.value));
});

test('legacy .h5 written by Keras 3 (a_lstm.h5) predicts as Keras within 1e-5', async () => {
  const f = fixture('a_lstm.json');
  const model = await importModel(readFileSync(path('a_lstm.h5')), { kernels: k });
  const out = await model.predict({ data: Int32Array.from(flat(f.input.value)), shape: f.input.shape });
  expectClose('a_lstm.h5', out.data, flat(f.output.value));
});

test('TF.js layers model (model.json path, shards beside it) predicts as tfjs within 1e-5', async () => {
  const f = fixture('f_tfjs_a_lstm.json');
  const { model, format } = await importDetailed(path('tfjs/a_lstm/model.json'), { kernels: k });
  assert.is(format, 'tfjs');
  const out = await model.predict({ data: Int32Array.from(flat(f.input.value)), shape: f.input.shape });
  expectClose('tfjs a_lstm', out.data, flat(f.output.value));
  const parts = await importModel({ modelJson: readFileSync(path('tfjs/a_lstm/model.json'), 'utf8'), weights: readFileSync(path('tfjs/a_lstm/weights.bin')) }, { kernels: k });
  const out2 = await parts.predict({ data: Int32Array.from(flat(f.input.value)), shape: f.input.shape });
  expectClose('tfjs a_lstm from parts', out2.data, flat(f.output.value));
});

test.run();
