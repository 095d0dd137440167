// createPredictor (issue 20): the same async predict / stream interface in this thread and in a worker
// thread; results bit-identical; errors cross the thread boundary with their class name and message; the
// calling thread keeps running while the worker predicts. Uses the built bundle (npm run build), whose
// worker script dist/node/infer-worker.js sits next to dist/node/infer.js.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Dense, Embedding, LSTM, Sequential, loadKernels, saveModelToBytes } from '../src/index.js';

type Infer = typeof import('../src/infer/index.js');
let infer: Infer;
let bytes: Uint8Array;
const x = Array.from({ length: 40 }, (_, n) => Array.from({ length: 30 }, (_, t) => 1 + ((n * 7 + t * 3) % 40)));
test.before(async () => {
  infer = (await import('../dist/node/infer.js' as string)) as Infer;
  const k = await loadKernels();
  const m = new Sequential([new Embedding({ inputDim: 41, outputDim: 8, maskZero: true, inputShape: [30] }), new LSTM({ units: 32, returnSequences: true }), new Dense({ units: 41, activation: 'softmax' })], { seed: 3, kernels: k });
  m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  await m.predict(x.slice(0, 1));
  bytes = saveModelToBytes(m);
});

test('worker and in-thread predictors: same interface, bit-identical predict and stream', async () => {
  const local = await infer.createPredictor(bytes);
  const remote = await infer.createPredictor(bytes, { worker: true });
  assert.is(local.inWorker, false);
  assert.is(remote.inWorker, true);
  const a = await local.predict(x, { batchSize: 8 }), b = await remote.predict(x, { batchSize: 8 });
  assert.equal(b.shape, a.shape);
  assert.equal(Array.from(b.data), Array.from(a.data));
  const sl = await local.stream({ batchSize: 2 }), sr = await remote.stream({ batchSize: 2 });
  for (let t = 0; t < 10; t++) {
    const xt = [x[0][t], x[1][t]];
    assert.equal(Array.from(await sr.step(xt)), Array.from(await sl.step(xt)), `step ${t}`);
  }
  const st = await sr.getState();
  assert.equal(st.map((s) => Array.from(s.h)), (await sl.getState()).map((s) => Array.from(s.h)));
  await sr.reset();
  assert.ok((await sr.getState())[0].h.every((v: number) => v === 0));
  await sr.setState(st);
  const chunk = [x[0].slice(10, 20), x[1].slice(10, 20)];
  assert.equal(Array.from((await sr.stepMany(chunk)).data), Array.from((await sl.stepMany(chunk)).data));
  await sr.dispose();
  await remote.dispose();
  await local.dispose();
});

test('worker predictor: errors keep their class name and message; the calling thread keeps running meanwhile', async () => {
  const p = await infer.createPredictor(bytes, { worker: true });
  try {
    await p.predict([[1, 2, 99]]);
    assert.unreachable('must throw');
  } catch (e) {
    assert.is((e as Error).name, 'DataValueError');
    assert.match((e as Error).message, /x\[0\]\[2\] = 99 must be an integer token id in \[0, 41\)/);
  }
  const s = await p.stream();
  await assert.not.throws(async () => s.step([1]));
  try {
    await s.step([1, 2]);
    assert.unreachable('must throw');
  } catch (e) {
    assert.match((e as Error).message, /x_t has shape \(2\), expected \(B\) = \(1\) token ids/);
  }
  // While the worker predicts, this thread runs other tasks (an ordering check, not a timing one).
  let ticks = 0;
  let running = true;
  const tick = () => { ticks++; if (running) setImmediate(tick); };
  setImmediate(tick);
  const big = Array.from({ length: 400 }, (_, n) => x[n % x.length]);
  await p.predict(big, { batchSize: 32 });
  running = false;
  assert.ok(ticks > 0, `the main thread ran ${ticks} tasks during the worker's predict`);
  await p.dispose();
  try {
    await p.predict(x);
    assert.unreachable('disposed');
  } catch (e) {
    assert.ok(e instanceof Error);
  }
});

test('in-thread predictor from a path-less source (bytes) loads once; bad sources fail clearly', async () => {
  try {
    await infer.createPredictor(new Uint8Array([1, 2, 3]), { worker: true });
    assert.unreachable('must throw');
  } catch (e) {
    assert.match((e as Error).message, /truncated: the header needs 12 bytes/);
  }
});

test.run();
