// Shared machinery of the property-based suite (issue 16): the outcome of one generated call, the checks
// every outcome must pass, and a tally per entry point. A call either succeeds with finite, sane results
// or throws a typed FusedRnnError that names the user's argument; never a plain TypeError/RangeError, a
// wasm trap, a hang, a change after a rejected call, or a bad input silently accepted.
import { FusedRnnError, KernelArgumentError } from '../../src/index.js';

/** What one generated call did. */
export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Runs a call and records its outcome (sync or async). */
export async function attempt(call: () => unknown): Promise<Outcome> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** A broken guarantee: which entry point, what kind, and the input that broke it (for the report). */
export interface Violation {
  entry: string;
  kind: 'untyped error' | 'kernel internals' | 'unnamed argument' | 'changed after rejection' | 'silently accepted' | 'non-finite result' | 'other';
  detail: string;
}

/** Per-entry-point counts of a run: inputs, accepted, rejected (typed), and the violations found. */
export class Tally {
  readonly rows = new Map<string, { inputs: number; accepted: number; rejected: number; violations: number }>();
  readonly violations: Violation[] = [];

  count(entry: string, outcome: Outcome): void {
    const r = this.rows.get(entry) ?? { inputs: 0, accepted: 0, rejected: 0, violations: 0 };
    r.inputs++;
    if (outcome.ok) r.accepted++;
    else r.rejected++;
    this.rows.set(entry, r);
  }

  fail(v: Violation): never {
    this.violations.push(v);
    const r = this.rows.get(v.entry);
    if (r) r.violations++;
    throw new ViolationError(`${v.entry}: ${v.kind}: ${v.detail}`);
  }

  table(): string {
    const lines = ['entry point                      inputs  accepted  rejected  violations'];
    for (const [k, r] of this.rows) lines.push(`${k.padEnd(32)} ${String(r.inputs).padStart(6)}  ${String(r.accepted).padStart(8)}  ${String(r.rejected).padStart(8)}  ${String(r.violations).padStart(10)}`);
    return lines.join('\n');
  }
}

/** Short rendering of a generated input for reports. */
export function show(v: unknown): string {
  try {
    const s = JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : ArrayBuffer.isView(x) ? `${x.constructor.name}(${(x as unknown as ArrayLike<number>).length})` : x));
    return s === undefined ? String(v) : s.length > 600 ? `${s.slice(0, 597)}...` : s;
  } catch {
    return String(v);
  }
}

/**
 * The error of a rejected call must be a FusedRnnError with a message; `names` (when given) must match it
 * (the user's argument, layer or option); `noKernelInternals` refuses KernelArgumentError from a
 * high-level call (it names kernel arguments, not the user's).
 */
export function checkRejection(t: Tally, entry: string, outcome: Outcome, input: unknown, names?: RegExp, noKernelInternals = true): void {
  if (outcome.ok) return;
  const e = outcome.error;
  if (!(e instanceof FusedRnnError)) {
    t.fail({ entry, kind: 'untyped error', detail: `${e instanceof Error ? `${e.name}: ${e.message}` : String(e)} for ${show(input)}` });
  }
  if (noKernelInternals && e instanceof KernelArgumentError) {
    const where = (e.stack ?? '').split('\n').slice(1, 5).map((l) => l.trim().replace(/\(.*\/(\w[\w.-]*:\d+):\d+\)/, '($1)')).join(' < ');
    t.fail({ entry, kind: 'kernel internals', detail: `${e.message} [${where}] for ${show(input)}` });
  }
  if (!e.message) t.fail({ entry, kind: 'unnamed argument', detail: `empty message for ${show(input)}` });
  if (names && !names.test(e.message)) t.fail({ entry, kind: 'unnamed argument', detail: `"${e.message}" does not name ${names} for ${show(input)}` });
}

/** Every value finite (NaN/±Inf count as a violation of "finite, sane results"). */
export function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

/** Byte-exact equality of two float arrays (weights and predictions must not move after a rejection). */
export function sameFloats(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** Settings of a run: how many inputs per property, the seed, and the time budget per property. */
export interface RunSettings {
  numRuns: number;
  seed: number;
  /** Milliseconds per property (fast-check stops generating after it). */
  timeLimitMs: number;
  /** Include the model data path's known failure classes (issue 16 findings 1, 2, 6, 9: the model rewrite). */
  modelPathAll: boolean;
  /** Record violations and go on (campaign report) instead of stopping at the first. */
  collect?: boolean;
}

/** Marks the errors Tally.fail throws, so that collecting runs can swallow exactly those. */
export class ViolationError extends Error {}

/** Wraps a property body: with `collect`, a violation is recorded (by Tally.fail) and the run goes on. */
export function guarded<A extends unknown[]>(s: RunSettings, body: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await body(...args);
    } catch (e) {
      if (!(s.collect && e instanceof ViolationError)) throw e;
    }
  };
}
