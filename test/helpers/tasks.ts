// Small seeded synthetic tasks for model tests.
import { Random } from '../../src/random.js';

/** Classify by the FIRST token (a long-range dependency when T is large): ids in [1, V), label = first > V/2. */
export function firstTokenTask(N: number, T: number, V: number, seed: number): { x: number[][]; y: number[] } {
  const r = new Random(seed);
  const x: number[][] = [], y: number[] = [];
  for (let i = 0; i < N; i++) {
    const row = Array.from({ length: T }, () => 1 + r.int(V - 1));
    x.push(row);
    y.push(row[0] > V / 2 ? 1 : 0);
  }
  return { x, y };
}

/** Next-token targets for a char-LM-like task: y[t] = (x[t] + 1) mod V. */
export function shiftTask(N: number, T: number, V: number, seed: number): { x: number[][]; y: number[][] } {
  const r = new Random(seed);
  const x: number[][] = [], y: number[][] = [];
  for (let i = 0; i < N; i++) {
    const row = Array.from({ length: T }, () => r.int(V));
    x.push(row);
    y.push(row.map((v) => (v + 1) % V));
  }
  return { x, y };
}

/** Float sequences (N, T, D) with a regression target (N, U): the mean over time of the first U features. */
export function floatTask(N: number, T: number, D: number, U: number, seed: number): { x: number[][][]; y: number[][] } {
  const r = new Random(seed);
  const x: number[][][] = [], y: number[][] = [];
  for (let i = 0; i < N; i++) {
    const seq = Array.from({ length: T }, () => Array.from({ length: D }, () => 2 * r.uniform() - 1));
    x.push(seq);
    y.push(Array.from({ length: U }, (_, u) => seq.reduce((s, v) => s + v[u], 0) / T));
  }
  return { x, y };
}
