// Exported `.keras` files read by an independent reader: Debian's python3-h5py (libhdf5 through h5py) and
// Python's zipfile, not the libraries the exporter writes with (fflate, h5wasm). Keras itself is not
// installable here, so "Keras 3 loads it" is argued from layout equality with the Keras-written sample:
// - the export of the Keras 3.15 sample (Embedding, LSTM, Dense: the layer kinds the fixtures cover) has,
//   as h5py and zipfile see it, exactly the sample's zip entries (names, order, STORED) and HDF5 objects
//   (paths, kinds, dtypes, shapes, chunking, storage layout, attribute names, values, string types);
// - for the layer kinds the sample lacks (GRU both reset variants, SimpleRNN, Bidirectional, Conv1D and
//   pooling, functional models with InputLayers), every object follows the sample's rules (little-endian
//   float32 contiguous datasets without filters, a variable-length UTF-8 `name` attribute on every `vars`
//   group and on nothing else, a root `vars` group named after the model) and h5py reads back exactly the
//   model's weights.
// .ci/run installs python3-h5py with apt; in CI a missing h5py fails this test, elsewhere it is reported and skipped.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AveragePooling1D, Bidirectional, Conv1D, Dense, Embedding, GlobalMaxPooling1D, GRU, Input, LSTM, MaxPooling1D, Model, Sequential,
  SimpleRNN, loadKernels, type Kernels, type SymbolicTensor,
} from '../src/index.js';
import { exportModel, importModel } from '../src/interop/index.js';

const PY = '/usr/bin/python3';   // Debian's interpreter: python3-h5py installs into its dist-packages
const hasH5py = spawnSync(PY, ['-c', 'import h5py'], { encoding: 'utf8' }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'fused-rnn-h5py-'));
let k: Kernels;
test.before(async () => { k = await loadKernels({ variant: 'simd' }); });
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** h5py + zipfile's view of a .keras file (optimizer state left out: exports carry none). */
const SCRIPT = String.raw`
import h5py, io, json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
entries = [[i.filename, i.compress_type] for i in z.infolist()]
f = h5py.File(io.BytesIO(z.read('model.weights.h5')), 'r')
objects, values = [], {}
def attrs(o):
    out = []
    for name in sorted(o.attrs.keys()):
        t = o.attrs.get_id(name).dtype
        s = h5py.check_string_dtype(t)
        v = o.attrs[name]
        out.append([name, v.decode() if isinstance(v, bytes) else (v if isinstance(v, str) else repr(v)), t.kind, None if s is None else [s.encoding, s.length]])
    return out
def visit(name, o):
    if name.startswith('optimizer'): return
    if isinstance(o, h5py.Dataset):
        plist = o.id.get_create_plist()
        objects.append([name, 'dataset', o.dtype.str, list(o.shape), o.chunks, plist.get_layout(), plist.get_nfilters(), attrs(o)])
        values[name] = o[()].astype(float).ravel().tolist()
    else:
        objects.append([name, 'group', attrs(o)])
objects.append(['/', 'group', attrs(f)])
f.visititems(visit)
print(json.dumps({'entries': entries, 'config_keys': sorted(json.loads(z.read('config.json')).keys()), 'objects': objects, 'values': values}))
`;

interface H5View {
  entries: Array<[string, number]>;
  config_keys: string[];
  objects: Array<[string, 'group', unknown[]] | [string, 'dataset', string, number[], unknown, number, number, unknown[]]>;
  values: Record<string, number[]>;
}

function readWithH5py(bytes: Uint8Array, name: string): H5View {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  const r = spawnSync(PY, ['-c', SCRIPT, file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.is(r.status, 0, `h5py on ${name}: ${r.stderr}`);
  return JSON.parse(r.stdout) as H5View;
}

if (!hasH5py) {
  test('python3-h5py is installed (.ci/run installs it with apt)', () => {
    if (process.env.CI) assert.unreachable(`${PY} cannot import h5py: .ci/run must install python3-h5py (apt-get install -y python3-h5py)`);
    console.log(`SKIPPED: ${PY} has no h5py here (apt-get install -y python3-h5py); CI installs it and runs these checks`);
  });
} else {
  test('h5py and zipfile see the export of the Keras 3.15 sample exactly as the sample: entries, order, HDF5 objects, dtypes, layout, attributes', async () => {
    const sample = new Uint8Array(readFileSync(new URL('./fixtures/interop/a_lstm.keras', import.meta.url)));
    const model = await importModel(sample, { kernels: k });
    const want = readWithH5py(sample, 'sample.keras');
    const got = readWithH5py(await exportModel(model, 'keras'), 'export.keras');
    assert.equal(got.entries, [['metadata.json', 0], ['config.json', 0], ['model.weights.h5', 0]]);
    assert.equal(got.entries, want.entries);
    assert.equal(got.config_keys, want.config_keys);
    assert.ok(want.objects.length >= 17, `sample objects listed: ${want.objects.length}`);
    assert.equal(got.objects, want.objects);
    for (const [path, v] of Object.entries(want.values)) assert.equal(got.values[path], v, `values of ${path}`);
  });

  /** Checks one exported model against the sample's rules and its own weights. */
  async function checkRules(model: Model | Sequential, label: string): Promise<void> {
    const view = readWithH5py(await exportModel(model, 'keras'), `${label}.keras`);
    assert.equal(view.entries, [['metadata.json', 0], ['config.json', 0], ['model.weights.h5', 0]], label);
    const vlenUtf8 = (name: string, value: string) => [name, value, 'O', ['utf-8', null]];
    for (const o of view.objects) {
      const [path, kind] = o;
      if (kind === 'dataset') {
        const [, , dtype, , chunks, layout, filters, attrs] = o;
        assert.equal([dtype, chunks, layout, filters, attrs], ['<f4', null, 1, 0, []], `${label}: dataset ${path} (dtype, chunks, contiguous layout, filters, attributes)`);
      } else {
        const attrs = o[2] as unknown[];
        if (path.endsWith('vars')) {
          assert.is(attrs.length, 1, `${label}: ${path} attributes`);
          assert.equal((attrs[0] as unknown[]).slice(2), vlenUtf8('', '').slice(2), `${label}: ${path} name attribute type`);
          assert.is((attrs[0] as unknown[])[0], 'name');
        } else {
          assert.equal(attrs, [], `${label}: group ${path} has no attributes`);
        }
      }
    }
    const rootVars = view.objects.find((o) => o[0] === 'vars');
    assert.ok(rootVars, `${label}: root vars group`);
    assert.equal(rootVars![2], [vlenUtf8('name', model.name)], `${label}: root vars names the model`);
    // h5py reads back exactly the model's weights (compared as a multiset of exact float32 values).
    const key = (v: number[]) => JSON.stringify(v);
    const fromH5 = Object.values(view.values).map(key).sort();
    const fromModel = model.getWeights().map((w) => key(Array.from(w.data))).sort();
    assert.equal(fromH5, fromModel, `${label}: weights read by h5py`);
  }

  test('layer kinds the sample lacks (GRU both variants, SimpleRNN, Bidirectional, Conv1D, pooling, functional): the sample\'s rules, weights read back exactly by h5py', async () => {
    const rnn = new Sequential([
      new Embedding({ inputDim: 30, outputDim: 4, name: 'emb' }),
      new Bidirectional({ layer: new GRU({ units: 3, returnSequences: true, resetAfter: true, name: 'g' }), name: 'bi' }),
      new GRU({ units: 3, returnSequences: true, resetAfter: false, name: 'g_before' }),
      new SimpleRNN({ units: 4, returnSequences: true, activation: 'relu', name: 's' }),
      new Bidirectional({ layer: new LSTM({ units: 2, name: 'l' }), mergeMode: 'sum', name: 'bi_sum' }),
      new Dense({ units: 2, activation: 'softmax', name: 'out' }),
    ], { kernels: k, seed: 7, name: 'rnn_kinds' });
    await rnn.build([null]);
    await checkRules(rnn, 'rnn_kinds');
    const cnn = new Sequential([
      new Embedding({ inputDim: 20, outputDim: 4, name: 'emb' }),
      new Conv1D({ filters: 5, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv' }),
      new MaxPooling1D({ poolSize: 2, name: 'pool' }),
      new Conv1D({ filters: 3, kernelSize: 2, name: 'conv_2' }),
      new AveragePooling1D({ poolSize: 2, name: 'avg' }),
      new LSTM({ units: 3, returnSequences: true, name: 'l' }),
      new GlobalMaxPooling1D({ name: 'gmax' }),
      new Dense({ units: 1, activation: 'sigmoid', name: 'out' }),
    ], { kernels: k, seed: 8, name: 'cnn_kinds' });
    await cnn.build([12]);
    await checkRules(cnn, 'cnn_kinds');
    const enc = Input({ shape: [null], dtype: 'int32', name: 'enc_in' });
    const dec = Input({ shape: [null], dtype: 'int32', name: 'dec_in' });
    const [, h, c] = new LSTM({ units: 4, returnState: true, name: 'encoder' }).apply(new Embedding({ inputDim: 15, outputDim: 3, maskZero: true, name: 'enc_emb' }).apply(enc) as SymbolicTensor) as SymbolicTensor[];
    const seq = new LSTM({ units: 4, returnSequences: true, name: 'decoder' }).apply(new Embedding({ inputDim: 12, outputDim: 3, name: 'dec_emb' }).apply(dec) as SymbolicTensor, { initialState: [h, c] }) as SymbolicTensor;
    const s2s = new Model({ inputs: [enc, dec], outputs: new Dense({ units: 12, activation: 'softmax', name: 'probs' }).apply(seq) as SymbolicTensor, name: 's2s', kernels: k, seed: 9 });
    await s2s.build();
    await checkRules(s2s, 's2s');
  });
}

test.run();
