// The project's one seeded pseudo-random generator: xoshiro128** (Blackman & Vigna, https://prng.di.unimi.it/)
// seeded through splitmix32. Integer-only (32-bit xor, shift, rotate, Math.imul), so every JS engine and the
// wasm kernel assembly/dropout.ts produce the same bits from the same state. Floats derived from it use only
// IEEE basic operations (+ − × ÷ sqrt, correctly rounded everywhere), never Math.log/Math.cos/Math.random,
// whose results may differ between engines: normal() uses the polar method with detLog below.
// It drives initializers, shuffling and dropout masks (DESIGN.md §7).
import { FusedRnnError, formatValue } from './errors.js';

/** A short rendering of a bad argument (a huge array is not joined into the message). */
const describeArg = (v: unknown): string => (Array.isArray(v) ? `an array of ${v.length}` : typeof v === 'object' && v !== null ? 'an object' : formatValue(v));

const UINT32 = 4294967296;

/** splitmix32 output function (a bijective 32-bit mixer). */
function mix32(z: number): number {
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

/** One xoshiro128** step over the state s (4 u32, not all zero): advances s in place, returns a u32. */
export function xoshiro128ss(s: Uint32Array): number {
  const s0 = s[0], s1 = s[1];
  const r5 = Math.imul(s1, 5);
  const result = Math.imul((r5 << 7) | (r5 >>> 25), 9) >>> 0;
  const t = s1 << 9;
  s[2] ^= s0;
  s[3] ^= s1;
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = (s[3] << 11) | (s[3] >>> 21);
  return result;
}

// xoshiro128** jump polynomial: jump() advances the state by 2^64 steps.
const JUMP = [0x8764000b, 0xf542d2d3, 0x6fa035c3, 0x77f2db5b];

const LN2_HI = 6.93147180369123816490e-01; // ln 2 split so e·LN2_HI is exact for |e| < 2^11 (fdlibm)
const LN2_LO = 1.90821492927058770002e-10;
const SQRT2 = Math.SQRT2;

/**
 * Natural log from IEEE basic operations only (deterministic on every engine): x = 2^e·m, m in
 * [√½, √2), log m = 2·atanh(s), s = (m − 1)/(m + 1), |s| <= 0.1716, series to s^27.
 * Error <= 2 ulp relative to the correctly rounded result (measured in test/random.test.ts for x in
 * (0, 1e300]). x must be finite and > 0 (the only use is the polar method, s in (0, 1)).
 */
export function detLog(x: number): number {
  let e = 0;
  if (x < 2.2250738585072014e-308) { x *= 18014398509481984; e = -54; } // subnormal: scale by 2^54
  // Extract the exponent with exact halvings/doublings by powers of two (no bit tricks needed).
  while (x >= 1.3407807929942597e154) { x *= 7.458340731200207e-155; e += 512; }
  while (x < 7.458340731200207e-155) { x *= 1.3407807929942597e154; e -= 512; }
  while (x >= 65536) { x *= 1.52587890625e-5; e += 16; }
  while (x < 1.52587890625e-5) { x *= 65536; e -= 16; }
  while (x >= SQRT2) { x *= 0.5; e += 1; }
  while (x < SQRT2 / 2) { x *= 2; e -= 1; }
  const s = (x - 1) / (x + 1);
  const z = s * s;
  let p = 1 / 27;
  for (let k = 12; k >= 1; k--) p = p * z + 1 / (2 * k + 1);
  const series = 2 * s + 2 * s * z * p;
  return (e * LN2_HI + series) + e * LN2_LO;
}

/** The seeded generator (xoshiro128**) behind initialisers, shuffling and dropout masks. */
export class Random {
  private readonly s = new Uint32Array(4);

  /** Seeds from any safe integer (negative and values above 2^32 included) through splitmix32. */
  constructor(seed = 0) {
    if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
      throw new FusedRnnError(`Random: seed must be a safe integer, got ${describeArg(seed)}`);
    }
    const lo = seed >>> 0;
    const hi = Math.floor(seed / UINT32) >>> 0;
    let a = lo;
    for (let i = 0; i < 4; i++) {
      a = (a + 0x9e3779b9) >>> 0;
      this.s[i] = mix32(a) ^ mix32((hi + Math.imul(i + 1, 0x632be5ab)) >>> 0);
    }
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
  }

  /** A generator that continues from a saved state (4 u32, not all zero). */
  static fromState(state: ArrayLike<number>): Random {
    const r = new Random(0);
    r.setState(state);
    return r;
  }

  /** A copy of the 4-word state. */
  getState(): Uint32Array {
    return Uint32Array.from(this.s);
  }

  setState(state: ArrayLike<number>): void {
    if (state === null || typeof state !== 'object' || state.length !== 4) {
      throw new FusedRnnError('Random.setState: state must be 4 unsigned 32-bit integers');
    }
    for (let i = 0; i < 4; i++) {
      const v = state[i];
      if (!Number.isInteger(v) || v < 0 || v >= UINT32) {
        throw new FusedRnnError(`Random.setState: state[${i}] = ${describeArg(v)} is not an unsigned 32-bit integer`);
      }
    }
    if ((state[0] | state[1] | state[2] | state[3]) === 0) throw new FusedRnnError('Random.setState: state must not be all zero');
    this.s.set(state);
  }

  /** A uniform unsigned 32-bit integer. */
  nextU32(): number {
    return xoshiro128ss(this.s);
  }

  /** A uniform double in [0, 1) with 53 random bits (two outputs). */
  uniform(): number {
    const a = this.nextU32() >>> 5, b = this.nextU32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** A uniform integer in [0, n), n a positive integer <= 2^32, without modulo bias (rejection). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > UINT32) throw new FusedRnnError(`Random.int: n must be an integer in [1, 2^32], got ${describeArg(n)}`);
    const limit = UINT32 - (UINT32 % n); // accept r < limit: a whole number of copies of [0, n)
    for (;;) {
      const r = this.nextU32();
      if (r < limit) return r % n;
    }
  }

  /**
   * A standard normal deviate (Marsaglia's polar method; the second deviate of each pair is discarded so
   * the generator state alone determines the sequence and save/restore stays exact).
   */
  normal(mean = 0, stddev = 1): number {
    if (typeof mean !== 'number' || !Number.isFinite(mean) || typeof stddev !== 'number' || !Number.isFinite(stddev) || stddev < 0) {
      throw new FusedRnnError(`Random.normal: mean and stddev must be finite numbers (stddev >= 0), got ${describeArg(mean)} and ${describeArg(stddev)}`);
    }
    for (;;) {
      const u = 2 * this.uniform() - 1, v = 2 * this.uniform() - 1;
      const s = u * u + v * v;
      if (s >= 1 || s === 0) continue;
      return mean + stddev * u * Math.sqrt((-2 * detLog(s)) / s);
    }
  }

  /** Fisher–Yates shuffle in place (deterministic for a given state). */
  shuffle<A extends { length: number; [i: number]: unknown }>(a: A): A {
    if ((!Array.isArray(a) && !(ArrayBuffer.isView(a) && !(a instanceof DataView))) || a.length > 2 ** 32) throw new FusedRnnError(`Random.shuffle: a must be an array or a typed array, got ${describeArg(a)}`);
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** Advances this generator by 2^64 steps (xoshiro128** jump). */
  jump(): void {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (const word of JUMP) {
      for (let b = 0; b < 32; b++) {
        if ((word >>> b) & 1) {
          s0 ^= this.s[0]; s1 ^= this.s[1]; s2 ^= this.s[2]; s3 ^= this.s[3];
        }
        this.nextU32();
      }
    }
    this.s[0] = s0; this.s[1] = s1; this.s[2] = s2; this.s[3] = s3;
  }

  /**
   * An independent stream: the child continues from this generator's current state, and this generator
   * jumps 2^64 steps ahead, so the two never overlap (for fewer than 2^64 draws each).
   */
  fork(): Random {
    const child = Random.fromState(this.s);
    this.jump();
    return child;
  }
}

/** Dropout keep threshold on 24-bit uniforms: kept iff (u32 >>> 8) >= ceil(rate · 2^24), i.e. u24 / 2^24 >= rate. */
export function dropoutThreshold(rate: number): number {
  return Math.ceil(rate * 16777216);
}

/** Writes a dropout mask (0 or f32(1/(1 − rate))) for mask.length elements, advancing `random`. */
export function fillDropoutMask(mask: { length: number; [i: number]: number }, random: Random, rate: number): void {
  const threshold = dropoutThreshold(rate);
  const scale = Math.fround(1 / (1 - rate));
  for (let i = 0; i < mask.length; i++) mask[i] = (random.nextU32() >>> 8) >= threshold ? scale : 0;
}
