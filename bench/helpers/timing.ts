// Times a group of synchronous cases with benny (benchmark.js underneath) and returns the mean seconds per
// call of each. Cases must only run kernels: allocate and fill memory before calling this.
import { add, configure, suite } from 'benny';

export interface TimingOptions {
  /** Seconds benchmark.js may spend on one case once minSamples are taken (default 1). */
  maxTime?: number;
  /** Samples to take at least, whatever maxTime says (default 5). */
  minSamples?: number;
}

export interface Case {
  name: string;
  fn: () => void;
}

/** Runs `cases` as one benny suite; returns name → mean seconds per call. */
export async function timeCases(title: string, cases: Case[], options: TimingOptions = {}): Promise<Map<string, number>> {
  const summary = await suite(
    title,
    ...cases.map((c) => add(c.name, c.fn)),
    configure({ cases: { maxTime: options.maxTime ?? 1, minSamples: options.minSamples ?? 5 } }),
  );
  const seconds = new Map<string, number>();
  for (const r of summary.results) {
    if (!(r.details.mean > 0)) throw new Error(`${title}: case "${r.name}" produced no timing samples`);
    seconds.set(r.name, r.details.mean);
  }
  return seconds;
}

/** GFLOP/s of `flops` floating-point operations done in `seconds`. */
export const gflops = (flops: number, seconds: number): number => flops / seconds / 1e9;
