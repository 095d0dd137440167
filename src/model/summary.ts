// The Keras-style summary table of a model: one row per layer application (a shared layer's later
// applications count 0 parameters), output shapes with the batch dim, and the parameter totals.

import { formatKerasShape } from '../layers/layer.js';
import type { Graph } from './graph.js';
import type { ParamTable } from './param-table.js';

/** Model: "name", the layer rows, total / trainable / non-trainable parameter counts. */
export function summaryTable(name: string, g: Graph, t: ParamTable): string {
  const rows = g.nodes.map((n, i) => [
    `${n.owner.name} (${n.owner.className})`, n.outputShapes.map(formatKerasShape).join(', '),
    g.nodes.findIndex((m) => m.owner === n.owner) === i ? String(t.count((e) => e.layer === n.owner.name)) : '0',
  ]);
  const w = [Math.max(20, ...rows.map((r) => r[0].length)), Math.max(14, ...rows.map((r) => r[1].length)), Math.max(8, ...rows.map((r) => r[2].length))];
  const line = (c: string) => c.repeat(w[0] + w[1] + w[2] + 6);
  const fmt = (r: string[]) => `${r[0].padEnd(w[0])}   ${r[1].padEnd(w[1])}   ${r[2].padStart(w[2])}`;
  const total = t.count(), trainable = t.count((e) => e.trainable);
  return [
    `Model: "${name}"`, line('─'), fmt(['Layer (type)', 'Output Shape', 'Param #']), line('═'),
    ...rows.map(fmt), line('─'),
    ` Total params: ${total.toLocaleString('en-US')}`,
    ` Trainable params: ${trainable.toLocaleString('en-US')}`,
    ` Non-trainable params: ${(total - trainable).toLocaleString('en-US')}`,
  ].join('\n');
}
