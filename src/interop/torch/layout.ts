// PyTorch ⇄ Keras weight layouts for the modules fused-rnn maps (docs/interop.md):
// nn.Embedding weight (V, E) = Keras embeddings; nn.Linear weight (N, D) = Keras kernelᵀ, bias (N);
// nn.LSTM weight_ih_lK (4H, D) gates i, f, g, o (= Keras i, f, c, o): kernel = W_ihᵀ, recurrent = W_hhᵀ,
// bias = b_ih + b_hh; nn.GRU gates r, z, n → Keras z, r, h with reset_after=True, bias (2, 3H) = [b_ih; b_hh];
// nn.RNN: kernel = W_ihᵀ, recurrent = W_hhᵀ, bias = b_ih + b_hh. `_reverse` = the backward direction.
import { reorderBlocks, transpose2d, type Tensor } from '../tensor.js';

/** Recurrent cell kinds by their Keras class names. */
export type CellKind = 'LSTM' | 'GRU' | 'SimpleRNN';

/** Gate blocks per cell. */
export const GATES: Record<CellKind, number> = { LSTM: 4, GRU: 3, SimpleRNN: 1 };

/** torch r, z, n ⇄ Keras z, r, h (the permutation is its own inverse). */
const GRU_ORDER = [1, 0, 2];

/** One direction of one torch recurrent layer → Keras [kernel, recurrent_kernel, bias]. */
export function torchToKeras(cell: CellKind, H: number, wih: Tensor, whh: Tensor, bih: Tensor | null, bhh: Tensor | null): Tensor[] {
  const G = GATES[cell] * H;
  const zeros = () => ({ shape: [G], data: new Float32Array(G) });
  const bi = bih ?? zeros(), bh = bhh ?? zeros();
  if (cell === 'GRU') {
    const bias = new Float32Array(2 * G);
    bias.set(reorderBlocks(bi, H, GRU_ORDER).data, 0);
    bias.set(reorderBlocks(bh, H, GRU_ORDER).data, G);
    return [reorderBlocks(transpose2d(wih), H, GRU_ORDER), reorderBlocks(transpose2d(whh), H, GRU_ORDER), { shape: [2, G], data: bias }];
  }
  return [transpose2d(wih), transpose2d(whh), { shape: [G], data: bi.data.map((v, i) => v + bh.data[i]) }];
}

/** Keras [kernel, recurrent_kernel, bias] → torch {weight_ih, weight_hh, bias_ih, bias_hh} (bias_hh = 0 for LSTM/RNN). */
export function kerasToTorch(cell: CellKind, H: number, kernel: Tensor, recurrent: Tensor, bias: Tensor): { wih: Tensor; whh: Tensor; bih: Tensor; bhh: Tensor } {
  const G = GATES[cell] * H;
  if (cell === 'GRU') {
    return {
      wih: transpose2d(reorderBlocks(kernel, H, GRU_ORDER)), whh: transpose2d(reorderBlocks(recurrent, H, GRU_ORDER)),
      bih: reorderBlocks({ shape: [G], data: bias.data.slice(0, G) }, H, GRU_ORDER),
      bhh: reorderBlocks({ shape: [G], data: bias.data.slice(G, 2 * G) }, H, GRU_ORDER),
    };
  }
  return { wih: transpose2d(kernel), whh: transpose2d(recurrent), bih: { shape: [G], data: bias.data.slice() }, bhh: { shape: [G], data: new Float32Array(G) } };
}
