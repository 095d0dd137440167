// Child process of the export sweep (test/fuzz/exports/sweep.ts): runs a slice of the call plan and writes
// one JSON line per call ("begin" before, the outcome after) to file descriptor 3, a pipe of its own, so the
// parent can name the call that hung or crashed the process and restart after it; what callees print to
// stdout cannot garble it. While a call is awaited it writes "alive" lines (the watchdog waits per step).
// Runs in a scratch directory: calls that write files with a junk name write them there.
import { readFileSync, writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { JUNK } from './junk.js';
import { factories, weightsOf, type Entries } from './instances.js';
import type { Call, Result } from './sweep.js';

const [planFile, startArg, dir] = process.argv.slice(2);
const plan = JSON.parse(readFileSync(planFile, 'utf8')) as { modules: Record<string, string>; calls: Call[]; asyncTimeoutMs: number; documentedNaN: string[] };
const entries: Entries = {};
for (const [entry, file] of Object.entries(plan.modules)) entries[entry] = await import(pathToFileURL(file).href); // absolute paths (sweep.ts)
process.chdir(dir);
const make = factories(entries, dir);
const emit = (o: object) => writeSync(3, `${JSON.stringify(o)}\n`);
/** The call running now (for "alive" lines). */
let current = -1;

/** True when `e` is a FusedRnnError (found by name along the prototype chain: each entry may bundle its own copy). */
function isTyped(e: unknown): e is Error {
  for (let p = e && Object.getPrototypeOf(e); p; p = Object.getPrototypeOf(p)) if (p.constructor?.name === 'FusedRnnError') return true;
  return false;
}

/** Resolves, or rejects with a marker after `ms` (an async hang). */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  emit({ alive: current }); // each awaited step gets its own watchdog period
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => { timer = setTimeout(() => reject(new HangMarker()), ms); })]).finally(() => clearTimeout(timer));
}
class HangMarker extends Error {}

/** A NaN at the top of a result (a number, a numeric array, a { data } prediction): a silent NaN. */
function hasNaN(v: unknown): boolean {
  if (typeof v === 'number') return Number.isNaN(v);
  const data = (v as { data?: unknown })?.data ?? v;
  if (Array.isArray(data) || ArrayBuffer.isView(data)) {
    const a = data as ArrayLike<unknown>;
    for (let i = 0; i < Math.min(a.length, 1 << 16); i++) if (typeof a[i] === 'number' && Number.isNaN(a[i])) return true;
  }
  return false;
}

/** Pulls a few items of a returned iterator (lazy functions validate on first use). */
async function drain(v: unknown): Promise<void> {
  const it = v as { next?: () => unknown; [Symbol.asyncIterator]?: () => AsyncIterator<unknown>; [Symbol.iterator]?: () => Iterator<unknown> };
  if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v) || typeof v === 'string') return;
  const iter = typeof it[Symbol.asyncIterator] === 'function' ? it[Symbol.asyncIterator]!() : typeof it[Symbol.iterator] === 'function' && !(v instanceof Map) && !(v instanceof Set) ? it[Symbol.iterator]!() : null;
  if (!iter) return;
  for (let i = 0; i < 3; i++) {
    const r = await within(Promise.resolve(iter.next()), plan.asyncTimeoutMs);
    if (r.done) break;
  }
  await iter.return?.();
}

const instances = new Map<string, unknown>();
async function instanceFor(c: Call): Promise<unknown> {
  const key = `${c.entry} ${c.name} ${c.method}`;
  if (!instances.has(key)) {
    const f = make[`${c.entry} ${c.name}`] ?? (c.entry === '.' ? make[c.name] : undefined);
    const C = entries[c.entry][c.name];
    instances.set(key, f ? await f() : new C());
  }
  return instances.get(key);
}

for (let i = Number(startArg); i < plan.calls.length; i++) {
  const c = plan.calls[i];
  current = i;
  emit({ begin: i });
  const t0 = performance.now();
  let result: Result;
  let target: unknown;
  try {
    if (c.kind === 'method') target = await instanceFor(c);
  } catch (e) {
    emit({ end: i, result: { outcome: 'setup', detail: `${(e as Error).name}: ${(e as Error).message}` }, rss: process.memoryUsage.rss() });
    continue;
  }
  const before = c.kind === 'method' ? weightsOf(target) : null;
  try {
    const args = c.args.map((a) => JUNK[a]());
    const C = entries[c.entry][c.name];
    let v: unknown;
    if (c.kind === 'call') v = C(...args);
    else if (c.kind === 'new') v = new C(...args);
    else if (c.kind === 'static') v = C[c.method!](...args);
    else v = (target as Record<string, (...a: unknown[]) => unknown>)[c.method!](...args);
    v = await within(Promise.resolve(v), plan.asyncTimeoutMs);
    await drain(v);
    // a NaN the call made from arguments without one; documented NaN results (geometricMean of nothing) are fine
    const made = hasNaN(v) && !args.some(hasNaN) && !plan.documentedNaN.includes(c.name);
    result = { outcome: made ? 'nan' : 'accepted' };
  } catch (e) {
    if (e instanceof HangMarker) result = { outcome: 'hang', detail: `no answer in ${plan.asyncTimeoutMs} ms (async)` };
    else if (isTyped(e)) result = { outcome: 'typed', detail: `${e.name}: ${e.message.slice(0, 300)}` };
    else if (e instanceof WebAssembly.RuntimeError) result = { outcome: 'trap', detail: `${e.name}: ${e.message}` };
    else {
      const where = e instanceof Error ? (e.stack ?? '').split('\n').find((l) => /^\s+at /.test(l))?.trim().replace(/\(?file:\/\/\S*\/(dist|src)\//, '($1/') ?? '' : '';
      result = { outcome: 'plain', detail: e instanceof Error ? `${e.name}: ${e.message.split('\n')[0].slice(0, 200)} ${where}` : `thrown ${typeof e}: ${String(e).slice(0, 100)}` };
    }
  }
  if (before && result.outcome !== 'accepted') {
    const after = weightsOf(target);
    const same = after !== null && after.length === before.length && after.every((w, j) => w.length === before[j].length && w.every((x, q) => Object.is(x, before[j][q])));
    if (!same) result = { outcome: 'changed', detail: `weights changed after a rejected call (${result.detail ?? result.outcome})` };
  }
  result.ms = Math.round(performance.now() - t0);
  emit({ end: i, result, rss: process.memoryUsage.rss() });
}
process.exit(0);
