// Quantized checkpoints (issue 20): saveModel(model, path, { weights: 'int8' | 'float16' }) writes the
// weight matrices as int8 (per-column scales; embeddings per row) or float16; files ≈ 4× / 2× smaller;
// the training loader dequantizes with a warning; fused-rnn/infer runs int8 directly; bad records are refused.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dense, Embedding, GRU, LSTM, Sequential, loadKernels, loadModel, saveModel, saveModelToBytes, type Kernels } from '../src/index.js';
import { floatToHalf, halfToFloat, manifestBlobChecksum, quantizeCheckpoint, quantizeInt8 } from '../src/io/quantize.js';
import { loadInferenceModel, loadInferKernels, type InferKernels } from '../src/infer/index.js';

let k: Kernels;
let ik: InferKernels;
const dir = mkdtempSync(join(tmpdir(), 'frnn-quant-'));
test.before(async () => {
  k = await loadKernels();
  ik = await loadInferKernels();
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

const model = () => {
  const m = new Sequential([new Embedding({ inputDim: 300, outputDim: 32, inputShape: [12] }), new LSTM({ units: 64, returnSequences: true }), new GRU({ units: 48 }), new Dense({ units: 1, activation: 'sigmoid' })], { seed: 7, kernels: k });
  m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
  return m;
};
const x = Array.from({ length: 6 }, (_, n) => Array.from({ length: 12 }, (_, t) => 1 + ((n * 31 + t * 17) % 299)));

test('int8 / float16 files are ≈ 4× / 2× smaller; directory and single-file forms', async () => {
  const m = model();
  await m.predict(x);
  const f32 = saveModelToBytes(m).length, q8 = saveModelToBytes(m, { weights: 'int8' }).length, f16 = saveModelToBytes(m, { weights: 'float16' }).length;
  console.log(`file bytes: float32 ${f32}, int8 ${q8} (${(f32 / q8).toFixed(2)}×), float16 ${f16} (${(f32 / f16).toFixed(2)}×)`);
  // Scales (one f32 per column of a (K, N) matrix: 4K/(K + 4)), biases and the manifest keep this small model under 4×.
  assert.ok(f32 / q8 > 3.3, `int8 ratio ${f32 / q8}`);
  assert.ok(f32 / f16 > 1.9, `float16 ratio ${f32 / f16}`);
  await saveModel(m, join(dir, 'q8'), { weights: 'int8' });
  const manifest = JSON.parse(readFileSync(join(dir, 'q8', 'model.json'), 'utf8'));
  assert.is(manifest.weights.dtype, undefined, 'format version 2 keeps the dtype per tensor only');
  const byPath = Object.fromEntries(manifest.tensors.map((t: { path: string }) => [t.path, t]));
  const emb = Object.keys(byPath).find((p) => p.endsWith('/embeddings'))!;
  const kern = Object.keys(byPath).find((p) => /lstm[^/]*\/kernel$/.test(p))!;
  const bias = Object.keys(byPath).find((p) => /lstm[^/]*\/bias$/.test(p))!;
  assert.equal([byPath[emb].dtype, byPath[emb].quantization.axis, byPath[emb].quantization.scaleLength], ['int8', 0, 4 * 300]);
  assert.equal([byPath[kern].dtype, byPath[kern].quantization.axis, byPath[kern].quantization.scaleLength], ['int8', 1, 4 * 256]);
  assert.is(byPath[bias].dtype, 'float32');
  assert.is(statSync(join(dir, 'q8', 'weights.bin')).size, manifest.weights.byteLength);
  await saveModel(m, join(dir, 'f16.frnn'), { weights: 'float16' });
  assert.ok(statSync(join(dir, 'f16.frnn')).size < f32 / 1.9);
});

test('loading a quantized file for training dequantizes with a warning; values are the quantized ones', async () => {
  const m = model();
  const want = await m.predict(x);
  await saveModel(m, join(dir, 'q8b'), { weights: 'int8' });
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (msg: string) => warnings.push(msg);
  let back: Sequential;
  try {
    back = await loadModel(join(dir, 'q8b'), { kernels: k });
  } finally {
    console.warn = warn;
  }
  assert.is(warnings.length, 1);
  assert.match(warnings[0], /stored as int8; they were dequantized to float32/);
  // Every weight within half a quantization step of the original (per column / per row scale).
  const w0 = m.getWeights(), w1 = back!.getWeights();
  for (let i = 0; i < w0.length; i++) {
    const a = w0[i].data, b = w1[i].data;
    if (w0[i].path.endsWith('bias')) { assert.equal(Array.from(b), Array.from(a), `${w0[i].path} is float32`); continue; }
    const [R, C] = w0[i].shape, axis = w0[i].path.endsWith('embeddings') ? 0 : 1;
    const { scales } = quantizeInt8(a, R, C, axis);
    for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) {
      const s = scales[axis === 1 ? c : r];
      if (Math.abs(a[r * C + c] - b[r * C + c]) > s / 2 + 1e-7) assert.unreachable(`${w0[i].path}[${r}, ${c}]: ${b[r * C + c]} vs ${a[r * C + c]} (scale ${s})`);
    }
  }
  const got = await back!.predict(x);
  let maxDiff = 0;
  for (let i = 0; i < got.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got.data[i] - want.data[i]));
  assert.ok(maxDiff < 0.02, `dequantized model differs by ${maxDiff}`);
  // fused-rnn/infer on the same int8 file (int8 weights in the kernels): close to the dequantized model.
  const im = await loadInferenceModel(join(dir, 'q8b'), { kernels: ik });
  assert.is(im.weights, 'int8');
  const inf = await im.predict(x);
  for (let i = 0; i < inf.data.length; i++) assert.ok(Math.abs(inf.data[i] - got.data[i]) < 5e-3, `infer int8 vs dequantized at ${i}: ${inf.data[i]} vs ${got.data[i]}`);
  // float16 file into fused-rnn/infer: float32 kernels on the exact half values.
  await saveModel(m, join(dir, 'h.frnn'), { weights: 'float16' });
  const ih = await loadInferenceModel(join(dir, 'h.frnn'), { kernels: ik });
  assert.is(ih.weights, 'float32');
  const ph = await ih.predict(x);
  for (let i = 0; i < ph.data.length; i++) assert.ok(Math.abs(ph.data[i] - want.data[i]) < 2e-3);
});

test('float16 conversion: round to nearest even, subnormals, overflow, exact round trip of every half', () => {
  for (let h = 0; h < 0x10000; h++) {
    const f = halfToFloat(h);
    if (Number.isNaN(f)) continue;
    assert.is(floatToHalf(f), h, `half 0x${h.toString(16)} = ${f}`);
  }
  assert.is(floatToHalf(1 + 2 ** -11), 0x3c00); // tie → even (1.0)
  assert.is(floatToHalf(1 + 3 * 2 ** -11), 0x3c02); // tie → even (up)
  assert.is(floatToHalf(70000), 0x7c00);
  assert.is(halfToFloat(floatToHalf(2 ** -24)), 2 ** -24);
});

test('corrupt quantization records are refused with the tensor named', async () => {
  const m = model();
  await m.predict(x);
  const bytes = saveModelToBytes(m, { weights: 'int8' });
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const M = view.getUint32(8, true);
  const manifest = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + M)));
  const rebuild = (mf: unknown) => {
    const json = new TextEncoder().encode(JSON.stringify(mf));
    const blob = bytes.subarray((12 + M + 3) & ~3);
    const off = (12 + json.length + 3) & ~3, out = new Uint8Array(off + blob.length);
    out.set(bytes.subarray(0, 12));
    new DataView(out.buffer).setUint32(8, json.length, true);
    out.set(json, 12);
    out.set(blob, off);
    return out;
  };
  const t = manifest.tensors.findIndex((r: { dtype: string }) => r.dtype === 'int8');
  const name = manifest.tensors[t].path;
  const bad1 = structuredClone(manifest); bad1.tensors[t].quantization.scaleLength -= 4;
  const bad2 = structuredClone(manifest); bad2.tensors[t].quantization.scaleOffset = manifest.weights.byteLength;
  const bad3 = structuredClone(manifest); bad3.tensors[t].dtype = 'int4';
  for (const [bad, re] of [[bad1, /scaleLength/], [bad2, /scales at bytes/], [bad3, /dtype "int4" is not supported/]] as const) {
    for (const load of [() => loadModel(rebuild(bad), { kernels: k }), () => loadInferenceModel(rebuild(bad), { kernels: ik })]) {
      try {
        await load();
        assert.unreachable('must throw');
      } catch (e) {
        assert.match((e as Error).message, new RegExp(`tensor ${name.replace('/', '\\/')}`));
        assert.match((e as Error).message, re);
      }
    }
  }
  await assert.throws(() => saveModelToBytes(m, { weights: 'int4' as never }), /weights must be "float32", "int8" or "float16"/);
});

test('format version 2 (one checksum over manifest + blob, the reliability work): read by fused-rnn/infer; quantizing keeps it valid', async () => {
  const m = model();
  const want = await m.predict(x);
  const v1 = saveModelToBytes(m);
  const M = new DataView(v1.buffer, v1.byteOffset).getUint32(8, true);
  const manifest = JSON.parse(new TextDecoder().decode(v1.subarray(12, 12 + M)));
  const blob = v1.slice((12 + M + 3) & ~3);
  // A version-2 manifest: no weights.dtype / weights.checksum, a dtype per tensor, the checksum key last.
  manifest.formatVersion = 2;
  delete manifest.weights.dtype;
  delete manifest.weights.checksum;
  manifest.checksum = { algorithm: 'crc32', scope: 'manifest+blob', value: manifestBlobChecksum(manifest, blob) };
  const pack = (mf: unknown, b: Uint8Array) => {
    const json = new TextEncoder().encode(JSON.stringify(mf));
    const off = (12 + json.length + 3) & ~3, out = new Uint8Array(off + b.length);
    out.set(new TextEncoder().encode('FRNN'));
    new DataView(out.buffer).setUint32(4, 2, true);
    new DataView(out.buffer).setUint32(8, json.length, true);
    out.set(json, 12);
    out.set(b, off);
    return out;
  };
  const v2 = pack(manifest, blob);
  const got = await (await loadInferenceModel(v2, { kernels: ik })).predict(x);
  assert.equal(Array.from(got.data), Array.from(want.data));
  const bad = v2.slice();
  bad[bad.length - 5] ^= 1;
  try {
    await loadInferenceModel(bad, { kernels: ik });
    assert.unreachable('corrupt v2 must fail');
  } catch (e) {
    assert.match((e as Error).message, /checksum mismatch/);
  }
  const q = quantizeCheckpoint({ manifest, blob }, 'int8');
  assert.is('dtype' in q.manifest.weights, false);
  assert.is(Object.keys(q.manifest).pop(), 'checksum');
  const qi = await loadInferenceModel(pack(q.manifest, q.blob), { kernels: ik });
  assert.is(qi.weights, 'int8');
  const pq = await qi.predict(x);
  for (let i = 0; i < pq.data.length; i++) assert.ok(Math.abs(pq.data[i] - want.data[i]) < 0.02);
});

test.run();
