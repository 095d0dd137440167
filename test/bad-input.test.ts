// Bad input at the wasm boundary: every violation throws KernelArgumentError naming the kernel, the
// argument and its value, before wasm runs, and memory is byte-for-byte unchanged.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KernelArgumentError, loadKernels, type Kernels } from '../bindings/index.js';
import { throwsTyped } from './helpers/assert-throws.js';

let k: Kernels;
let A = 0, B = 0, C = 0;
test.before(async () => {
  k = await loadKernels({ initialBytes: 1 << 20 });
  A = k.arena.putF32(new Float32Array(64).fill(1));
  B = k.arena.putF32(new Float32Array(64).fill(2));
  C = k.arena.putF32(new Float32Array(64).fill(3));
});

function rejects(label: string, call: () => void, pattern: RegExp): void {
  const before = k.arena.u8.slice();
  let thrown: unknown;
  try {
    call();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown instanceof KernelArgumentError, `${label}: expected KernelArgumentError, got ${thrown}`);
  assert.match((thrown as Error).message, pattern, label);
  const after = k.arena.u8;
  assert.is(after.length, before.length, `${label}: memory size unchanged`);
  for (let i = 0; i < before.length; i++) if (before[i] !== after[i]) assert.unreachable(`${label}: memory changed at byte ${i}`);
}

test('dimensions: zero, negative, NaN, fractional, Infinity, non-number', () => {
  rejects('M = 0', () => k.gemmNN(C, A, B, 0, 4, 4), /^gemm_nn: argument M = 0 must be a positive integer/);
  rejects('N = -3', () => k.gemmTN(C, A, B, 4, -3, 4), /^gemm_tn: argument N = -3 must be a positive integer/);
  rejects('K = NaN', () => k.gemmNT(C, A, B, 4, 4, NaN), /^gemm_nt: argument K = NaN must be a positive integer/);
  rejects('K = 2.5', () => k.gemmNN(C, A, B, 4, 4, 2.5), /argument K = 2.5 must be a positive integer/);
  rejects('M = Infinity', () => k.gemmNN(C, A, B, Infinity, 4, 4), /argument M = Infinity/);
  rejects('M = "4"', () => k.gemmNN(C, A, B, '4' as never, 4, 4), /argument M = "4"/);
  rejects('n = 0', () => k.fill(A, 1, 0), /^fill: argument n = 0/);
});

test('pointers: misaligned, negative, below the arena, beyond memory, fractional', () => {
  rejects('misaligned A', () => k.gemmNN(C, A + 2, B, 4, 4, 4), /^gemm_nn: argument A = \d+ is not 4-byte aligned/);
  rejects('negative C', () => k.gemmNN(-16, A, B, 4, 4, 4), /argument C = -16 (is not|lies below)/);
  rejects('below base', () => k.gemmNN(0, A, B, 4, 4, 4), /argument C = 0 lies below the arena base/);
  const size = k.arena.byteLength;
  rejects('C past the end', () => k.gemmNN(size - 32, A, B, 4, 4, 4), new RegExp(`argument C = ${size - 32} with 16 elements ends at byte ${size + 32}, beyond memory \\(${size} bytes\\)`));
  rejects('B huge', () => k.gemmNN(C, A, 2 ** 40, 4, 4, 4), /argument B = 1099511627776 .* beyond memory/);
  rejects('fractional ptr', () => k.axpy(A + 0.5, 1, B, 4), /argument y = [\d.]+ must be an integer byte offset/);
  rejects('sum_squares oob', () => k.sumSquares(size - 4, 2), /^sum_squares: argument x/);
});

test('aliasing: an output overlapping an input is rejected', () => {
  rejects('C overlaps A', () => k.gemmNN(A + 16, A, B, 4, 4, 4), /^gemm_nn: argument C = \d+ \(bytes \[\d+, \d+\)\) overlaps input A/);
  rejects('C == B', () => k.gemmTN(B, A, B, 4, 4, 4), /overlaps input B/);
  rejects('axpy partial overlap', () => k.axpy(A + 4, 1, A, 8), /^axpy: argument y .* overlaps input x/);
  rejects('col_sums out in X', () => k.colSums(A, A, 4, 4), /^col_sums: argument out .* overlaps input X/);
});

test('row range and scalars', () => {
  rejects('m1 > M', () => k.gemmNN(C, A, B, 4, 4, 4, false, 0, 5), /argument m1 = 5 must be an integer in \[m0 = 0, M = 4\]/);
  rejects('m0 > m1', () => k.gemmNN(C, A, B, 4, 4, 4, false, 3, 2), /argument m1 = 2/);
  rejects('m0 < 0', () => k.gemmNN(C, A, B, 4, 4, 4, false, -1, 2), /argument m0 = -1/);
  rejects('alpha NaN', () => k.scale(A, NaN, 4), /^scale: argument alpha = NaN must be a finite number/);
  rejects('accumulate "yes"', () => k.gemmNN(C, A, B, 4, 4, 4, 'yes' as never), /argument accumulate = "yes" must be a boolean/);
});

test('the same checks guard the JS reference backend', async () => {
  const js = await loadKernels({ backend: 'js', initialBytes: 1 << 16 });
  const p = js.arena.alloc(16);
  throwsTyped(() => js.gemmNN(p, p + 4, p, 2, 2, 2), KernelArgumentError, /gemm_nn: argument C .* overlaps input A/);
  throwsTyped(() => js.gemmNN(p, p, p, 0, 2, 2), KernelArgumentError, /argument M = 0/);
});

test.run();
