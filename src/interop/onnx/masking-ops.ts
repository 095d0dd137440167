// Keras Masking as ONNX graphs compute it (the functional exporter writes exactly this, right padding only):
//   step = ReduceMax(Cast(Not(Equal(x, value)), float), axis 2, keepdims 0)   (B, T): any feature ≠ value
//   y = Mul(x, Unsqueeze(step, 2))                                            masked steps zeroed
//   sequence_lens = ReduceSum(Cast(step, int32), axis 1, keepdims 0)          (B): valid steps
// The importer follows those values symbolically (graph-values.ts `fmask`) and makes one Masking entry per
// (x, value), at the first node that needs it (the Mul or the ReduceSum), so either order works.
import { attr } from './static-ops.js';
import { unsupported, type Dyn, type Entry, type Ref, type Val } from './graph-values.js';
import type { OnnxNode } from './proto.js';

type FMask = Extract<Val, { kind: 'fmask' }>;

/** The Masking entry for x ≠ value (made once). */
function maskingEntry(stack: Entry[], memo: Map<string, Ref>, node: OnnxNode, m: FMask): number {
  const key = `masking:${m.of.src}.${m.of.what}=${m.value}`;
  let ref = memo.get(key);
  if (!ref) {
    stack.push({ kind: 'masking', node, value: m.value, input: m.of, width: m.shape[2] ?? 0 });
    ref = { src: stack.length - 1, what: 'out' };
    memo.set(key, ref);
  }
  return ref.src;
}

const axesOf = (node: OnnxNode, ins: Array<Val | null>): number[] => {
  const a = ins[1];
  return a?.kind === 'const' ? Array.from(a.t.data) : attr<number[]>(node, 'axes', []);
};

/** One node of the pattern; anything else touching a float mask is UnsupportedModelError naming the node. */
export function maskingOp(stack: Entry[], memo: Map<string, Ref>, node: OnnxNode, ins: Array<Val | null>, commit: (v: Dyn, consumer: string) => Ref, where: string): Val {
  const [a, b] = ins;
  const m = ins.find((q): q is FMask => q?.kind === 'fmask');
  const bad = (): never => unsupported(node, 'computes a float mask other than Keras Masking\'s (any feature ≠ value per step, right padding)');
  switch (node.opType) {
    case 'Equal': {
      const x = a?.kind === 'dyn' ? a : b?.kind === 'dyn' ? b : null;
      const k = a?.kind === 'const' ? a.t : b?.kind === 'const' ? b.t : null;
      if (!x || !k || k.data.length !== 1 || x.tags.join() !== 'B,T,F') bad();
      return { kind: 'fmask', of: commit(x!, where), value: k!.data[0], nonzero: false, step: false, unit: false, shape: x!.shape };
    }
    case 'Not':
      return { ...m!, nonzero: !m!.nonzero };
    case 'Cast':
    case 'Identity':
      return m!;
    case 'ReduceMax': {
      const axes = axesOf(node, ins);
      if (m!.step || !m!.nonzero || axes.length !== 1 || (axes[0] !== 2 && axes[0] !== -1) || attr<number>(node, 'keepdims', 1) !== 0) bad();
      return { ...m!, step: true };
    }
    case 'Unsqueeze': {
      const axes = axesOf(node, ins);
      if (!m!.step || m!.unit || axes.length !== 1 || (axes[0] !== 2 && axes[0] !== -1)) bad();
      return { ...m!, unit: true };
    }
    case 'ReduceSum': {
      const axes = axesOf(node, ins);
      if (!m!.step || m!.unit || axes.length !== 1 || (axes[0] !== 1 && axes[0] !== -1) || attr<number>(node, 'keepdims', 1) !== 0) unsupported(node, 'sums the step mask over something other than time (axis 1, keepdims=0)');
      return { kind: 'lens', input: maskingEntry(stack, memo, node, m!) };
    }
    case 'Mul': {
      const x = ins.find((q): q is Dyn => q?.kind === 'dyn');
      if (!x || !m!.step || !m!.unit) bad();
      const ref = commit(x!, where);
      if (ref.src !== m!.of.src || ref.what !== m!.of.what) unsupported(node, 'multiplies a value by the mask of another value');
      const src = maskingEntry(stack, memo, node, m!);
      return { kind: 'dyn', tags: x!.tags, shape: x!.shape, list: null, feat: [{ src, dir: 0 }] };
    }
    default:
      return bad();
  }
}
