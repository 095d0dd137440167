// Where a converted layer reads from: a data-path value (graph-values.ts Dyn) must be exactly the complete
// output of one entry (a layer's output; a recurrent layer's sequence, final state h or cell state c), or a
// feature concatenation of several complete outputs, which becomes a Concatenate entry. Anything partial
// (one direction of a bidirectional layer, part of a Dense's features, a Dense read before its bias or
// activation was applied) is refused naming the consumer.
import { UnsupportedModelError } from '../errors.js';
import { where, type Dyn, type Entry, type Part, type Ref } from './graph-values.js';
import { partWidth } from './graph-axes.js';

/** The complete output of one entry that `group` (parts of one entry, in order) is; else UnsupportedModelError. */
function whole(stack: Entry[], group: Part[], seq: boolean, consumer: string): Ref {
  const src = group[0].src;
  const e = stack[src];
  if (e.kind !== 'rnn') {
    if (group.length !== 1 || group[0].dir !== 0) throw new UnsupportedModelError(consumer, 'reads part of the previous layer\'s features');
    if (e.kind === 'dense' && (group[0].ver ?? 0) !== e.ver) throw new UnsupportedModelError(consumer, `reads the output of ${where(e.node)} before the bias or activation that another consumer applies to it`);
    return { src, what: 'out' };
  }
  if (group.every((p) => p.cell) && group.length === 1 && e.dirs === 1) return { src, what: 'c' };
  const ok = group.length === e.dirs && group.every((p, d) => p.dir === d && !p.cell);
  if (!ok) {
    throw new UnsupportedModelError(consumer, `reads ${group.map((p) => (p.cell ? 'the cell state' : p.dir ? 'the backward half' : 'the forward half')).join(' + ')} of ${where(e.node)}; a fused-rnn layer passes on ${e.dirs === 2 ? 'both directions concatenated [forward | backward]' : 'its output'}`);
  }
  return { src, what: seq ? 'seq' : 'h' };
}

/**
 * The entry output `v` is (see the file comment). A concatenation of several outputs adds a Concatenate
 * entry, once per distinct concatenation (memo).
 */
export function commitValue(stack: Entry[], memo: Map<string, Ref>, v: Dyn, consumer: string): Ref {
  if (v.list) throw new UnsupportedModelError(consumer, 'reads per-direction states as a separate axis; fused-rnn passes (batch, [time,] features) between layers');
  const parts = v.feat ?? [];
  if (parts.length === 0) throw new UnsupportedModelError(consumer, 'reads a value with no features from a layer');
  const seq = v.tags.includes('T');
  const groups: Part[][] = [];
  for (const p of parts) {
    const last = groups[groups.length - 1];
    if (last && last[0].src === p.src && !p.cell && !last[0].cell) last.push(p);
    else groups.push([p]);
  }
  const refs = groups.map((g) => whole(stack, g, seq, consumer));
  if (refs.length === 1) return refs[0];
  const key = `concat:${refs.map((r) => `${r.src}.${r.what}`).join('|')}`;
  let ref = memo.get(key);
  if (!ref) {
    const width = parts.reduce((a, p) => a + partWidth(stack, p), 0);
    stack.push({ kind: 'merge', source: `${consumer} input (Concat of ${refs.length} layer outputs)`, op: 'Concatenate', inputs: refs, width });
    ref = { src: stack.length - 1, what: 'out' };
    memo.set(key, ref);
  }
  return ref;
}

/** A data-path value that is exactly entry `src`'s output (tags and shape as given). */
export function outputOf(src: number, tags: Dyn['tags'], shape: number[], ver?: number): Dyn {
  return { kind: 'dyn', tags, shape, list: null, feat: [ver === undefined ? { src, dir: 0 } : { src, dir: 0, ver }] };
}
