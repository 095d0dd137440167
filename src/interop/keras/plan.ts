// Keras-family converted layers + a way to read each layer's Keras variables → an ImportPlan.
import type { ImportPlan } from '../assemble.js';
import { ModelFileError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { describe, type ConvertedLayer } from './layers.js';
import type { KerasModelLayers } from './model-config.js';

/** Reads the Keras variables of one layer, in Keras order, with the names the file gives them. */
export type VarReader = (conv: ConvertedLayer) => Array<{ name: string; tensor: Tensor }>;

/** Builds the plan, reading each layer's variables and mapping them to fused-rnn parameters. */
export function planFromVars(parsed: KerasModelLayers, read: VarReader): ImportPlan {
  return {
    name: parsed.name,
    inputShape: parsed.inputShape,
    ...(parsed.graph ? { graph: parsed.graph } : {}),
    layers: parsed.layers.map((conv) => {
      const vars = conv.kerasVars.length ? read(conv) : [];
      if (vars.length !== conv.kerasVars.length) {
        throw new ModelFileError(describe(conv.spec), `the file holds ${vars.length} weight tensors (${vars.map((v) => v.name).join(', ') || 'none'}), the layer needs ${conv.kerasVars.length} (${conv.kerasVars.join(', ')})`);
      }
      const params = conv.toParams(vars.map((v) => v.tensor));
      const names = vars.map((v) => v.name);
      while (names.length < params.length) names.push('(zero bias: use_bias=False)');
      return { source: describe(conv.spec), layer: conv.layer, params, paramSources: names };
    }),
  };
}
