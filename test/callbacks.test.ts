// Callbacks (src/callbacks): Keras semantics on scripted logs with a fake model, then through fit() on a
// real Embedding → LSTM(8) → Dense(1, sigmoid) model: EarlyStopping (patience, minDelta, baseline,
// restoreBestWeights exact), ReduceLROnPlateau (lr per epoch, cooldown, minLr), TerminateOnNaN, CSVLogger
// (content, append), ModelCheckpoint (saveBestOnly, templates, real files), ProgressBar (TTY and not).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CSVLogger, Callback, ConfigError, Dense, EarlyStopping, Embedding, LSTM, ModelCheckpoint, ProgressBar, ReduceLROnPlateau, SGD, Sequential,
  SimpleRNN, TerminateOnNaN, loadKernels, loadModel, type Kernels, type Logs,
} from '../src/index.js';
import { formatFilepath } from '../src/callbacks/model-checkpoint.js';
import { throwsTyped } from './helpers/assert-throws.js';
import { checkEqual } from './helpers/check-close.js';
import { firstTokenTask } from './helpers/tasks.js';

const dir = mkdtempSync(join(tmpdir(), 'frnn-cb-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
let k: Kernels;
test.before(async () => {
  k = await loadKernels();
});

/** A stand-in for Sequential: one scalar weight (= the epoch it was set in), an optimizer lr, stopTraining. */
function fakeModel() {
  const m = {
    w: -1, stopTraining: false, optimizer: { learningRate: 0.1 },
    getWeights: () => [{ path: 'w', shape: [1], data: Float32Array.of(m.w) }],
    setWeights: (ws: Array<{ data: ArrayLike<number> }>) => { m.w = ws[0].data[0]; },
  };
  return m;
}

/** Runs the callback over per-epoch logs like fit() does; returns the epochs run and the fake model. */
async function drive(cb: Callback, epochs: Logs[]) {
  const m = fakeModel();
  cb.setModel(m as never);
  await cb.onTrainBegin();
  let ran = 0;
  for (let e = 0; e < epochs.length && !m.stopTraining; e++) {
    await cb.onEpochBegin(e);
    m.w = e; // "training" this epoch
    await cb.onEpochEnd(e, { ...epochs[e] });
    ran++;
  }
  await cb.onTrainEnd();
  return { ran, model: m };
}
const vl = (...xs: number[]) => xs.map((v) => ({ loss: 1, val_loss: v }));

test('EarlyStopping: patience counts epochs without improvement (Keras)', async () => {
  const es = new EarlyStopping({ patience: 2 });
  const r = await drive(es, vl(0.5, 0.4, 0.45, 0.41, 0.3));
  assert.is(r.ran, 4);
  assert.is(es.stoppedEpoch, 3);
  assert.is(es.best, 0.4);
  assert.is(r.model.w, 3, 'weights stay at the last epoch without restoreBestWeights');
  const never = await drive(new EarlyStopping({ patience: 2 }), vl(0.5, 0.4, 0.3, 0.2));
  assert.is(never.ran, 4);
  const zero = await drive(new EarlyStopping(), vl(0.5, 0.6, 0.4));
  assert.is(zero.ran, 2, 'patience 0 stops at the first non-improvement (after epoch 0)');
});

test('EarlyStopping: minDelta, baseline, mode', async () => {
  assert.is((await drive(new EarlyStopping({ patience: 2, minDelta: 0.05 }), vl(1.0, 0.97, 0.96, 0.9))).ran, 3);
  assert.is((await drive(new EarlyStopping({ patience: 2, minDelta: -0.05 }), vl(1.0, 0.97, 0.96, 0.9))).ran, 3, '|minDelta| is used');
  assert.is((await drive(new EarlyStopping({ patience: 2 }), vl(1.0, 0.97, 0.96, 0.9))).ran, 4);
  // Improving but never beating the baseline: the wait is not reset, so the first non-improvement stops.
  assert.is((await drive(new EarlyStopping({ patience: 3, baseline: 0.1 }), vl(0.5, 0.4, 0.45, 0.3))).ran, 3);
  assert.is((await drive(new EarlyStopping({ patience: 3 }), vl(0.5, 0.4, 0.45, 0.3))).ran, 4);
  const acc = (...xs: number[]) => xs.map((v) => ({ val_accuracy: v }));
  assert.is((await drive(new EarlyStopping({ monitor: 'val_accuracy', patience: 1 }), acc(0.5, 0.6, 0.55, 0.7))).ran, 3, 'auto: accuracy is maximised');
  assert.is((await drive(new EarlyStopping({ monitor: 'val_accuracy', mode: 'min', patience: 1 }), acc(0.5, 0.6, 0.55, 0.7))).ran, 2);
  throwsTyped(() => new EarlyStopping({ mode: 'up' as never }), ConfigError, /mode must be/);
  const odd = new EarlyStopping({ monitor: 'val_widget' });
  await drive(odd, [{ val_widget: 1 }]).then(() => assert.unreachable('auto mode on an unknown metric must throw'), (e) => assert.instance(e, ConfigError));
  const warn = console.warn;
  console.warn = () => {};
  try {
    assert.is((await drive(new EarlyStopping({ monitor: 'val_auc' }), vl(1, 2, 3))).ran, 3, 'a missing monitor never stops');
  } finally {
    console.warn = warn;
  }
});

test('EarlyStopping: restoreBestWeights restores the best epoch, stopped or not (Keras 3)', async () => {
  const es = new EarlyStopping({ patience: 2, restoreBestWeights: true });
  const r = await drive(es, vl(0.5, 0.3, 0.4, 0.45, 0.2));
  assert.is(r.ran, 4);
  assert.is(es.bestEpoch, 1);
  assert.is(r.model.w, 1);
  const full = await drive(new EarlyStopping({ patience: 5, restoreBestWeights: true }), vl(0.5, 0.3, 0.4));
  assert.is(full.model.w, 1, 'restored at the end of training even without stopping');
  const start = await drive(new EarlyStopping({ patience: 5, restoreBestWeights: true, startFromEpoch: 2 }), vl(0.1, 0.3, 0.4, 0.35));
  assert.is(start.model.w, 3, 'epochs before startFromEpoch are not monitored');
});

test('ReduceLROnPlateau: lr changes at the right epochs, with cooldown and minLr (Keras)', async () => {
  const cb = new ReduceLROnPlateau({ factor: 0.5, patience: 2, cooldown: 1, minDelta: 0 });
  const lrs: number[] = [], logged: number[] = [];
  const m = fakeModel();
  cb.setModel(m as never);
  cb.onTrainBegin();
  for (const [e, v] of [1, 1, 1, 1, 1, 1, 0.5, 0.5].entries()) {
    const logs: Logs = { val_loss: v };
    cb.onEpochEnd(e, logs);
    logged.push(logs.learning_rate);
    lrs.push(m.optimizer.learningRate);
  }
  assert.equal(lrs, [0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.025, 0.025]);
  assert.equal(logged, [0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.025], 'logs get the lr of the epoch that just ran');
  const floor = new ReduceLROnPlateau({ factor: 0.1, patience: 1, minLr: 0.03 });
  const m2 = fakeModel();
  floor.setModel(m2 as never);
  floor.onTrainBegin();
  for (let e = 0; e < 5; e++) floor.onEpochEnd(e, { val_loss: 1 });
  assert.is(m2.optimizer.learningRate, 0.03);
  throwsTyped(() => new ReduceLROnPlateau({ factor: 1 }), ConfigError, /factor must be in \(0, 1\)/);
});

test('TerminateOnNaN stops at the first NaN or Inf batch loss', () => {
  for (const bad of [NaN, Infinity, -Infinity]) {
    const cb = new TerminateOnNaN(0), m = fakeModel();
    cb.setModel(m as never);
    cb.onTrainBegin();
    cb.onBatchEnd(0, { loss: 0.5 });
    assert.not.ok(m.stopTraining);
    cb.onBatchEnd(1, { loss: bad });
    assert.ok(m.stopTraining);
    assert.is(cb.stoppedAtBatch, 1);
  }
});

test('CSVLogger writes epoch + sorted keys, NA for missing values, and appends without a second header', async () => {
  const f = join(dir, 'log.csv');
  await drive(new CSVLogger(f), [{ loss: 0.5, val_loss: 0.25, accuracy: 0.75 }, { loss: 0.125, accuracy: 1 }]);
  assert.is(readFileSync(f, 'utf8'), 'epoch,accuracy,loss,val_loss\n0,0.75,0.5,0.25\n1,1,0.125,NA\n');
  await drive(new CSVLogger(f, { append: true }), [{ loss: 2, val_loss: 3, accuracy: 0 }]);
  assert.is(readFileSync(f, 'utf8'), 'epoch,accuracy,loss,val_loss\n0,0.75,0.5,0.25\n1,1,0.125,NA\n0,0,2,3\n');
  await drive(new CSVLogger(f, { separator: ';' }), [{ loss: 1 }]);
  assert.is(readFileSync(f, 'utf8'), 'epoch;loss\n0;1\n', 'without append the file is overwritten');
});

test('ModelCheckpoint: saveBestOnly writes only on improvement; filepath templates', async () => {
  const writes: string[] = [];
  const cb = new ModelCheckpoint({ filepath: 'ckpt-{epoch:02d}-{val_loss:.2f}', saveBestOnly: true, save: async (_m, p) => { writes.push(p); } });
  await drive(cb, vl(0.5, 0.6, 0.4, 0.4, 0.39));
  assert.equal(writes, ['ckpt-01-0.50', 'ckpt-03-0.40', 'ckpt-05-0.39']);
  const all: string[] = [];
  await drive(new ModelCheckpoint({ filepath: 'e{epoch}', save: async (_m, p) => { all.push(p); } }), vl(0.5, 0.6));
  assert.equal(all, ['e1', 'e2']);
  const thr: string[] = [];
  await drive(new ModelCheckpoint({ filepath: 'x', saveBestOnly: true, initialValueThreshold: 0.45, save: async (_m, p) => { thr.push(p); } }), vl(0.5, 0.6, 0.4));
  assert.equal(thr, ['x']);
  assert.is(formatFilepath('m-{epoch:3d}-{loss:.1e}', { epoch: 7, loss: 0.00123 }), 'm-  7-1.2e-03');
  throwsTyped(() => formatFilepath('{nope}', { epoch: 1 }), ConfigError, /uses \{nope\}/);
  throwsTyped(() => new ModelCheckpoint({ filepath: '{epoch:x}' }), ConfigError, /unsupported format/);
});

test('ProgressBar: one line per epoch when not a TTY; a cli-progress bar on a TTY', async () => {
  let out = '';
  const stream = { write: (s: string) => { out += s; return true; }, isTTY: false };
  const pb = new ProgressBar({ epochs: 2, stream });
  pb.setModel(fakeModel() as never);
  for (let e = 0; e < 2; e++) {
    await pb.onEpochBegin(e);
    for (let b = 0; b < 3; b++) pb.onBatchEnd(b, { loss: 0.5, size: 4 });
    pb.onEpochEnd(e, { loss: 0.5, val_loss: 0.25 });
  }
  const lines = out.trimEnd().split('\n');
  assert.is(lines.length, 2);
  assert.match(lines[0], /^Epoch 1\/2 - 3\/3 - \d+\.\ds - loss: 0\.5000 - val_loss: 0\.2500$/);
  assert.match(lines[1], /^Epoch 2\/2 - 3\/3 /);
  let tty = '';
  const term = { write: (s: string) => { tty += s; return true; }, isTTY: true, columns: 100, on() { return this; }, removeListener() { return this; } };
  const bar = new ProgressBar({ epochs: 1, steps: 3, stream: term });
  await bar.onEpochBegin(0);
  for (let b = 0; b < 3; b++) bar.onBatchEnd(b, { loss: 0.25, size: 2 });
  bar.onEpochEnd(0, { loss: 0.25 });
  bar.onTrainEnd();
  assert.match(tty, /Epoch 1\/1 .*3\/3.*loss: 0\.2500/);
  assert.match(tty, /3\/3 - \d+\.\ds - loss: 0\.2500\n$/);
});

// ---- through fit() on a real model

const data = firstTokenTask(24, 6, 11, 5);
const val = firstTokenTask(8, 6, 11, 6);
function realModel(seed = 1): Sequential {
  const m = new Sequential([new Embedding({ inputDim: 11, outputDim: 5 }), new LSTM({ units: 8 }), new Dense({ units: 1, activation: 'sigmoid' })], { kernels: k, seed });
  m.compile({ optimizer: new SGD({ learningRate: 0.5 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return m;
}

test('fit + EarlyStopping(restoreBestWeights) ends with exactly the best epoch weights', async () => {
  const m = realModel();
  const perEpoch: Array<ReturnType<Sequential['getWeights']>> = [];
  // mode max on val_loss: the "best" is the worst epoch, so restoring must visibly change the weights
  const es = new EarlyStopping({ monitor: 'val_loss', mode: 'max', patience: 10, restoreBestWeights: true });
  const h = await m.fit(data.x, data.y, { epochs: 3, batchSize: 8, validationData: [val.x, val.y], callbacks: [{ onEpochEnd: () => { perEpoch.push(m.getWeights()); } }, es] });
  const losses = h.history.val_loss;
  const best = losses.indexOf(Math.max(...losses));
  assert.is(es.bestEpoch, best);
  const now = m.getWeights();
  for (let i = 0; i < now.length; i++) checkEqual(`${now[i].path} = epoch ${best}`, now[i].data, perEpoch[best][i].data);
  if (best !== 2) assert.not.equal(Array.from(now[1].data), Array.from(perEpoch[2][1].data));
  const stop = realModel(2);
  const h2 = await stop.fit(data.x, data.y, { epochs: 5, batchSize: 8, validationData: [val.x, val.y], callbacks: [new EarlyStopping({ monitor: 'loss', mode: 'max', patience: 1 })] });
  assert.is(h2.epoch.length, 2, 'loss keeps falling, so mode max stops after epoch 1');
});

test('fit + ReduceLROnPlateau halves the lr once per stalled epoch; + TerminateOnNaN stops after the first bad batch', async () => {
  const m = realModel();
  const lrs: number[] = [];
  await m.fit(data.x, data.y, { epochs: 3, batchSize: 8, callbacks: [new ReduceLROnPlateau({ monitor: 'loss', mode: 'max', factor: 0.5, patience: 1 }), { onEpochEnd: () => { lrs.push(m.optimizer!.learningRate); } }] });
  assert.equal(lrs, [0.5, 0.25, 0.125]);
  const r = new Sequential([new SimpleRNN({ units: 3, inputShape: [null, 2] }), new Dense({ units: 1 })], { kernels: k });
  r.compile({ optimizer: 'sgd', loss: 'mse' });
  const x = Array.from({ length: 8 }, () => [[1, 2], [3, 4]]), y = Array(8).fill(1);
  await r.build([null, 2]);
  r.setWeights(r.getWeights().map((w) => (w.path.endsWith('dense_bias') || w.path === `${r.layers[1].name}/bias` ? { ...w, data: w.data.map(() => NaN) } : w))); // NaN outputs → NaN loss
  let batches = 0;
  const t = new TerminateOnNaN(0);
  await r.fit(x, y, { epochs: 3, batchSize: 2, callbacks: [t, { onBatchEnd: () => { batches++; } }] });
  assert.is(batches, 1);
  assert.is(t.stoppedAtBatch, 0);
});

test('fit + ModelCheckpoint writes loadable files; saveBestOnly skips epochs that did not improve', async () => {
  const m = realModel();
  const cb = new ModelCheckpoint({ filepath: join(dir, 'run-{epoch:02d}.frnn'), monitor: 'loss', mode: 'max', saveBestOnly: true });
  const h = await m.fit(data.x, data.y, { epochs: 3, batchSize: 8, callbacks: [cb] });
  const losses = h.history.loss;
  const expected = [0, 1, 2].filter((e) => losses[e] > Math.max(-Infinity, ...losses.slice(0, e))).map((e) => join(dir, `run-0${e + 1}.frnn`));
  assert.equal(cb.saved, expected);
  for (const e of [1, 2, 3]) assert.is(existsSync(join(dir, `run-0${e}.frnn`)), expected.includes(join(dir, `run-0${e}.frnn`)));
  const every = new ModelCheckpoint({ filepath: join(dir, 'every-{epoch}') });
  await m.fit(data.x, data.y, { epochs: 2, batchSize: 8, callbacks: [every] });
  const loaded = await loadModel(join(dir, 'every-2'), { kernels: await loadKernels() });
  checkEqual('last checkpoint = final model', (await loaded.predict(val.x)).data, (await m.predict(val.x)).data);
});

test.run();
