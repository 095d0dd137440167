// Masks of an imported ONNX graph. ONNX expresses a mask only as a recurrent node's sequence_lens; fused-rnn
// (as Keras) masks from Embedding(mask_zero) and carries the mask along sequences (recurrent sequence
// outputs, Dense, merges: the AND of their inputs' masks) until a layer drops it (final states,
// RepeatVector). The import is only right when both agree at every recurrent layer:
// - sequence_lens = the count of non-zero ids (the exporters' pattern) → mask_zero on the embedding of those
//   ids that the layer's input descends from; or the count of Masking's valid steps (masking-ops.ts);
// - then every recurrent layer must see a mask in fused-rnn exactly when it has sequence_lens in ONNX;
// - a masked unidirectional sequence read by anything but a recurrent layer (or returned) differs on the
//   padded steps (Keras repeats the last output, ONNX writes zeros): refused. Bidirectional writes zeros in both.
import { UnsupportedModelError } from '../errors.js';
import { refsOf, where, type Entry, type Ref } from './graph-values.js';

const describeEntry = (e: Entry): string => (e.kind === 'input' ? `ONNX input "${e.name}"` : e.kind === 'merge' ? e.source : where(e.node));

/** Sets mask_zero on the embeddings sequence_lens imply and checks that masks agree (see the file comment). */
export function checkMasks(entries: Entry[], live: Set<number>, outputs: Array<{ name: string; ref: Ref }>): void {
  const embeddingOf = (r: Ref): number | null => {
    const e = entries[r.src];
    switch (e.kind) {
      case 'embedding': case 'masking': return r.src;
      case 'rnn': return r.what === 'seq' ? embeddingOf(e.input) : null;
      case 'dense': return embeddingOf(e.input);
      case 'merge': {
        for (const q of e.inputs) { const m = embeddingOf(q); if (m !== null) return m; }
        return null;
      }
      default: return null;
    }
  };
  const rnns = [...live].map((i) => entries[i]).filter((e): e is Extract<Entry, { kind: 'rnn' }> => e.kind === 'rnn');
  for (const e of rnns) {
    if (e.lensInput < 0) continue;
    const emb = embeddingOf(e.input);
    if (emb === null) throw new UnsupportedModelError(where(e.node), 'has sequence_lens, but its input does not come from an embedding lookup of the ids or a Masking pattern (fused-rnn masks from Embedding mask_zero or Masking)');
    const source = entries[emb];
    if (source.kind === 'masking') {
      if (emb !== e.lensInput) throw new UnsupportedModelError(where(e.node), `its sequence_lens come from ${describeEntry(entries[e.lensInput])}, but it reads the output of ${describeEntry(source)}`);
      continue;
    }
    const embedding = source as Extract<Entry, { kind: 'embedding' }>;
    if (embedding.input.src !== e.lensInput) {
      throw new UnsupportedModelError(where(e.node), `its sequence_lens count the ids of ${describeEntry(entries[e.lensInput])}, but it reads the embedding of ${describeEntry(entries[embedding.input.src])}`);
    }
    embedding.maskZero = true;
  }
  const maskOf = (r: Ref): number | null => {
    const e = entries[r.src];
    switch (e.kind) {
      case 'embedding': return e.maskZero ? r.src : null;
      case 'masking': return r.src;
      case 'rnn': return r.what === 'seq' ? maskOf(e.input) : null;
      case 'dense': return maskOf(e.input);
      case 'merge': {
        const masks = new Set(e.inputs.map(maskOf).filter((m): m is number => m !== null));
        if (masks.size > 1) throw new UnsupportedModelError(e.source, `merges sequences masked by different embeddings (${[...masks].map((m) => describeEntry(entries[m])).join(', ')}); one sequence_lens cannot express their combined mask`);
        return masks.size ? [...masks][0] : null;
      }
      default: return null;
    }
  };
  for (const e of rnns) {
    const m = maskOf(e.input);
    if (m !== null && e.lensInput < 0) {
      throw new UnsupportedModelError(where(e.node), `reads a sequence masked by ${describeEntry(entries[m])} (mask_zero, set by another layer's sequence_lens) but has no sequence_lens: ONNX runs it over the padded steps`);
    }
  }
  const dirty = (r: Ref): boolean => {
    const e = entries[r.src];
    return e.kind === 'rnn' && r.what === 'seq' && e.dirs === 1 && e.lensInput >= 0;
  };
  const refuse = (r: Ref, reader: string): never => {
    throw new UnsupportedModelError(reader, `reads the masked sequence output of ${describeEntry(entries[r.src])}: on padded steps ONNX writes zeros where Keras and fused-rnn repeat the last output`);
  };
  for (const i of live) {
    const e = entries[i];
    if (e.kind === 'rnn') continue;
    for (const r of refsOf(e)) if (dirty(r)) refuse(r, describeEntry(e));
  }
  for (const o of outputs) if (dirty(o.ref)) refuse(o.ref, `ONNX output "${o.name}"`);
}
