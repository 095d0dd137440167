// The unit-range streaming kernels of fused-rnn/infer (issue 20, threaded steps): infer_lstm_units,
// infer_gru_units (reset-after in one phase; reset-before in two: z, r, r ⊙ h, then the candidate product
// over ALL units' r ⊙ h) and infer_simple_rnn_units, each over f32 panels and int8 panels with per-column
// scales (the optional trailing arguments; qtmp 0 = the thread's kernel scratch, or a buffer of its own, or
// x's and h's rows quantized once per step by quant_rows with INFER_FLAGS.preQuantized). A step cut into chunks of whole 32-unit panels, the chunks run in any order (as two
// threads claiming them would), must give the one-step whole-layer kernel's h (and c) BIT for bit, for
// B = 1, 3, 5, masked rows (right- and left-padded lengths), every activation; chunks write the new h to
// hOut (h stays readable), masked rows carry h there, c is updated in place per unit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadInferKernels, type InferKernels } from '../src/infer/index.js';
import { INFER_FLAGS, quantRowBytes } from '../bindings/infer.js';
import { lcg } from './helpers/bit-identity.js';

let k: InferKernels;
test.before(async () => {
  k = await loadInferKernels({ variant: 'simd' });
});

type Rand = () => number;
const FLAG_LEFT = 2, FLAG_RESET_AFTER = 8;
type Cls = 'LSTM' | 'GRU-after' | 'GRU-before' | 'SimpleRNN';
const gateCount = (cls: Cls) => (cls === 'LSTM' ? 4 : cls === 'SimpleRNN' ? 1 : 3);

const put = (values: ArrayLike<number>) => k.arena.putF32(values);
const randoms = (r: Rand, n: number, scale = 1) => Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);

/** Columns [c0, c1) of a (K, N) row-major matrix packed as the layers pack it: f32 panels, or int8 + scales. */
function pack(r: Rand, K: number, N: number, int8: boolean, c0: number, c1: number, w: Float32Array, q: Int8Array, s: Float32Array): { P: number; S: number } {
  const n = c1 - c0;
  if (int8) {
    const sub = new Int8Array(K * n);
    for (let i = 0; i < K; i++) sub.set(q.subarray(i * N + c0, i * N + c1), i * n);
    const P = k.arena.allocBytes(k.raw.quant_packed_bytes(K, n));
    const tmp = k.arena.allocBytes(sub.length);
    k.arena.u8.set(new Uint8Array(sub.buffer), tmp);
    k.raw.quant_pack(P, tmp, K, n);
    return { P, S: put(s.subarray(c0, c1)) };
  }
  const P = k.arena.alloc(K * n);
  k.raw.infer_pack(P, put(w) + 4 * c0, N, K, n);
  return { P, S: 0 };
}

interface Layer { cls: Cls; H: number; D: number; int8: boolean; W: { P: number; S: number }; U: { P: number; S: number }; Un: { P: number; S: number }; b: number; flags: number; act: number; ract: number }

function makeLayer(r: Rand, cls: Cls, H: number, D: number, int8: boolean, flags: number): Layer {
  const G = gateCount(cls) * H;
  const mat = (K: number) => ({ w: randoms(r, K * G, 0.4), q: Int8Array.from({ length: K * G }, () => Math.round(r() * 254) - 127), s: Float32Array.from({ length: G }, () => 0.001 + r() * 0.005) });
  const w = mat(D), u = mat(H);
  const W = pack(r, D, G, int8, 0, G, w.w, w.q, w.s);
  const gru = cls.startsWith('GRU');
  const U = pack(r, H, G, int8, 0, gru ? 2 * H : G, u.w, u.q, u.s);
  const Un = gru ? pack(r, H, G, int8, 2 * H, 3 * H, u.w, u.q, u.s) : { P: 0, S: 0 };
  const b = put(randoms(r, cls === 'GRU-after' ? 2 * G : G, 0.3));
  const act = 1 + Math.floor(r() * 4), ract = 1 + Math.floor(r() * 4); // tanh, sigmoid, relu, hard_sigmoid
  return { cls, H, D, int8, W, U, Un, b, flags: flags | (cls === 'GRU-after' ? FLAG_RESET_AFTER : 0), act, ract };
}

interface State { x: number; h: number; c: number; lengths: number; B: number }

/** The one-step whole-layer kernel (T = 1) on copies of h, c; returns them. */
function whole(L: Layer, s: State): { h: Float32Array; c: Float32Array } {
  const { B } = s, { H, D } = L, a = k.arena, raw = k.raw;
  const h = put(a.readF32(s.h, B * H)), c = put(a.readF32(s.c, B * H));
  const scratch = put(new Float32Array(4 * B * H).fill(NaN)), qtmp = a.allocBytes(2 * (Math.max(D, H) + 2));
  if (L.cls === 'LSTM') raw.infer_lstm(0, h, c, scratch, qtmp, s.x, L.W.P, L.W.S, L.U.P, L.U.S, L.b, s.lengths, 1, B, D, H, L.flags, L.act, L.ract);
  else if (L.cls === 'SimpleRNN') raw.infer_simple_rnn(0, h, scratch, qtmp, s.x, L.W.P, L.W.S, L.U.P, L.U.S, L.b, s.lengths, 1, B, D, H, L.flags, L.act);
  else raw.infer_gru(0, h, scratch, qtmp, s.x, L.W.P, L.W.S, L.U.P, L.U.S, L.Un.P, L.Un.S, L.b, s.lengths, 1, B, D, H, L.flags, L.act, L.ract);
  return { h: a.readF32(h, B * H), c: a.readF32(c, B * H) };
}

/** The same step as chunks [u0, u1) (unit bounds `cuts`) run in a random order (reset-before: every phase 1, then every phase 2). */
function chunked(L: Layer, s: State, cuts: number[], r: Rand): { h: Float32Array; c: Float32Array } {
  const { B } = s, { H, D } = L, a = k.arena, raw = k.raw;
  const c = put(a.readF32(s.c, B * H));
  const hOut = put(new Float32Array(B * H).fill(NaN)); // every unit must be written (masked rows: h carried)
  const scratch = put(new Float32Array(4 * B * H).fill(NaN));
  // qtmp: every other chunk its own buffer, the others 0 (the thread's kernel scratch); or (int8, half of
  // the calls) x and h quantized once before the chunks (quant_rows, INFER_FLAGS.preQuantized), as the
  // threaded stream does.
  const pre = L.int8 && r() < 0.5 ? a.allocBytes(B * (quantRowBytes(D) + quantRowBytes(H))) : 0;
  if (pre) {
    raw.quant_rows(pre, s.x, D, B, D);
    raw.quant_rows(pre + B * quantRowBytes(D), s.h, H, B, H);
  }
  const flags = pre ? L.flags | INFER_FLAGS.preQuantized : L.flags;
  const chunks = cuts.slice(0, -1).map((u0, i) => ({ u0, u1: cuts[i + 1], qtmp: pre || (i % 2 ? a.allocBytes(2 * (Math.max(D, H) + 2)) : 0) }));
  const shuffled = () => chunks.map((ch) => ({ ch, key: r() })).sort((p, q) => p.key - q.key).map((e) => e.ch);
  const phases = L.cls === 'GRU-before' ? [1, 2] : [r() < 0.5 ? 0 : 1]; // reset-after: 0 and 1 both mean the whole step
  for (const phase of phases) {
    for (const { u0, u1, qtmp } of shuffled()) {
      if (L.cls === 'LSTM') raw.infer_lstm_units(hOut, s.h, c, scratch, s.x, L.W.P, L.U.P, L.b, s.lengths, B, D, H, u0, u1, flags, L.act, L.ract, qtmp, L.W.S, L.U.S);
      else if (L.cls === 'SimpleRNN') raw.infer_simple_rnn_units(hOut, s.h, 0, scratch, s.x, L.W.P, L.U.P, L.b, s.lengths, B, D, H, u0, u1, flags, L.act, 0, qtmp, L.W.S, L.U.S);
      else raw.infer_gru_units(hOut, s.h, scratch, s.x, L.W.P, L.U.P, L.Un.P, L.b, s.lengths, B, D, H, u0, u1, flags, L.act, L.ract, qtmp, L.W.S, L.U.S, L.Un.S, phase);
    }
  }
  return { h: a.readF32(hOut, B * H), c: a.readF32(c, B * H) };
}

/** Random cuts of [0, H) at panel boundaries (always 0 and H); `every`: one chunk per panel. */
function randomCuts(r: Rand, H: number, every = false): number[] {
  const cuts = [0];
  for (let u = 32; u < H; u += 32) if (every || r() < 0.5) cuts.push(u);
  cuts.push(H);
  return cuts;
}

const sameBits = (label: string, got: Float32Array, want: Float32Array) => {
  assert.is(got.length, want.length, `${label}: length`);
  for (let i = 0; i < got.length; i++) {
    if (!Object.is(got[i], want[i])) assert.unreachable(`${label}: element ${i} differs: ${got[i]} vs ${want[i]} (not bit-identical)`);
  }
};

const CLASSES: Cls[] = ['LSTM', 'GRU-after', 'GRU-before', 'SimpleRNN'];
// Lengths at a one-step call: a row is valid iff its length ≥ 1 (right- and left-padded alike).
const MASKS: Record<number, number[][]> = { 1: [[1], [0]], 3: [[0, 1, 0], [1, 1, 0]], 5: [[1, 0, 0, 1, 1], [0, 1, 1, 0, 1]] };

// Every class and weight form over random splits: H in Hs, B in Bs, no mask / right / left padded; returns
// how many splits were compared.
function checkSplits(cls: Cls, int8: boolean, seed: number, Hs: number[], Bs: number[]): number {
  const r = lcg(seed);
  let checked = 0;
  for (const H of Hs) {
    for (const B of Bs) {
      for (const maskKind of ['none', 'right', 'left'] as const) {
        const mark = k.arena.mark();
        const D = [5, 33, 64][Math.floor(r() * 3)];
        const L = makeLayer(r, cls, H, D, int8, maskKind === 'left' ? FLAG_LEFT : 0);
        const masks = maskKind === 'none' ? [null] : MASKS[B];
        for (const mask of masks) {
          const s: State = { x: put(randoms(r, B * D)), h: put(randoms(r, B * H, 0.9)), c: put(randoms(r, B * H, 1.5)), lengths: mask ? k.arena.putI32(mask) : 0, B };
          const want = whole(L, s);
          const splits = [randomCuts(r, H, true), [0, H], randomCuts(r, H), randomCuts(r, H)];
          for (const cuts of splits) {
            const got = chunked(L, s, cuts, r);
            const label = `${cls} ${int8 ? 'int8' : 'f32'} H ${H} D ${D} B ${B} mask ${maskKind} ${JSON.stringify(mask)} act ${L.act}/${L.ract} chunks ${cuts.join('|')}`;
            sameBits(`${label}: h`, got.h, want.h);
            if (cls === 'LSTM') sameBits(`${label}: c`, got.c, want.c);
            // Masked rows carry h (and c) unchanged.
            if (mask) {
              const h0 = k.arena.readF32(s.h, B * H);
              for (let row = 0; row < B; row++) if (mask[row] === 0) sameBits(`${label}: masked row ${row}`, got.h.subarray(row * H, (row + 1) * H), h0.subarray(row * H, (row + 1) * H));
            }
            checked++;
          }
        }
        k.arena.release(mark);
      }
    }
  }
  return checked;
}

for (const cls of CLASSES) {
  for (const int8 of [false, true]) {
    test(`${cls} ${int8 ? 'int8' : 'f32'}: chunks of whole panels in any order = the whole one-step kernel, bit for bit (B = 1, 3, 5; masks; every activation)`, () => {
      const checked = checkSplits(cls, int8, cls.length * 131 + (int8 ? 7 : 0), [64, 96, 160], [1, 3, 5]);
      assert.ok(checked >= 3 * 3 * 5 * 4, `${checked} splits checked`);
    });
  }
}

test('the scalar build (no SIMD): the same split = whole property for every class and weight form', async () => {
  const simd = k;
  k = await loadInferKernels({ variant: 'scalar', wasm: 'build/infer-scalar.wasm' });
  try {
    assert.is(k.variant, 'scalar');
    let checked = 0;
    for (const cls of CLASSES) for (const int8 of [false, true]) checked += checkSplits(cls, int8, 7 + cls.length + (int8 ? 1 : 0), [64, 96], [1, 3]);
    assert.ok(checked >= 4 * 2 * 2 * 2 * 5 * 4, `${checked} splits checked`);
  } finally {
    k = simd;
  }
});

test('the step kernels over [0, H) with H not a multiple of 32 (one call, any H) = the whole-layer kernel', () => {
  const r = lcg(99);
  for (const cls of CLASSES) {
    for (const int8 of [false, true]) {
      for (const H of [5, 40, 67]) {
        const mark = k.arena.mark();
        const B = 3, D = 7;
        const L = makeLayer(r, cls, H, D, int8, 0);
        const s: State = { x: put(randoms(r, B * D)), h: put(randoms(r, B * H)), c: put(randoms(r, B * H)), lengths: k.arena.putI32([1, 0, 1]), B };
        const want = whole(L, s);
        const got = chunked(L, s, [0, H], r);
        sameBits(`${cls} ${int8 ? 'int8' : 'f32'} H ${H}: h`, got.h, want.h);
        if (cls === 'LSTM') sameBits(`${cls} H ${H}: c`, got.c, want.c);
        k.arena.release(mark);
      }
    }
  }
});

test('reset-before GRU: phase 2 before every chunk\'s phase 1 is wrong (the barrier is needed; the test can fail)', () => {
  const r = lcg(5);
  const B = 1, H = 64, D = 8;
  const L = makeLayer(r, 'GRU-before', H, D, false, 0);
  const s: State = { x: put(randoms(r, B * D)), h: put(randoms(r, B * H)), c: put(randoms(r, B * H)), lengths: 0, B };
  const want = whole(L, s);
  // Chunk [0, 32) runs both phases before chunk [32, 64) ran phase 1: its candidate product reads stale r ⊙ h.
  const a = k.arena, raw = k.raw, qtmp = a.allocBytes(2 * (H + 2));
  const hOut = put(new Float32Array(B * H)), scratch = put(new Float32Array(4 * B * H));
  const call = (u0: number, u1: number, phase: number) => raw.infer_gru_units(hOut, s.h, scratch, s.x, L.W.P, L.U.P, L.Un.P, L.b, 0, B, D, H, u0, u1, L.flags, L.act, L.ract, qtmp, 0, 0, 0, phase);
  call(0, 32, 1); call(0, 32, 2); call(32, 64, 1); call(32, 64, 2);
  const got = a.readF32(hOut, B * H);
  let differs = 0;
  for (let i = 0; i < 32; i++) if (!Object.is(got[i], want.h[i])) differs++;
  assert.ok(differs > 0, 'without the barrier the first chunk must differ');
  sameBits('the second chunk (all of r ⊙ h was there)', got.subarray(32), want.h.subarray(32));
});

test.run();
