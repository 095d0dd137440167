// Checkpoints (src/io): save → load gives bit-identical predictions for LSTM, GRU (both resetAfter) and
// SimpleRNN models in the directory form, the single-file form and as bytes; interrupted saves leave the
// previous checkpoint loadable; truncated, foreign, corrupt or mismatched files throw CheckpointError naming
// the file/tensor and leave the target model's weights unchanged.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CheckpointError, Dense, Embedding, GRU, LSTM, Sequential, SimpleRNN, crc32, loadKernels, loadModel, loadWeights, manifestChecksum, saveModel, saveModelToBytes,
  type Kernels, type Layer,
} from '../src/index.js';
import { setSaveHookForTesting, type SaveStage } from '../src/io/node.js';
import { rejectsTyped } from './helpers/assert-throws.js';
import { checkEqual } from './helpers/check-close.js';
import { uniform } from './helpers/random.js';
import { firstTokenTask, floatTask } from './helpers/tasks.js';

let k: Kernels;
const dir = mkdtempSync(join(tmpdir(), 'frnn-ckpt-'));
test.before(async () => {
  k = await loadKernels();
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

const ids = firstTokenTask(6, 5, 13, 3).x; // (6, 5) ids in [1, 13)
const floats = floatTask(5, 4, 3, 2, 4).x; // (5, 4, 3)

/** Every weight set to seeded values unlike the initialisation, so a load that silently failed shows. */
function scramble(model: Sequential, seed: number): void {
  model.setWeights(model.getWeights().map((w, i) => ({ ...w, data: uniform(w.data.length, seed * 100 + i, -0.6, 0.6) })));
}

async function makeModel(layers: Layer[], x: unknown, seed: number): Promise<Sequential> {
  const m = new Sequential(layers, { kernels: k, seed: 7 });
  await m.predict(x as number[][]);
  scramble(m, seed);
  return m;
}

const lstmLayers = (units: number) => [
  new Embedding({ inputDim: 13, outputDim: 6, name: 'emb' }), new LSTM({ units, returnSequences: true, name: 'lstm_a' }),
  new LSTM({ units: 5, name: 'lstm_b' }), new Dense({ units: 1, activation: 'sigmoid', name: 'out' }),
];

const MODELS: Array<{ name: string; x: unknown; make: () => Layer[] }> = [
  // explicit names: checkpoints of different instances share tensor paths (loadWeights matches by path)
  { name: 'LSTM', x: ids, make: () => lstmLayers(7) },
  { name: 'GRU resetAfter', x: ids, make: () => [new Embedding({ inputDim: 13, outputDim: 5 }), new GRU({ units: 6 }), new Dense({ units: 3, activation: 'softmax' })] },
  { name: 'GRU resetAfter false', x: ids, make: () => [new Embedding({ inputDim: 13, outputDim: 5, maskZero: true }), new GRU({ units: 9, resetAfter: false, returnSequences: true }), new Dense({ units: 2 })] },
  { name: 'SimpleRNN', x: floats, make: () => [new SimpleRNN({ units: 6, activation: 'relu', goBackwards: true, inputShape: [null, 3] }), new Dense({ units: 2, activation: 'tanh' })] },
];

async function predictions(m: Sequential, x: unknown): Promise<Float32Array> {
  return (await m.predict(x as number[][])).data;
}

for (const [i, c] of MODELS.entries()) {
  test(`${c.name}: directory, .frnn file and bytes round trips give bit-identical predictions`, async () => {
    const m = await makeModel(c.make(), c.x, i + 1);
    const want = await predictions(m, c.x);
    const d = join(dir, `model-${i}`), f = join(dir, `model-${i}.frnn`);
    await saveModel(m, d);
    assert.ok(existsSync(join(d, 'model.json')) && existsSync(join(d, 'weights.bin')));
    assert.not.ok(existsSync(join(d, 'weights.prev.bin')));
    await saveModel(m, f);
    const bytes = saveModelToBytes(m);
    assert.equal(new Uint8Array(readFileSync(f)), bytes, 'the .frnn file holds exactly saveModelToBytes()');
    const sources: Array<[string, unknown]> = [['dir', d], ['model.json', join(d, 'model.json')], ['file', f], ['file URL', pathToFileURL(f)], ['bytes', bytes], ['ArrayBuffer', bytes.slice().buffer]];
    for (const [label, src] of sources) {
      const loaded = await loadModel(src as string, { kernels: k });
      assert.is(loaded.name, m.name);
      assert.equal(loaded.layers.map((l) => l.name), m.layers.map((l) => l.name));
      checkEqual(`${c.name} via ${label}`, await predictions(loaded, c.x), want);
    }
    // a misaligned view of the bytes (as a Node Buffer pool slice may be) loads too
    const padded = new Uint8Array(bytes.length + 1);
    padded.set(bytes, 1);
    checkEqual(`${c.name} via misaligned bytes`, await predictions(await loadModel(padded.subarray(1), { kernels: k }), c.x), want);
  });
}

test('the compile config is restored (optimizer class and options, loss, metrics) and the model trains on', async () => {
  const d = firstTokenTask(16, 5, 13, 9);
  const m = new Sequential([new Embedding({ inputDim: 13, outputDim: 4 }), new LSTM({ units: 5 }), new Dense({ units: 1, activation: 'sigmoid' })], { kernels: k, seed: 3 });
  m.compile({ optimizer: { className: 'Adam', config: { learningRate: 0.02, clipnorm: 1.5 } }, loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  await m.fit(d.x, d.y, { epochs: 1, batchSize: 8 });
  const f = join(dir, 'compiled.frnn');
  await saveModel(m, f);
  // Its own kernels: models sharing one arena corrupt each other when one re-plans (reported to the lead).
  const loaded = await loadModel(f, { kernels: await loadKernels() });
  assert.is(loaded.optimizer?.className, 'Adam');
  assert.equal(loaded.optimizer?.getConfig(), m.optimizer?.getConfig());
  const [a, b] = [await m.evaluate(d.x, d.y), await loaded.evaluate(d.x, d.y)];
  assert.equal(b, a, 'same loss and accuracy');
  const h = await loaded.fit(d.x, d.y, { epochs: 1, batchSize: 8 });
  assert.ok(Number.isFinite(h.history.loss[0]));
  const uncompiled = await loadModel(f, { kernels: k, compile: false });
  assert.is(uncompiled.optimizer, null);
});

test('CRC-32 is the IEEE/zlib one', () => {
  assert.is(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  assert.is(crc32(new Uint8Array(0)), 0);
});

// ---- interrupted saves

async function crashAt(stage: SaveStage, save: () => Promise<void>): Promise<void> {
  setSaveHookForTesting((s) => {
    if (s === stage) throw new Error(`simulated crash at ${s}`);
  });
  try {
    let err: unknown;
    await save().catch((e) => (err = e));
    assert.instance(err, Error);
    assert.match((err as Error).message, /simulated crash/);
  } finally {
    setSaveHookForTesting(null);
  }
}

test('a directory save interrupted at any stage leaves the previous checkpoint loadable', async () => {
  const m = await makeModel(MODELS[0].make(), ids, 11);
  const v1 = await predictions(m, ids);
  const d = join(dir, 'interrupted');
  await saveModel(m, d);
  scramble(m, 12);
  const v2 = await predictions(m, ids);
  assert.not.equal(v2, v1);
  for (const stage of ['temp-written', 'previous-kept', 'weights-renamed'] as const) {
    await crashAt(stage, () => saveModel(m, d));
    checkEqual(`after a crash at ${stage}`, await predictions(await loadModel(d, { kernels: k }), ids), v1);
    assert.equal(readdirSync(d).filter((f) => f.endsWith('.tmp')), [], 'temp files are removed');
  }
  // Two interrupted saves in a row: weights.bin no longer matches model.json, the blob it does match is kept.
  await crashAt('weights-renamed', () => saveModel(m, d));
  scramble(m, 13);
  await crashAt('weights-renamed', () => saveModel(m, d));
  checkEqual('after two crashes', await predictions(await loadModel(d, { kernels: k }), ids), v1);
  // A killed process leaves temp files behind: they are ignored.
  writeFileSync(join(d, '.model.json.999-x.tmp'), '{"partial":');
  writeFileSync(join(d, '.weights.bin.999-x.tmp'), new Uint8Array(3));
  checkEqual('with stray temp files', await predictions(await loadModel(d, { kernels: k }), ids), v1);
  // A save that completes commits the new weights and drops the kept blob.
  const v3 = await predictions(m, ids);
  await saveModel(m, d);
  checkEqual('after a completed save', await predictions(await loadModel(d, { kernels: k }), ids), v3);
  assert.not.ok(existsSync(join(d, 'weights.prev.bin')));
});

test('a single-file save interrupted before its rename leaves the previous file', async () => {
  const m = await makeModel(MODELS[3].make(), floats, 21);
  const v1 = await predictions(m, floats);
  const f = join(dir, 'interrupted.frnn');
  await saveModel(m, f);
  scramble(m, 22);
  await crashAt('temp-written', () => saveModel(m, f));
  checkEqual('after a crash', await predictions(await loadModel(f, { kernels: k }), floats), v1);
  assert.equal(readdirSync(dir).filter((x) => x.startsWith('.interrupted.frnn')), []);
});

// ---- damaged and mismatched checkpoints

async function target(): Promise<{ model: Sequential; before: ReturnType<Sequential['getWeights']> }> {
  const model = await makeModel(MODELS[0].make(), ids, 31);
  return { model, before: model.getWeights() };
}

async function rejectsAndUnchanged(label: string, source: unknown, pattern: RegExp): Promise<void> {
  const { model, before } = await target();
  await rejectsTyped(() => loadWeights(model, source as string), CheckpointError, pattern, `${label}: loadWeights`);
  await rejectsTyped(() => loadModel(source as string, { kernels: k }), CheckpointError, pattern, `${label}: loadModel`);
  const after = model.getWeights();
  for (let i = 0; i < before.length; i++) checkEqual(`${label}: ${before[i].path} unchanged`, after[i].data, before[i].data);
}

test('damaged single files: truncated, wrong magic, newer version, bad checksum, trailing bytes', async () => {
  const src = await makeModel(MODELS[0].make(), ids, 41);
  const bytes = saveModelToBytes(src);
  const f = join(dir, 'damaged.frnn');
  const write = (b: Uint8Array) => (writeFileSync(f, b), f);
  const headerEnd = 12 + new DataView(bytes.buffer).getUint32(8, true);
  await rejectsAndUnchanged('truncated blob', write(bytes.subarray(0, bytes.length - 10)), /damaged\.frnn: truncated: the weights blob needs \d+ bytes .*10 bytes missing; tensor out\/kernel is cut/);
  await rejectsAndUnchanged('truncated in the middle', write(bytes.subarray(0, headerEnd + 40)), /truncated.*tensor \S+ is cut/);
  await rejectsAndUnchanged('truncated manifest', write(bytes.subarray(0, 200)), /damaged\.frnn: truncated: the manifest needs bytes 12\.\.\d+, the file has 200 bytes/);
  await rejectsAndUnchanged('truncated header', write(bytes.subarray(0, 7)), /truncated: the header needs 12 bytes, the file has 7/);
  const magic = bytes.slice();
  magic.set([0x50, 0x4b, 3, 4]); // a zip file
  await rejectsAndUnchanged('wrong magic', write(magic), /damaged\.frnn: not a fused-rnn checkpoint: the magic bytes are 50 4b 03 04/);
  const newer = bytes.slice();
  new DataView(newer.buffer).setUint32(4, 3, true);
  await rejectsAndUnchanged('newer version', write(newer), /format version 3 was written by a newer fused-rnn/);
  const flipped = bytes.slice();
  flipped[bytes.length - 5] ^= 0x40;
  await rejectsAndUnchanged('bad checksum', write(flipped), /checksum mismatch: the manifest and weights have CRC-32 [0-9a-f]{8}, the file says/);
  await rejectsAndUnchanged('bad checksum (bytes)', flipped, /checkpoint bytes: checksum mismatch/);
  const longer = new Uint8Array(bytes.length + 8);
  longer.set(bytes);
  await rejectsAndUnchanged('trailing bytes', write(longer), /8 bytes more than/);
  await rejectsAndUnchanged('missing file', join(dir, 'nope.frnn'), /nope\.frnn: no checkpoint there/);
});

test('damaged or mismatched directories: edited tensor shapes, missing blob, other architecture', async () => {
  const src = await makeModel(MODELS[0].make(), ids, 51);
  const d = join(dir, 'edited');
  await saveModel(src, d);
  const manifestPath = join(d, 'model.json');
  const original = readFileSync(manifestPath, 'utf8');
  const blob = new Uint8Array(readFileSync(join(d, 'weights.bin')));
  // Edits re-stamped with a valid checksum (a crafted file): the structural checks behind the checksum still hold.
  const edit = (f: (m: { tensors: Array<{ path: string; shape: number[]; byteLength: number }> }) => void) => {
    const m = JSON.parse(original);
    f(m);
    m.checksum.value = manifestChecksum(m, blob);
    writeFileSync(manifestPath, JSON.stringify(m));
  };
  // Same byte count, other shape: caught against what the model config declares, naming the tensor and both shapes.
  edit((m) => { m.tensors.find((t) => t.path === 'lstm_a/kernel')!.shape = [3, 56]; });
  await rejectsAndUnchanged('edited shape', d, /tensor lstm_a\/kernel has shape \(3, 56\) in the tensor table but the model config declares \(6, 28\)/);
  // A shape that does not fit the stored bytes.
  edit((m) => { m.tensors[0].shape = [99, 28]; });
  await rejectsAndUnchanged('shape vs bytes', d, /invalid manifest: tensor \S+: byteLength \d+ does not match shape \(99, 28\)/);
  edit((m) => { m.tensors.pop(); });
  await rejectsAndUnchanged('missing tensor', d, /tensor out\/bias \(1\) that the model config declares is missing from the tensor table/);
  edit((m) => { m.tensors.push({ ...m.tensors[0], path: 'extra/kernel' }); });
  await rejectsAndUnchanged('extra tensor', d, /tensors \S+ and extra\/kernel overlap in the blob|extra\/kernel of the tensor table is not declared/);
  writeFileSync(manifestPath, '{"format": "fused-rnn-checkpoint", "formatVersion": 2, ');
  await rejectsAndUnchanged('broken JSON', d, /model\.json: the manifest is not valid JSON/);
  writeFileSync(manifestPath, original);
  rmSync(join(d, 'weights.bin'));
  await rejectsAndUnchanged('missing blob', d, /weights\.bin: missing: the weights blob of .*model\.json/);
  // A checkpoint of another architecture (lstm_a with 8 units instead of 7) into the target model.
  const d2 = join(dir, 'other');
  await saveModel(await makeModel(lstmLayers(8), ids, 52), d2);
  const { model, before } = await target();
  await rejectsTyped(() => loadWeights(model, d2), CheckpointError, /other: tensor lstm_a\/kernel has shape \(6, 32\) in the checkpoint but \(6, 28\) in model/);
  const after = model.getWeights();
  for (let i = 0; i < before.length; i++) checkEqual(`other architecture: ${before[i].path} unchanged`, after[i].data, before[i].data);
});

test.run();
