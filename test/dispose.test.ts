// model.dispose() (issue 16 finding 11): 200 models created, trained, saved to bytes and disposed on one
// Kernels next to a model that stays keep the arena flat (freed regions are reused), the model that stays
// is unchanged, and a disposed model refuses further use with a typed error.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Dense, Embedding, LSTM, ModelStateError, Sequential, loadKernels } from '../src/index.js';
import { rejectsTyped } from './helpers/assert-throws.js';

test('200 models created, trained and disposed on one Kernels: the arena stays flat', async () => {
  const k = await loadKernels({ initialBytes: 1 << 20 });
  const keep = new Sequential([new Embedding({ inputDim: 20, outputDim: 8 }), new LSTM({ units: 16 }), new Dense({ units: 1, activation: 'sigmoid' })], { kernels: k, seed: 1 });
  keep.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
  const x = Array.from({ length: 8 }, (_, i) => Array.from({ length: 6 }, (_, t) => (i * 7 + t * 3) % 20));
  const y = x.map((r) => [r[0] > 9 ? 1 : 0]);
  await keep.fit(x, y, { epochs: 1, batchSize: 4 });
  const keepPred = await keep.predict(x);
  const keepWeights = keep.getWeights();
  const sizes: number[] = [], used: number[] = [];
  for (let i = 0; i < 200; i++) {
    const m = new Sequential([new Embedding({ inputDim: 20, outputDim: 8 }), new LSTM({ units: 12 + (i % 5) }), new Dense({ units: 1, activation: 'sigmoid' })], { kernels: k, seed: i });
    m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    await m.fit(x, y, { epochs: 1, batchSize: 4 + (i % 3) });
    await m.predict(x, { batchSize: 3 });
    if (i % 2) await keep.predict(x.slice(0, 2)); // the kept model re-plans in between
    m.dispose();
    sizes.push(k.arena.byteLength);
    used.push(k.arena.usedBytes);
  }
  console.log(`    arena after 1 / 10 / 200 disposed models: ${sizes[0]} / ${sizes[9]} / ${sizes[199]} bytes; in use ${used[0]} / ${used[9]} / ${used[199]}`);
  assert.is(sizes[199], sizes[9], 'memory did not grow after the first 10 models');
  assert.ok(used[199] <= used[9], `bytes in use flat: ${used[9]} → ${used[199]}`);
  assert.equal(Array.from((await keep.predict(x)).data), Array.from(keepPred.data), 'the kept model predicts the same');
  const w = keep.getWeights();
  for (let i = 0; i < w.length; i++) assert.equal(Array.from(w[i].data), Array.from(keepWeights[i].data));
});

test('a disposed model refuses further use; dispose twice is harmless', async () => {
  const k = await loadKernels({ initialBytes: 1 << 20 });
  const m = new Sequential([new LSTM({ units: 3, inputShape: [2, 1] }), new Dense({ units: 1 })], { kernels: k });
  await m.predict([[[1], [2]]]);
  const before = k.arena.usedBytes;
  m.dispose();
  m.dispose();
  assert.ok(k.arena.usedBytes < before);
  await rejectsTyped(() => m.predict([[[1], [2]]]), ModelStateError, /was disposed/);
  await rejectsTyped(() => m.build([2, 1]), ModelStateError, /was disposed/);
});

test.run();
