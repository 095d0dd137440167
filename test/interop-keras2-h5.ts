// Test helper (not a test file): writes a legacy `.h5` in Keras 2's layout (model.save('m.h5') in TF 2.x):
// root attributes keras_version/backend/model_config, weights at model_weights/<layer>/<path>:0 listed by
// the group attribute weight_names. `kerasVersion` '3.x' gives a file Keras 3's legacy writer would tag.
import * as h5m from 'h5wasm';

const h5wasm = ((h5m as unknown as { default?: typeof h5m }).default ?? h5m) as typeof h5m;

/** One layer's weights: names as Keras 2 writes them (`lstm/lstm_cell/kernel:0`) and tensors in that order. */
export interface Keras2LayerWeights {
  layer: string;
  names: string[];
  tensors: Array<{ shape: number[]; data: Float32Array }>;
}

/** The bytes of a Keras 2 style `.h5` holding `config` (a model config) and `weights`. */
export async function keras2H5(config: object, weights: Keras2LayerWeights[], kerasVersion = '2.15.0'): Promise<Uint8Array> {
  const FS = (await h5wasm.ready).FS as unknown as { readFile(p: string): Uint8Array; unlink(p: string): void };
  const p = `/keras2-${Math.random().toString(36).slice(2)}.h5`;
  const f = new h5wasm.File(p, 'w');
  f.create_attribute('keras_version', kerasVersion);
  f.create_attribute('backend', 'tensorflow');
  f.create_attribute('model_config', JSON.stringify(config));
  const mw = f.create_group('model_weights');
  mw.create_attribute('layer_names', weights.map((w) => w.layer));
  for (const w of weights) {
    const g = mw.create_group(w.layer);
    g.create_attribute('weight_names', w.names);
    w.names.forEach((n, i) => {
      const parts = n.split('/');
      let cur = g;
      for (const part of parts.slice(0, -1)) cur = (cur.keys().includes(part) ? cur.get(part) : cur.create_group(part)) as h5m.Group;
      cur.create_dataset({ name: parts[parts.length - 1], data: w.tensors[i].data, shape: w.tensors[i].shape, dtype: '<f4' });
    });
  }
  f.close();
  const bytes = FS.readFile(p).slice();
  FS.unlink(p);
  return bytes;
}
