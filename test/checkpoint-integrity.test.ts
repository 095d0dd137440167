// Checkpoint integrity and resource limits (issue 16 findings 4, 5, 11): one checksum over manifest and
// weights (version 2) catches edits and bit flips anywhere; version 1 files load only with allowUnverified;
// declared sizes are checked against limits before anything is allocated; special files are refused without
// hanging; failed loads give their memory back; saves clean up temp files that killed saves left.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CheckpointError, Dense, Embedding, LSTM, Sequential, crc32, loadKernels, loadModel, manifestChecksum, saveModel, saveModelToBytes, type Kernels,
} from '../src/index.js';
import { rejectsTyped } from './helpers/assert-throws.js';

let k: Kernels;
const dir = mkdtempSync(join(tmpdir(), 'frnn-integrity-'));
test.before(async () => {
  k = await loadKernels({ initialBytes: 1 << 20 });
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

const ids = [[1, 2, 3, 4], [4, 3, 2, 1], [5, 6, 7, 8]];

async function small(): Promise<Sequential> {
  const m = new Sequential([new Embedding({ inputDim: 10, outputDim: 4, name: 'emb' }), new LSTM({ units: 5, name: 'lstm' }), new Dense({ units: 1, activation: 'sigmoid', name: 'out' })], { kernels: k, seed: 3 });
  m.compile({ optimizer: { className: 'Adam', config: { learningRate: 0.01, clipnorm: 1 } }, loss: 'binaryCrossentropy' });
  await m.predict(ids);
  return m;
}

/** Splits single-file bytes into the parsed manifest and the blob, and packs them again (optionally re-stamping the checksum). */
function split(bytes: Uint8Array) {
  const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  const manifest = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + n)));
  const blob = bytes.slice((12 + n + 3) & ~3);
  return { manifest, blob };
}
function pack(manifest: Record<string, unknown>, blob: Uint8Array, version = manifest.formatVersion as number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(manifest));
  const at = (12 + json.length + 3) & ~3;
  const out = new Uint8Array(at + blob.length);
  out.set(new TextEncoder().encode('FRNN'));
  new DataView(out.buffer).setUint32(4, version, true);
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(blob, at);
  return out;
}
const restamp = (m: Record<string, unknown>, blob: Uint8Array) => ((m.checksum as { value: string }).value = manifestChecksum(m as never, blob), m);

test('finding 4: edits anywhere in the manifest are caught by the one checksum (activation, offsets, renamed config key, compile)', async () => {
  const bytes = saveModelToBytes(await small());
  const { manifest, blob } = split(bytes);
  assert.is(manifest.formatVersion, 2);
  assert.equal(Object.keys(manifest).at(-1), 'checksum');
  // (tensor offsets swapped between tensors of different sizes also make them overlap: a structural check may fire first)
  const edits: Array<[string, (m: any) => void]> = [
    ['activation changed', (m) => { m.model.config.layers[1].config.activation = 'relu'; }],
    ['tensor offsets swapped', (m) => { const [a, b] = [m.tensors[1], m.tensors[2]]; [a.byteOffset, b.byteOffset] = [b.byteOffset, a.byteOffset]; }],
    ['config key renamed', (m) => { const c = m.compile.optimizer.config; c.learning_rate = c.learningRate; delete c.learningRate; }],
    ['loss changed', (m) => { m.compile.loss = 'meanSquaredError'; }],
    ['trainable flag', (m) => { m.tensors[0].trainable = false; }],
  ];
  for (const [label, f] of edits) {
    const m = structuredClone(manifest);
    f(m);
    await rejectsTyped(() => loadModel(pack(m, blob), { kernels: k }), CheckpointError, /checksum mismatch: the manifest and weights have CRC-32 [0-9a-f]{8}, the file says|overlap in the blob/, label);
  }
  // every single-bit flip in the manifest region is caught (by the checksum or by the parser)
  const n = new DataView(bytes.buffer).getUint32(8, true);
  let caught = 0;
  for (let i = 12; i < 12 + n; i += 7) {
    const b = bytes.slice();
    b[i] ^= 1 << (i % 8);
    try {
      await loadModel(b, { kernels: k });
    } catch (e) {
      if (e instanceof CheckpointError) caught++;
      else throw e;
    }
  }
  assert.is(caught, Math.ceil(n / 7), 'every flipped byte rejected with CheckpointError');
});

test('finding 4: format version 1 (no manifest checksum) loads only with { allowUnverified: true }', async () => {
  const m0 = await small();
  const want = (await m0.predict(ids)).data;
  const { manifest, blob } = split(saveModelToBytes(m0));
  delete manifest.checksum;
  manifest.formatVersion = 1;
  manifest.weights = { dtype: 'float32', byteOrder: 'little', byteLength: blob.length, checksum: { algorithm: 'crc32', value: crc32(blob).toString(16).padStart(8, '0') } };
  const v1 = pack(manifest, blob, 1);
  await rejectsTyped(() => loadModel(v1, { kernels: k }), CheckpointError, /format version 1 has no checksum over its manifest .* allowUnverified: true/);
  const loaded = await loadModel(v1, { kernels: k, allowUnverified: true });
  assert.equal(Array.from((await loaded.predict(ids)).data), Array.from(want));
  // a v2 file relabelled as v1 (a downgrade) is refused the same way
  const { manifest: m2, blob: b2 } = split(saveModelToBytes(m0));
  m2.formatVersion = 1;
  await rejectsTyped(() => loadModel(pack(m2, b2, 1), { kernels: k }), CheckpointError, /format version 1 has no checksum/);
});

test('finding 5: a 3 KB file declaring LSTM(2048) is refused before anything is allocated', async () => {
  const { manifest, blob } = split(saveModelToBytes(await small()));
  const m = structuredClone(manifest);
  m.model.config.layers[1].config.units = 2048;
  const file = pack(restamp(m, blob), blob);
  const before = { size: k.arena.byteLength, used: k.arena.usedBytes };
  const t0 = performance.now();
  await rejectsTyped(() => loadModel(file, { kernels: k }), CheckpointError, /tensor lstm\/kernel has shape \(4, 20\) in the tensor table but the model config declares \(4, 8192\)/);
  const ms = performance.now() - t0;
  console.log(`    LSTM(2048) manifest in a ${file.length}-byte file refused in ${ms.toFixed(1)} ms; arena ${before.size} → ${k.arena.byteLength} bytes`);
  assert.is(k.arena.byteLength, before.size, 'no memory growth');
  assert.is(k.arena.usedBytes, before.used, 'nothing allocated');
  // a tensor table that declares the big tensors too is refused by the limits (configurable), also before allocation
  const good = saveModelToBytes(await small());
  await rejectsTyped(() => loadModel(good, { kernels: k, limits: { maxParams: 100 } }), CheckpointError, /more than limits.maxParams = 100/);
  await rejectsTyped(() => loadModel(good, { kernels: k, limits: { maxFileBytes: 1000 } }), CheckpointError, /more than limits.maxFileBytes = 1000/);
  await rejectsTyped(() => loadModel(good, { kernels: k, limits: { maxParams: -1 } }), CheckpointError, /limits.maxParams must be a positive number/);
});

test('finding 5: special files are refused without reading them (links to /dev/zero, FIFOs, directories)', async () => {
  const m = await small();
  const d = join(dir, 'zero');
  await saveModel(m, d);
  rmSync(join(d, 'weights.bin'));
  symlinkSync('/dev/zero', join(d, 'weights.bin'));
  await rejectsTyped(() => loadModel(d, { kernels: k }), CheckpointError, /weights\.bin: the weights blob must be a regular file, this is a character device/);
  const f = join(dir, 'zero.frnn');
  symlinkSync('/dev/zero', f);
  await rejectsTyped(() => loadModel(f, { kernels: k }), CheckpointError, /zero\.frnn: the checkpoint must be a regular file, this is a character device/);
  const fifo = join(dir, 'pipe.frnn');
  execFileSync('mkfifo', [fifo]);
  await rejectsTyped(() => loadModel(fifo, { kernels: k }), CheckpointError, /pipe\.frnn: the checkpoint must be a regular file, this is a FIFO/);
  const m2 = join(dir, 'dirjson');
  await saveModel(m, m2);
  rmSync(join(m2, 'model.json'));
  execFileSync('mkdir', [join(m2, 'model.json')]);
  await rejectsTyped(() => loadModel(m2, { kernels: k }), CheckpointError, /model\.json: the manifest must be a regular file, this is a directory/);
});

test('finding 5: failed loads give their memory back to the shared Kernels', async () => {
  const keep = await small();
  const { manifest, blob } = split(saveModelToBytes(keep));
  const m = structuredClone(manifest);
  m.compile.optimizer.config.epsilon = 0; // caught only when the rebuilt model is compiled
  const bad = pack(restamp(m, blob), blob);
  await rejectsTyped(() => loadModel(bad, { kernels: k }), CheckpointError, /cannot restore the compile config: Adam: epsilon must be a positive finite number, got 0/);
  const used = k.arena.usedBytes, size = k.arena.byteLength;
  for (let i = 0; i < 50; i++) await loadModel(bad, { kernels: k }).catch(() => {});
  assert.is(k.arena.usedBytes, used, 'no memory kept by 50 failed loads');
  assert.is(k.arena.byteLength, size);
});

test('finding 11: a save removes temp files of killed saves (dead pid or older than a day) and keeps live ones', async () => {
  const m = await small();
  const d = join(dir, 'stale');
  await saveModel(m, d);
  const dead = 2 ** 22 + 12345; // above pid_max: no such process
  const now = Date.now().toString(36);
  const stale = [`.weights.bin.${dead}-${now}-abc123.tmp`, `.model.json.${dead}-${now}-abc123.tmp`];
  const live = `.weights.bin.${process.pid}-${now}-zzz999.tmp`;
  const other = '.notes.txt.123-abc-def.tmp';
  for (const f of [...stale, live, other]) writeFileSync(join(d, f), 'x');
  await saveModel(m, d);
  const left = readdirSync(d);
  for (const f of stale) assert.not.ok(left.includes(f), `${f} removed`);
  assert.ok(left.includes(live), 'a live save\'s temp file is kept');
  assert.ok(left.includes(other), 'files that are not our temp files are kept');
  const f = join(dir, 'stale.frnn');
  writeFileSync(join(dir, `.stale.frnn.${dead}-${now}-q.tmp`), 'x');
  await saveModel(m, f);
  assert.not.ok(existsSync(join(dir, `.stale.frnn.${dead}-${now}-q.tmp`)));
  assert.ok(readFileSync(f).length > 0);
});

test.run();
