// Legacy Keras `.h5` (model.save('x.h5') in Keras 2 and Keras 3): root attributes model_config (JSON) and
// keras_version; weights at model_weights/<layer name>/<weight name>, listed in Keras order by the group
// attribute weight_names (Keras 3: `<model>/lstm/lstm_cell/kernel`, Keras 2: `lstm/lstm_cell/kernel:0`).
// Keras 2 files keep Keras 2 semantics (hard_sigmoid = clip(0.2x + 0.5, 0, 1)).
import type { ImportPlan } from '../assemble.js';
import { ModelFileError } from '../errors.js';
import { attrString, attrStrings, Hdf5Reader } from './hdf5-read.js';
import { describe } from './layers.js';
import { kerasModelLayers, type KerasModelSpec } from './model-config.js';
import { planFromVars } from './plan.js';

/** Reads a legacy Keras `.h5` file into an import plan. */
export async function planLegacyH5(bytes: Uint8Array, file: string): Promise<ImportPlan> {
  const h5 = await Hdf5Reader.open(bytes, file);
  const root = h5.attrs('');
  const configText = attrString(root.model_config);
  if (!configText) {
    throw new ModelFileError(`${file}:/model_config`, h5.has('layers') ? 'is missing (this looks like a Keras 3 weights-only file: load the .keras zip instead)' : 'attribute is missing: not a Keras model file (weights-only files need the model config)');
  }
  let config: KerasModelSpec;
  try {
    config = JSON.parse(configText) as KerasModelSpec;
  } catch (e) {
    throw new ModelFileError(`${file}:/model_config`, `is not valid JSON: ${(e as Error).message}`);
  }
  const version = attrString(root.keras_version) ?? '';
  const flavor = version.startsWith('3') ? 'keras3' : 'keras2';
  const parsed = kerasModelLayers(config, flavor, `${file}:/model_config`);
  const base = h5.has('model_weights') ? 'model_weights' : '';
  return planFromVars(parsed, (conv) => {
    const group = `${base}/${String(conv.spec.config.name)}`;
    if (!h5.has(group)) throw new ModelFileError(`${file}:${group}`, `weight group of ${describe(conv.spec)} is missing`);
    const names = attrStrings(h5.attrs(group).weight_names);
    return names.map((n) => ({ name: n, tensor: h5.tensor(`${group}/${n}`) }));
  });
}
