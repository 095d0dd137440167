// How the ONNX importer follows the data path through shape plumbing: Reshape, Squeeze, Slice, Concat and
// last-step picks on tagged-axis values (graph-values.ts). Anything it cannot follow names the node.
import { attr, sliceIndices, sliceParams } from './static-ops.js';
import type { OnnxNode } from './proto.js';
import { unsupported, type Dyn, type Entry, type Part, type Tag, type Val } from './graph-values.js';

/** Feature width of one part (a direction of a layer's output). */
export function partWidth(stack: Entry[], p: Part): number {
  const e = stack[p.src];
  if (e.kind === 'input') return e.width;
  if (e.kind === 'embedding') return e.table.shape[1];
  if (e.kind === 'rnn') return e.H;
  if (e.kind === 'dense') return e.kernel.shape[1];
  return e.width;
}

/** Y[..., T-1, ...] of a forward-only layer = its final state (no mask): Keras return_sequences=False. */
export function lastStep(stack: Entry[], node: OnnxNode, v: Dyn, axis: number): Dyn {
  const parts = v.feat ?? v.list ?? [];
  const ok = parts.length > 0 && parts.every((p) => {
    const e = stack[p.src];
    return e.kind === 'rnn' && !e.reverse && p.dir === 0 && e.lensInput < 0 && !p.cell;
  });
  if (!ok) unsupported(node, 'takes the last time step of a sequence that is not a forward layer\'s unmasked output (for a bidirectional layer that is not the Keras output: use h_n)');
  return { ...v, tags: v.tags.filter((_, i) => i !== axis), shape: v.shape.filter((_, i) => i !== axis) };
}

/** Squeeze of a unit axis (a single-entry state list becomes features). */
export function dropUnitAxis(v: Dyn, axis: number, node: OnnxNode): Dyn {
  if (v.shape[axis] !== 1) unsupported(node, `squeezes axis ${axis} of size ${v.shape[axis]}`);
  const tag = v.tags[axis];
  const out: Dyn = { ...v, tags: v.tags.filter((_, i) => i !== axis), shape: v.shape.filter((_, i) => i !== axis) };
  if (tag === 'L') { out.feat = v.list; out.list = null; }
  return out;
}

/** Reshape of a data-path value: merges (directions, features) → features, adds or drops unit axes. */
export function reshapeDyn(node: OnnxNode, v: Dyn, dims: number[]): Dyn {
  // Group consecutive input axes whose product is one output axis; unit axes may vanish or appear.
  const tags: Tag[] = [];
  let list = v.list, feat = v.feat;
  const n = v.shape.length;
  const dropList = () => { if (list) { feat = list; list = null; } };
  const fail = (): never => unsupported(node, `reshapes (${v.tags.join(', ')}) = (${v.shape.join(', ')}) to (${dims.join(', ')}); only merging (directions, features) → features and adding/removing unit axes are supported`);
  let i = 0;
  for (const d of dims) {
    if (d === 1 && (i >= n || v.shape[i] !== 1)) { tags.push('1'); continue; }
    const group: number[] = [];
    let prod = 1;
    while (i < n && (group.length === 0 || prod < d)) { group.push(i); prod *= v.shape[i]; i++; }
    if (prod !== d) fail();
    for (const k of group) if (v.shape[k] === 1 && v.tags[k] === 'L') dropList();
    const real = group.filter((k) => v.shape[k] !== 1).map((k) => v.tags[k]);
    if (real.length === 0) tags.push('1');
    else if (real.length === 1) tags.push(real[0]);
    else if (real.join() === 'L,F') { tags.push('F'); dropList(); }
    else fail();
  }
  for (; i < n; i++) {
    if (v.shape[i] !== 1) fail();
    if (v.tags[i] === 'L') dropList();
  }
  return { kind: 'dyn', tags, shape: dims, list, feat };
}

/** Slice of a data-path value: state-list entries, whole feature parts, or the last time step. */
export function sliceDyn(stack: Entry[], node: OnnxNode, v: Dyn, ins: Array<Val | null>): Dyn {
  const consts = ins.map((q) => (q && q.kind === 'const' ? q.t : null));
  let out = v;
  for (const p of sliceParams(node, consts, v.tags.length)) {
    const n = out.shape[p.axis];
    const idx = sliceIndices(n, p.start, p.end, p.step);
    if (idx.length === n && idx.every((q, k) => q === k)) continue;
    const tag = out.tags[p.axis];
    if (tag === 'L') {
      const shape = out.shape.slice(); shape[p.axis] = idx.length;
      out = { ...out, shape, list: idx.map((q) => out.list![q]) };
    } else if (tag === 'F' && out.feat && p.step === 1) {
      let o = 0;
      const keep: Part[] = [];
      for (const part of out.feat) {
        const w = partWidth(stack, part);
        if (o >= idx[0] && o + w <= idx[idx.length - 1] + 1) keep.push(part);
        else if (o + w > idx[0] && o <= idx[idx.length - 1]) unsupported(node, 'slices features across a layer-direction boundary');
        o += w;
      }
      const shape = out.shape.slice(); shape[p.axis] = idx.length;
      out = { ...out, shape, feat: keep };
    } else if (tag === 'T' && idx.length === 1 && idx[0] === n - 1) {
      const last = lastStep(stack, node, out, p.axis);
      const tags = out.tags.slice(); tags[p.axis] = '1';
      const shape = out.shape.slice(); shape[p.axis] = 1;
      out = { ...last, tags, shape };
    } else {
      unsupported(node, `slices the ${tag} axis`);
    }
  }
  return out;
}

/** Concat of data-path values along the state list or the features. */
export function concatDyn(node: OnnxNode, ins: Array<Val | null>): Dyn {
  const parts = ins.filter((q): q is Val => q !== null);
  if (!parts.every((q) => q.kind === 'dyn')) unsupported(node, 'concatenates the data path with constants');
  const ds = parts as Dyn[];
  const axisRaw = attr<number>(node, 'axis', 0);
  const axis = axisRaw < 0 ? axisRaw + ds[0].tags.length : axisRaw;
  const tag = ds[0].tags[axis];
  if (!ds.every((d) => d.tags.join() === ds[0].tags.join())) unsupported(node, 'concatenates values with different axes');
  const shape = ds[0].shape.slice();
  shape[axis] = ds.reduce((a, d) => a + d.shape[axis], 0);
  if (tag === 'L') return { kind: 'dyn', tags: ds[0].tags, shape, list: ds.flatMap((d) => d.list!), feat: null };
  if (tag === 'F' && ds.every((d) => d.feat)) return { kind: 'dyn', tags: ds[0].tags, shape, list: null, feat: ds.flatMap((d) => d.feat!) };
  return unsupported(node, `concatenates along the ${tag} axis`);
}
