// Arena: 16-byte alignment, mark/release, growth, and views re-derived after memory.grow.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Arena, ArenaError, loadKernels, PAGE_BYTES } from '../bindings/index.js';
import { throwsTyped } from './helpers/assert-throws.js';

test('allocations are 16-byte aligned and do not overlap', () => {
  const a = new Arena({ initialBytes: PAGE_BYTES });
  const ptrs = [1, 3, 4, 5, 17, 0, 2].map((n) => [a.alloc(n), n] as const);
  for (const [p] of ptrs) assert.is(p % 16, 0, `ptr ${p} aligned`);
  for (let i = 1; i < ptrs.length; i++) assert.ok(ptrs[i][0] >= ptrs[i - 1][0] + ptrs[i - 1][1] * 4);
});

test('mark/release rewinds; release of a bad mark throws ArenaError', () => {
  const a = new Arena({ initialBytes: PAGE_BYTES });
  a.alloc(10);
  const m = a.mark();
  const p = a.alloc(100);
  a.release(m);
  assert.is(a.alloc(100), p, 'same pointer after rewind');
  throwsTyped(() => a.release(m + 4), ArenaError, /not a live mark/);
  throwsTyped(() => a.release(a.top + 16), ArenaError, /not a live mark/);
});

test('growth: memory grows on demand and views are re-derived (old views detach)', () => {
  const a = new Arena({ initialBytes: PAGE_BYTES });
  const p = a.putF32([1, 2, 3]);
  const oldView = a.F32;
  const before = a.byteLength;
  const big = a.alloc(3 * PAGE_BYTES / 4); // three pages more
  assert.ok(a.byteLength > before, 'memory grew');
  assert.is(a.grows, 1);
  assert.is(oldView.length, 0, 'the old view is detached by memory.grow');
  assert.equal(Array.from(a.readF32(p, 3)), [1, 2, 3], 'data survives growth');
  a.F32[(big >> 2) + 10] = 7; // the whole-memory view was re-derived and covers the new pages
  assert.is(a.f32(big, 11)[10], 7);
});

test('maximum: an allocation beyond maximumBytes throws ArenaError and changes nothing', () => {
  const a = new Arena({ initialBytes: PAGE_BYTES, maximumBytes: 2 * PAGE_BYTES });
  const top = a.top;
  throwsTyped(() => a.alloc(PAGE_BYTES), ArenaError, /maximum is 131072 bytes/);
  assert.is(a.top, top);
  throwsTyped(() => a.alloc(-1), ArenaError, /non-negative safe integer, got -1/);
  throwsTyped(() => a.allocBytes(1.5), ArenaError, /got 1.5/);
  throwsTyped(() => new Arena({ initialBytes: 4 * PAGE_BYTES, maximumBytes: PAGE_BYTES }), ArenaError, /exceeds maximumBytes/);
});

test('kernels keep working after growth (wasm sees the grown memory)', async () => {
  const k = await loadKernels({ initialBytes: PAGE_BYTES });
  const a = k.arena;
  const x = a.putF32([1, 2, 3, 4, 5]);
  a.alloc(PAGE_BYTES); // forces growth
  const y = a.putF32([10, 20, 30, 40, 50]);
  k.axpy(y, 2, x, 5);
  assert.equal(Array.from(a.readF32(y, 5)), [12, 24, 36, 48, 60]);
  assert.ok(a.grows >= 1);
});

test.run();
