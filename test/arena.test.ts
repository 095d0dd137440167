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

test('free list: freed blocks become holes reused first-fit; freeing next to top lowers top; marks are allocation counts', () => {
  const a = new Arena({ initialBytes: PAGE_BYTES });
  const base = a.top;
  const p1 = a.alloc(16), p2 = a.alloc(16), p3 = a.alloc(16);
  a.free(p2);
  assert.is(a.usedBytes, 128, 'p1 and p3 live');
  assert.is(a.alloc(8), p2, 'a smaller block reuses the hole');
  const p4 = a.alloc(16);
  assert.ok(p4 > p3, 'a block larger than every hole goes to the top');
  a.free(p4);
  a.free(p3);
  assert.is(a.top, p2 + 32, 'freeing the topmost blocks lowers top, through the rest of the hole after the reused part');
  a.free(p1);
  a.free(p2);
  assert.is(a.top, base, 'all freed: top back at base');
  assert.is(a.usedBytes, 0);
  throwsTyped(() => a.free(p1), ArenaError, /not the start of a live allocation/);
  // release(mark) frees what was allocated after the mark even when it sits in a hole below the mark's top
  const q1 = a.alloc(16), q2 = a.alloc(16);
  a.free(q1);
  const m = a.mark();
  const q3 = a.alloc(16);
  assert.is(q3, q1, 'the temporary lands in the hole');
  a.release(m);
  assert.is(a.alloc(16), q1, 'released: the hole is free again');
  assert.ok(q2 > q1);
});

test('claim/freeOwned: an owner frees exactly its own blocks, also when they are interleaved with others', () => {
  const a = new Arena({ initialBytes: PAGE_BYTES });
  const owner1 = {}, owner2 = {};
  const user = a.putF32([1, 2, 3]); // a direct kernel user's buffer, never claimed
  let t = a.mark();
  const x1 = a.alloc(100);
  a.claim(owner1, t);
  t = a.mark();
  const y1 = a.alloc(50);
  a.claim(owner2, t);
  t = a.mark();
  const x2 = a.alloc(30);
  a.claim(owner1, t);
  assert.is(a.freeOwned(owner1), 400 + 128, 'bytes freed (rounded to 16)');
  assert.equal(Array.from(a.readF32(user, 3)), [1, 2, 3]);
  assert.is(a.alloc(100), x1, 'owner1\'s first block is a hole now');
  assert.ok(x2 > y1);
  a.freeOwned(owner2);
  assert.is(a.blockCount, 2, 'the user buffer and the new block remain');
});

test.run();
