// Keras 3 `.keras` files: a zip of metadata.json, config.json and model.weights.h5. Weights sit at
// layers/<key>/vars/<i> (plain layers), layers/<key>/cell/vars/<i> (recurrent), and
// layers/<key>/forward_layer|backward_layer/cell/vars/<i> (Bidirectional), where <key> is the snake_case
// class name plus a per-class counter in model order (lstm, lstm_1, ...), NOT the layer's name.
import { ModelFileError, UnsupportedModelError } from '../errors.js';
import type { ImportPlan } from '../assemble.js';
import { Hdf5Reader } from './hdf5-read.js';
import { describe, type ConvertedLayer } from './layers.js';
import { kerasModelLayers, type KerasModelSpec } from './model-config.js';
import { planFromVars } from './plan.js';

/** Keras' naming.to_snake_case. */
export function kerasSnakeCase(name: string): string {
  return name.replace(/(.)([A-Z][a-z]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

/** The HDF5 dataset paths of a layer's Keras variables in a `.keras` weights file. */
export function kerasVarPaths(conv: ConvertedLayer, key: string): string[] {
  const cls = conv.spec.class_name;
  if (cls === 'LSTM' || cls === 'GRU' || cls === 'SimpleRNN') return conv.kerasVars.map((_, i) => `layers/${key}/cell/vars/${i}`);
  if (cls === 'Bidirectional') {
    const n = conv.kerasVars.length / 2;
    return conv.kerasVars.map((_, i) => `layers/${key}/${i < n ? 'forward_layer' : 'backward_layer'}/cell/vars/${i % n}`);
  }
  return conv.kerasVars.map((_, i) => `layers/${key}/vars/${i}`);
}

/** Unzipped entries of a `.keras` file; ModelFileError for a damaged zip or a missing entry. */
export async function unzipKeras(bytes: Uint8Array, file: string): Promise<{ config: KerasModelSpec; weights: Uint8Array; metadata: Record<string, unknown> }> {
  const { unzipSync } = await import('fflate');
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (e) {
    throw new ModelFileError(file, `is not a readable zip (truncated or damaged): ${(e as Error).message}`);
  }
  for (const need of ['config.json', 'model.weights.h5']) if (!entries[need]) throw new ModelFileError(`${file}:${need}`, 'entry is missing from the .keras zip');
  const json = (name: string): Record<string, unknown> => {
    try {
      return JSON.parse(new TextDecoder().decode(entries[name])) as Record<string, unknown>;
    } catch (e) {
      throw new ModelFileError(`${file}:${name}`, `is not valid JSON: ${(e as Error).message}`);
    }
  };
  return { config: json('config.json') as unknown as KerasModelSpec, weights: entries['model.weights.h5'], metadata: entries['metadata.json'] ? json('metadata.json') : {} };
}

/** Reads a Keras 3 `.keras` file into an import plan. */
export async function planKerasFile(bytes: Uint8Array, file: string): Promise<ImportPlan> {
  const { config, weights } = await unzipKeras(bytes, file);
  const parsed = kerasModelLayers(config, 'keras3', `${file}:config.json`);
  const h5 = await Hdf5Reader.open(weights, `${file}:model.weights.h5`);
  const counters = new Map<string, number>();
  const keyOf = new Map<ConvertedLayer, string>();
  const bySpec = new Map(parsed.layers.map((c) => [c.spec, c]));
  for (const spec of parsed.specs) {
    const base = kerasSnakeCase(spec.class_name);
    const n = counters.get(base);
    counters.set(base, n === undefined ? 0 : n + 1);
    const conv = bySpec.get(spec);
    if (conv) keyOf.set(conv, n === undefined ? base : `${base}_${n + 1}`);
  }
  return planFromVars(parsed, (conv) => {
    const paths = kerasVarPaths(conv, keyOf.get(conv)!);
    if (paths.length && !h5.has(`layers/${keyOf.get(conv)}`)) {
      throw new ModelFileError(`${h5.file}:layers/${keyOf.get(conv)}`, `weight group of ${describe(conv.spec)} is missing`);
    }
    return paths.map((p) => ({ name: p, tensor: h5.tensor(p) }));
  });
}

export { UnsupportedModelError };
