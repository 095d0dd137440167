// fused-rnn → TF.js layers model: model.json (format "layers-model", Keras-2-style topology, one weights
// group) + one little-endian float32 shard, weight names as tfjs-layers writes them (`lstm/kernel`,
// `bidirectional/forward_lstm/kernel`).
import { Bidirectional, GRU, Sequential, type Layer, type Model } from '../../index.js';
import { exportGraphOf } from '../functional-graph.js';
import { tfjsTopology } from './write-config.js';
import { tfjsFunctionalTopology } from './write-functional.js';

/** A TF.js export: the model.json text, the shard bytes, the shard's file name, and notes for the user. */
export interface TfjsExport {
  modelJson: string;
  weights: Uint8Array;
  shardName: string;
  /** What the user should know about loading it (e.g. GRUs stock tfjs refuses). */
  notes: string[];
}

/** Writes a built model (Sequential or functional) as a TF.js layers model. */
export function exportTfjs(model: Model, shardName = 'weights.bin'): TfjsExport {
  const topology = model instanceof Sequential ? tfjsTopology(model) : tfjsFunctionalTopology(exportGraphOf(model));
  const all = new Map(model.getWeights().map((w) => [w.path, w]));
  const manifest: Array<{ name: string; shape: number[]; dtype: 'float32' }> = [];
  const chunks: Float32Array[] = [];
  const notes: string[] = [];
  for (const l of model.layers as Layer[]) {
    for (const e of model.paramTable.entries.filter((q) => q.layer === l.name)) {
      manifest.push({ name: `${l.name}/${e.name}`, shape: e.shape.slice(), dtype: 'float32' });
      chunks.push(all.get(e.path)!.data);
    }
    const inner = l instanceof Bidirectional ? l.forwardLayer : l;
    if (inner instanceof GRU && inner.resetAfter) {
      notes.push(`${l.className} "${l.name}" is a GRU with reset_after: true (Keras' default, bias (2, 3H)); stock tfjs-layers 4.x refuses it ("GRUCell does not support reset_after parameter set to true"); tfjs with the fused-rnn plug-in (fused-rnn/tfjs) runs it`);
    }
  }
  const total = chunks.reduce((a, c) => a + c.length, 0);
  const weights = new Uint8Array(total * 4);
  const view = new DataView(weights.buffer);
  let o = 0;
  for (const c of chunks) for (let i = 0; i < c.length; i++, o += 4) view.setFloat32(o, c[i], true);
  const json = {
    modelTopology: topology, format: 'layers-model', generatedBy: 'fused-rnn', convertedBy: null,
    weightsManifest: [{ paths: [shardName], weights: manifest }],
  };
  return { modelJson: JSON.stringify(json), weights, shardName, notes };
}
