// fit / evaluate / predict over (async) iterables of batches: the same weights as in-memory fit on the same
// batch order; generators continue across epochs with stepsPerEpoch; re-iterable sources restart; validation
// from a batch source; schedules applied per step and logged; a source that throws or yields a bad batch
// mid-epoch → typed error naming epoch and batch, weights = the result of the last completed step; a 5-class
// text file streamed from disk through TextFileDataset learns.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dense, Sequential } from '../src/index.js';
import { DataValueError, ShapeError } from '../src/errors.js';
import { TextFileDataset } from '../src/data/stream-dataset.js';
import { buildTextModel } from '../src/tasks/text-models.js';
import { ExponentialDecay } from '../src/schedules/index.js';
import { rejectsTyped } from './helpers/assert-throws.js';

const dir = mkdtempSync(join(tmpdir(), 'fused-rnn-batches-'));
const X = Array.from({ length: 12 }, (_, i) => [Math.sin(i), Math.cos(3 * i), (i % 4) / 4]);
const Y = X.map((x) => (x[0] + x[1] > 0 ? 1 : 0));
const batches = (n = 4) => Array.from({ length: 12 / n }, (_, b) => ({ x: X.slice(b * n, b * n + n), y: Y.slice(b * n, b * n + n) }));
const weights = (m: Sequential) => m.getWeights().map((t) => [...t.data]);

function model(lr: number | ExponentialDecay = 0.1): Sequential {
  const m = new Sequential([new Dense({ units: 4, activation: 'tanh', inputShape: [3] }), new Dense({ units: 1, activation: 'sigmoid' })], { seed: 5 });
  m.compile({ optimizer: { className: 'sgd', config: { learningRate: lr } }, loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return m;
}

test('an array of batches trains exactly as in-memory fit without shuffling', async () => {
  const a = model(), b = model();
  const ha = await a.fit(X, Y, { epochs: 3, batchSize: 4, shuffle: false });
  const hb = await b.fit(batches(), undefined, { epochs: 3 });
  assert.equal(weights(b), weights(a));
  assert.equal(hb.history.loss, ha.history.loss);
  assert.equal(hb.history.accuracy, ha.history.accuracy);
});

test('a generator continues across epochs with stepsPerEpoch; an async iterable works; ran-out stops with a warning', async () => {
  const a = model(), b = model();
  await a.fit(X, Y, { epochs: 2, batchSize: 4, shuffle: false }); // 3 + 3 steps in file order
  function* endless() { for (;;) yield* batches(); }
  const h = await b.fit(endless(), undefined, { epochs: 3, stepsPerEpoch: 2 }); // 6 steps: the same 6 batches
  assert.equal(h.history.loss.length, 3);
  assert.equal(weights(b), weights(a));
  const c = model();
  async function* asyncOnce() { for (const x of batches()) yield x; }
  const warn = console.warn; let warned = '';
  console.warn = (m: string) => { warned = m; };
  try {
    const h2 = await c.fit(asyncOnce(), undefined, { epochs: 3 });
    assert.is(h2.history.loss.length, 1, 'a one-shot iterator serves one epoch');
  } finally { console.warn = warn; }
  assert.match(warned, /ran out of data at epoch 2/);
});

test('validationData and evaluate/predict from batch sources; a Sequential without inputShape builds from the first batch', async () => {
  const m = model();
  const h = await m.fit(batches(), undefined, { epochs: 2, validationData: batches(6) });
  assert.ok(Number.isFinite(h.history.val_loss[1]) && h.history.val_accuracy.length === 2);
  const ev = await m.evaluate(batches(3));
  const mem = await m.evaluate(X, Y);
  assert.ok(Math.abs(ev.loss - mem.loss) < 1e-6, `${ev.loss} vs ${mem.loss}`);
  assert.ok(Math.abs(ev.accuracy - mem.accuracy) < 1e-12);
  const p = await m.predict(batches(5).map((b) => ({ x: b.x })) as never);
  const q = await m.predict(X);
  assert.equal(p.shape, [10, 1]);
  assert.equal([...p.data], [...q.data.slice(0, 10)]);
  const lazy = new Sequential([new Dense({ units: 2, activation: 'tanh' }), new Dense({ units: 1, activation: 'sigmoid' })], { seed: 1 });
  lazy.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
  function* gen() { yield* batches(); }
  const hl = await lazy.fit(gen(), undefined, { epochs: 1 });
  assert.is(hl.history.loss.length, 1);
  assert.equal(lazy.builtInputShape, [3]);
});

test('a learning-rate schedule is applied per step and logged in History', async () => {
  const s = new ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.5 });
  const m = model(s);
  const rates: number[] = [];
  const h = await m.fit(batches(), undefined, { epochs: 2, callbacks: [{ onBatchEnd: (_b, logs) => { rates.push(logs!.learning_rate); } }] });
  assert.equal(rates, [0.1, 0.05, 0.025, 0.0125, 0.00625, 0.003125]);
  assert.equal(h.history.learning_rate, [0.025, 0.003125]);
  // the in-memory loop too
  const m2 = model(new ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.5 }));
  const h2 = await m2.fit(X, Y, { epochs: 1, batchSize: 4 });
  assert.equal(h2.history.learning_rate, [0.025]);
  // and a schedule is what the saved optimizer config says
  assert.equal((m2.compileConfig!.optimizer.config as { learningRate: unknown }).learningRate, s.toJSON());
});

test('bad batches mid-epoch: throwing source, wrong shape, missing y, negative weight → typed errors; weights = last completed step', async () => {
  const ref = model();
  await ref.fit(batches().slice(0, 2), undefined, { epochs: 1 }); // exactly the two good steps
  const cases: Array<[string, unknown, new (...a: never[]) => Error, RegExp]> = [
    ['throws', function* () { yield* batches().slice(0, 2); throw new Error('disk gone'); }(), DataValueError, /epoch 1, batch 3: the batch source threw: disk gone/],
    ['shape', [...batches().slice(0, 2), { x: [[1, 2]], y: [1] }], ShapeError, /epoch 1, batch 3: .*expected input/],
    ['no y', [...batches().slice(0, 2), { x: X.slice(0, 2) }], DataValueError, /epoch 1, batch 3: the batch has no y/],
    ['not a batch', [...batches().slice(0, 2), 42], DataValueError, /epoch 1, batch 3: expected a batch \{ x, y, sampleWeight\? \}, got number/],
    ['weight', [...batches().slice(0, 2), { ...batches()[2], sampleWeight: [1, 1, -1, 1] }], DataValueError, /epoch 1, batch 3: sampleWeight\[2\] = -1/],
  ];
  for (const [label, source, type, pattern] of cases) {
    const m = model();
    await rejectsTyped(() => m.fit(source as never, undefined, { epochs: 1 }), type, pattern, label);
    assert.equal(weights(m), weights(ref), `${label}: weights are those after the last good step`);
  }
  await rejectsTyped(() => model().fit(batches(), Y as never), Error, /leave y out/);
});

test('a 5-class file streamed from disk (TextFileDataset) trains through fit(dataset) and learns', async () => {
  const file = join(dir, 'topics.csv');
  const topics = ['sport', 'music', 'food', 'travel', 'science'];
  const words: Record<string, string[]> = {
    sport: ['goal', 'match', 'team', 'score'], music: ['song', 'band', 'album', 'guitar'], food: ['pasta', 'spicy', 'dinner', 'recipe'],
    travel: ['flight', 'hotel', 'beach', 'passport'], science: ['atom', 'theory', 'experiment', 'lab'],
  };
  let s = 7;
  const rnd = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
  const rows = ['topic,text'];
  for (let i = 0; i < 600; i++) {
    const t = topics[i % 5];
    const w = [0, 1, 2].map(() => words[t][Math.floor(rnd() * 4)]);
    const noise = [0, 1, 2].map(() => words[topics[Math.floor(rnd() * 5)]][Math.floor(rnd() * 4)]);
    rows.push(`${t},"the ${w[0]} and ${noise[0]} then ${w[1]} ${noise[1]} ${w[2]} ${noise[2]}"`);
  }
  writeFileSync(file, rows.join('\n'));
  const ds = await TextFileDataset.scan(file, { labelColumn: 'topic', batchSize: 16, shuffleBuffer: 200, seed: 2, maxlen: 10 });
  assert.equal(ds.labels.classes, ['food', 'music', 'science', 'sport', 'travel']);
  const m = buildTextModel({ kind: 'gru', vocabularySize: ds.tokenizer.vocabularySize, embeddingDim: 16, units: 16, dropout: 0, classes: 5, seed: 1 });
  m.compile({ optimizer: { className: 'adam', config: { learningRate: 0.02 } }, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const h = await m.fit(ds.split('train'), undefined, { epochs: 6, validationData: ds.split('validation') });
  const val = h.history.val_accuracy[h.history.val_accuracy.length - 1];
  assert.ok(val >= 0.9, `validation accuracy ${val} (history ${h.history.val_accuracy.map((v) => v.toFixed(3))})`);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
