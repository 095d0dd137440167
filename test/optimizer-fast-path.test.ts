// Optimizer.step's two paths give the same result. The fast path skips the weight copy and the post-update
// check when updateBounds proves every new value finite; here every optimizer runs side by side with a twin
// whose proof always fails (every step checked), on identical slabs, over seeded random steps whose gradient,
// weight and state magnitudes span 1e-30 … 1e30 (so both paths run and some checked steps overflow and are
// refused). Bits, iteration counts and guard results must be identical after every step, and each optimizer
// must have taken both paths. A wrong bound (fast path on a step that overflows) makes the twins differ.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadKernels, type Kernels, type Ptr } from '../bindings/index.js';
import { Adagrad, Adam, AdamW, Optimizer, RMSprop, SGD } from '../src/optimizers.js';
import { Random } from '../bindings/random.js';

let k: Kernels;
test.before(async () => {
  k = await loadKernels({ variant: 'simd' });
});

type Make = () => Optimizer;
const cases: Array<[string, Make]> = [
  ['SGD', () => new SGD({ learningRate: 1e3 })],
  ['SGD momentum', () => new SGD({ learningRate: 1e3, momentum: 0.9 })],
  ['SGD nesterov', () => new SGD({ learningRate: 1e3, momentum: 0.9, nesterov: true })],
  ['Adam', () => new Adam({ learningRate: 0.01 })],
  ['Adam eps 1e-30', () => new Adam({ learningRate: 0.01, epsilon: 1e-30 })],
  ['AdamW', () => new AdamW({ learningRate: 0.01, weightDecay: 0.1 })],
  ['AdamW lr 2', () => new AdamW({ learningRate: 2, weightDecay: 0.1 })],
  ['RMSprop', () => new RMSprop({ learningRate: 0.01 })],
  ['Adagrad', () => new Adagrad({ learningRate: 0.1 })],
];

/** Counts the fast path's decisions; `checkedOnly` makes every step take the checked path. */
function instrument(opt: Optimizer, checkedOnly: boolean) {
  const seen = { fast: 0, checked: 0 };
  const bounds = (opt as unknown as { updateBounds(g: number, s: number): { step: number; state: number } }).updateBounds.bind(opt);
  (opt as unknown as { updateBounds: typeof bounds }).updateBounds = (g, s) => {
    const b = checkedOnly ? { step: Infinity, state: Infinity } : bounds(g, s);
    if (b.step < 1e30 && b.state < 1e30) seen.fast++;
    else seen.checked++;
    return b;
  };
  return seen;
}

/** A uniform number in [lo, hi). */
const u = (r: Random, lo: number, hi: number) => lo + (hi - lo) * r.uniform();
/** Writes float32 values at ptr. */
const write = (ptr: Ptr, values: ArrayLike<number>) => k.arena.F32.set(values, ptr >> 2);

const P = 64, tensors: Array<[number, number]> = [[0, 40], [40, 24]];

/** One model-like setup: W, G and the state slabs, the grad table, the state initialised by the optimizer. */
function setup(opt: Optimizer, w0: Float32Array) {
  const W = k.arena.putF32(w0), G = k.arena.alloc(P);
  const state: Ptr[] = Array.from({ length: opt.stateSlabs }, () => k.arena.alloc(P));
  opt.initState(k, state, P);
  return { W, G, state, grads: k.gradTable(G, tensors) };
}

for (const [name, make] of cases) {
  test(`fast path = checked path, bit for bit: ${name}`, () => {
    const mark = k.arena.mark();
    const r = new Random(7);
    const w0 = Float32Array.from({ length: P }, () => u(r, -1, 1));
    const fastOpt = make(), slowOpt = make();
    const fastSeen = instrument(fastOpt, false);
    instrument(slowOpt, true);
    const a = setup(fastOpt, w0), b = setup(slowOpt, w0);
    let refused = 0;
    for (let step = 0; step < 160; step++) {
      // Gradient scale: mostly ordinary, sometimes tiny, sometimes near and past the float32 overflow.
      const scale = 10 ** (step % 7 === 3 ? u(r, -30, 38.5) : u(r, -3, 1));
      const g = Float32Array.from({ length: P }, () => u(r, -1, 1) * scale);
      write(a.G, g);
      write(b.G, g);
      const ra = fastOpt.step(k, a.grads, a.W, a.G, a.state, P, 0, P);
      const rb = slowOpt.step(k, b.grads, b.W, b.G, b.state, P, 0, P);
      assert.equal(ra, rb, `${name} step ${step}: guard results differ`);
      if (!ra.finite) refused++;
      assert.is(fastOpt.iterations, slowOpt.iterations, `${name} step ${step}: iterations`);
      const same = (x: Ptr, y: Ptr, what: string) => {
        const u = new Uint32Array(k.arena.readF32(x, P).buffer), v = new Uint32Array(k.arena.readF32(y, P).buffer);
        const i = u.findIndex((bits, j) => bits !== v[j]);
        assert.is(i, -1, `${name} step ${step}: ${what}[${i}] differs (fast ${k.arena.readF32(x, P)[i]}, checked ${k.arena.readF32(y, P)[i]})`);
      };
      same(a.W, b.W, 'weights');
      a.state.forEach((p, s) => same(p, b.state[s], `state ${s}`));
      for (const x of [...k.arena.readF32(a.W, P), ...a.state.flatMap((p) => Array.from(k.arena.readF32(p, P)))]) {
        assert.ok(Number.isFinite(x), `${name} step ${step}: a non-finite value was kept`);
      }
    }
    if (name === 'AdamW lr 2') assert.is(fastSeen.fast, 0, 'AdamW with lr > 1 has no proof');
    else assert.ok(fastSeen.fast >= 10, `${name}: the fast path ran ${fastSeen.fast} times`);
    assert.ok(fastSeen.checked >= 3, `${name}: the checked path ran ${fastSeen.checked} times`);
    assert.ok(refused >= 1, `${name}: ${refused} steps were refused`);
    console.log(`  ${name}: ${fastSeen.fast} fast, ${fastSeen.checked} checked, ${refused} refused`);
    k.arena.release(mark);
  });
}

test('the state bound survives refused steps and starts known after initState', () => {
  const opt = new Adam({ learningRate: 0.01 });
  const seen = instrument(opt, false);
  const s = setup(opt, new Float32Array(P).fill(0.5));
  write(s.G, new Float32Array(P).fill(1e-3));
  opt.step(k, s.grads, s.W, s.G, s.state, P, 0, P);
  assert.equal(seen, { fast: 1, checked: 0 });
  write(s.G, new Float32Array(P).fill(1e25)); // g² overflows f32: refused on the checked path
  assert.is(opt.step(k, s.grads, s.W, s.G, s.state, P, 0, P).finite, false);
  write(s.G, new Float32Array(P).fill(1e-3));
  opt.step(k, s.grads, s.W, s.G, s.state, P, 0, P);
  assert.equal(seen, { fast: 2, checked: 1 });
});

test.run();
