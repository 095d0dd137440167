// fused-rnn → Keras 3 `.keras`: a zip with STORED entries metadata.json, config.json, model.weights.h5 (in
// that order, as Keras writes them). The weights file is written with h5wasm (the HDF5 C library, loaded
// lazily) in Keras 3's layout: layers/<key>/vars/<i>, layers/<key>/cell/vars/<i> for recurrent layers,
// layers/<key>/forward_layer|backward_layer/... inside Bidirectional, a `name` string attribute on every
// vars group, and vars/ for the model itself; <key> = snake_case(class) + per-class counter.
import { Bidirectional, Recurrent, Sequential, type Layer, type Model } from '../../index.js';
import { exportGraphOf, kerasLayerOrder } from '../functional-graph.js';
import type { Tensor } from '../tensor.js';
import { kerasSnakeCase } from './keras-file.js';
import { kerasConfig3 } from './write-config.js';
import { kerasFunctionalConfig3 } from './write-functional.js';

/** Keras version the export declares (the layout matches files written by it). */
export const KERAS_VERSION = '3.15.1';

interface H5Group {
  create_group(name: string): H5Group;
  create_attribute(name: string, value: string): void;
  create_dataset(args: { name: string; data: Float32Array; shape: number[]; dtype: string }): unknown;
  get(path: string): H5Group;
}

function layerTensors(model: Model, layer: Layer): Tensor[] {
  const all = new Map(model.getWeights().map((w) => [w.path, w]));
  return model.paramTable.entries.filter((e) => e.layer === layer.name).map((e) => ({ shape: e.shape.slice(), data: all.get(e.path)!.data }));
}

const cellName = (l: Recurrent) => `${kerasSnakeCase(l.className)}_cell`;

function writeVars(g: H5Group, name: string, tensors: Tensor[]): void {
  const vars = g.create_group('vars');
  vars.create_attribute('name', name);
  tensors.forEach((t, i) => vars.create_dataset({ name: String(i), data: t.data, shape: t.shape, dtype: '<f4' }));
}

let fileCounter = 0;

/**
 * Writes the model.weights.h5 bytes of a model. `order`: what Keras lists in model.layers, in its order (a
 * functional model's InputLayers by name: they get an empty vars group, as Keras writes them); default the
 * model's layers.
 */
export async function kerasWeightsH5(model: Model, order: Array<Layer | string> = model.layers): Promise<Uint8Array> {
  const mod = await import('h5wasm');
  const h5wasm = ((mod as unknown as { default?: typeof mod }).default ?? mod) as unknown as {
    ready: Promise<{ FS: { readFile(p: string): Uint8Array; unlink(p: string): void } }>;
    File: new (path: string, mode: string) => H5Group & { close(): void };
  };
  const { FS } = await h5wasm.ready;
  const path = `/fused-rnn-export-${fileCounter++}.weights.h5`;
  const f = new h5wasm.File(path, 'w');
  try {
    const layers = f.create_group('layers');
    const counters = new Map<string, number>();
    for (const l of order) {
      const base = kerasSnakeCase(typeof l === 'string' ? 'InputLayer' : l.className);
      const n = counters.get(base);
      counters.set(base, n === undefined ? 0 : n + 1);
      const g = layers.create_group(n === undefined ? base : `${base}_${n + 1}`);
      if (typeof l === 'string') {
        writeVars(g, l, []);
        continue;
      }
      const ts = layerTensors(model, l);
      if (l instanceof Bidirectional) {
        writeVars(g, l.name, []);
        const half = ts.length / 2;
        ([['forward_layer', l.forwardLayer, ts.slice(0, half)], ['backward_layer', l.backwardLayer, ts.slice(half)]] as const).forEach(([key, inner, part]) => {
          const sub = g.create_group(key);
          const innerName = l.forwardLayer.name.replace(/^forward_/, '');
          writeVars(sub, key === 'forward_layer' ? `forward_${innerName}` : `backward_${innerName}`, []);
          writeVars(sub.create_group('cell'), cellName(inner), part);
        });
      } else if (l instanceof Recurrent) {
        writeVars(g, l.name, []);
        writeVars(g.create_group('cell'), cellName(l), ts);
      } else {
        writeVars(g, l.name, ts);
      }
    }
    writeVars(f, model.name, []);
  } finally {
    f.close();
  }
  const bytes = FS.readFile(path).slice();
  FS.unlink(path);
  return bytes;
}

/** A Keras 3 `.keras` file (zip bytes) for a built model (Sequential or functional). */
export async function exportKeras(model: Model): Promise<Uint8Array> {
  let config: Record<string, unknown>, weights: Uint8Array;
  if (model instanceof Sequential) {
    config = kerasConfig3(model);
    weights = await kerasWeightsH5(model);
  } else {
    const g = exportGraphOf(model);
    config = kerasFunctionalConfig3(g);
    weights = await kerasWeightsH5(model, kerasLayerOrder(g).map((op) => ('input' in op ? g.inputs[op.input].name : g.nodes[op.node].layer)));
  }
  const { zipSync } = await import('fflate');
  const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  const date = `${now.getUTCFullYear()}-${pad(now.getUTCMonth() + 1)}-${pad(now.getUTCDate())}@${pad(now.getUTCHours())}:${pad(now.getUTCMinutes())}:${pad(now.getUTCSeconds())}`;
  // Keras writes the JSON entries with the zip epoch date (1980-01-01) and the weights with the save time.
  const epoch = new Date(1980, 0, 1, 0, 0, 0);
  return zipSync({
    'metadata.json': [enc({ keras_version: KERAS_VERSION, date_saved: date }), { level: 0, mtime: epoch }],
    'config.json': [enc(config), { level: 0, mtime: epoch }],
    'model.weights.h5': [weights, { level: 0, mtime: now }],
  });
}
