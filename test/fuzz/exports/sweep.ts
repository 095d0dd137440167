// The export sweep (issue 16): calls every public function, constructor, static and instance method of
// every package entry point (package.json "exports", read from the built declaration files) with junk
// arguments, and classifies each outcome. A typed FusedRnnError, or success, is fine; anything else is a
// finding: a plain JS error (TypeError "Cannot read properties of undefined", RangeError...), a wasm trap,
// a hang, a crash of the process, a model whose weights moved after a rejected call, or a NaN returned
// silently. Calls run in a child process (test/fuzz/exports/runner.ts) watched from here, so a hang or a
// crash is recorded against the call that caused it and the sweep goes on after it.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { afterAttempt } from '../../helpers/child.js';
import { FIRST, JUNK, SECOND } from './junk.js';
import { entryPoints, publicSurface, type ExportInfo } from './surface.js';

/** One planned call: which export, how (call, new, static or instance method) and the junk arguments by name. */
export interface Call {
  entry: string;
  name: string;
  kind: 'call' | 'new' | 'static' | 'method';
  method?: string;
  args: string[];
}

/** What one call did. 'typed' and 'accepted' are fine; the rest are findings ('setup': the probe could not build an instance). */
export interface Result {
  outcome: 'accepted' | 'typed' | 'plain' | 'trap' | 'hang' | 'crash' | 'changed' | 'nan' | 'setup';
  detail?: string;
  /** Wall time of the call. */
  ms?: number;
}

/** The outcomes that break the guarantee "a typed error or a sane result". */
export const FINDINGS: ReadonlyArray<Result['outcome']> = ['plain', 'trap', 'hang', 'crash', 'changed', 'nan', 'setup'];

export interface SweepSettings {
  /** 'grid': every export × every junk first argument (inside npm test); 'campaign': also pairs and random argument lists. */
  mode: 'grid' | 'campaign';
  seed: number;
  /** Random argument lists per callable in campaign mode. */
  randomPerCallable?: number;
  /** A call with no answer after this long (sync: the process is killed) is a hang. */
  timeoutMs?: number;
  /** The junk first arguments of the grid (default: every value of JUNK). */
  first?: string[];
  /**
   * Grid only: junk pairs for callables declared with 2 or more parameters, each `first` value followed by
   * each `second` value (an options or logs argument of null or of the wrong type behind a plausible first one).
   */
  pairs?: { first: string[]; second: string[] };
  /** Only exports whose "<entry> <name>" matches. */
  only?: RegExp;
}

export interface SweepReport {
  calls: Array<Call & { result: Result }>;
  exports: number;
  callables: number;
  /** Public methods left out as engine contract, as "Class.method". */
  engineMethods: string[];
  ms: number;
}

/**
 * Argument lists for one callable. The grid: no argument, then each junk value as the only argument.
 * The campaign adds each junk value followed by each second junk value, and random lists of 1–4 junk values.
 */
function argumentLists(s: SweepSettings, salt: number, arity: number): string[][] {
  const lists = (s.first ?? FIRST).map((j) => [j]);
  if (s.mode === 'grid' && s.pairs && arity >= 2) for (const j of s.pairs.first) for (const k of s.pairs.second) lists.push([j, k]);
  if (s.mode === 'campaign') {
    for (const j of FIRST) for (const k of SECOND) lists.push([j, k]);
    const random = fc.array(fc.constantFrom(...Object.keys(JUNK)), { minLength: 1, maxLength: 4 });
    lists.push(...fc.sample(random, { numRuns: s.randomPerCallable ?? 40, seed: s.seed + salt }));
  }
  return lists;
}

/** Functions documented to return NaN for an input without a value to summarise ("NaN when there is none"). */
export const DOCUMENTED_NAN = ['geometricMean', 'percentile', 'percentiles'];

/** Helpers whose default options run a training experiment for minutes: their valid default call is skipped. */
export const LONG_WITH_DEFAULTS = ['longRangeExperiment', 'explodingExperiment', 'oneNeuronExperiment'];

/** The call plan: every callable of the surface with its argument lists (error classes are left out: any message is fine). */
export function planCalls(surface: ExportInfo[], runtime: Record<string, Record<string, unknown>>, s: SweepSettings): { calls: Call[]; callables: number } {
  const calls: Call[] = [];
  let callables = 0;
  const add = (c: Omit<Call, 'args'>, arity: number | undefined) => {
    callables++;
    for (const args of argumentLists(s, callables, arity ?? 0)) {
      // valid calls of long-running helpers (default options run a whole experiment) are not junk
      if (LONG_WITH_DEFAULTS.includes(c.name) && args.every((a) => a === 'undefined' || a === 'object')) continue;
      calls.push({ ...c, args });
    }
  };
  for (const x of surface) {
    if (s.only && !s.only.test(`${x.entry} ${x.name}`)) continue;
    const value = runtime[x.entry][x.name] as { prototype?: unknown };
    if (x.kind === 'function' && !x.engineFunction) add({ entry: x.entry, name: x.name, kind: 'call' }, x.arity.call);
    if (x.kind === 'value') for (const m of x.statics) add({ entry: x.entry, name: x.name, kind: 'static', method: m }, x.arity[`.${m}`]);
    if (x.kind !== 'class' || (value.prototype instanceof Error)) continue;
    if (!x.engineConstructor) add({ entry: x.entry, name: x.name, kind: 'new' }, x.arity.new);
    for (const m of x.statics) add({ entry: x.entry, name: x.name, kind: 'static', method: m }, x.arity[`.${m}`]);
    for (const m of x.methods) add({ entry: x.entry, name: x.name, kind: 'method', method: m }, x.arity[`#${m}`]);
  }
  return { calls, callables };
}

/** Runs the sweep; a child process runs the calls, restarted after a hang or a crash. */
export async function sweepExports(s: SweepSettings, root = '.'): Promise<SweepReport> {
  const t0 = performance.now();
  root = resolve(root);
  const surface = publicSurface(root);
  const modules: Record<string, string> = {};
  const runtime: Record<string, Record<string, unknown>> = {};
  for (const e of entryPoints(root)) {
    modules[e.entry] = resolve(e.module);
    runtime[e.entry] = await import(pathToFileURL(resolve(e.module)).href);
  }
  const { calls, callables } = planCalls(surface, runtime, s);
  const dir = mkdtempSync(join(tmpdir(), 'fused-rnn-sweep-'));
  const planFile = join(dir, 'plan.json');
  const timeoutMs = s.timeoutMs ?? 10_000;
  writeFileSync(planFile, JSON.stringify({ modules, calls, asyncTimeoutMs: timeoutMs, documentedNaN: DOCUMENTED_NAN }));
  const results: Result[] = new Array(calls.length);
  try {
    let start = 0;
    const exitHangs = { count: 0 };
    while (start < calls.length) start = await runChild(root, planFile, start, dir, timeoutMs, results, exitHangs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const engineMethods = surface.flatMap((x) => [...x.engineMethods.map((m) => `${x.name}.${m}`), ...(x.engineFunction ? [x.name] : []), ...(x.engineConstructor ? [`new ${x.name}`] : [])]);
  return { calls: calls.map((c, i) => ({ ...c, result: results[i] })), exports: surface.length, callables, engineMethods, ms: performance.now() - t0 };
}

/** How long the runner may take to start its next call after one ended (it only records the result). */
const BETWEEN_CALLS_MS = 30_000;
/** After a watchdog period runs out, how long it waits for messages already written before it kills. */
const WATCHDOG_GRACE_MS = 1000;

/**
 * One child process from `start`; resolves with the index to restart from (calls.length when done).
 * The protocol runs over the child's fd 3; its stdout/stderr (what callees print) are drained and the
 * stderr tail kept for reports. A watchdog kills the child when a call (or one awaited step of it) gives
 * no answer in time — a hang — or when no next call starts after one ended; it kills only after a grace
 * second without messages, so a hold-up of this process is not taken for a hang of the runner (the old
 * watchdog fired on wake-up before reading, with the last message an "end", and reported a crash "between
 * calls"). A death the watchdog did not cause is a crash, reported with the runner's last resident memory.
 * A runner killed after its last call ended (Node's shutdown hang) is run once more (`exitHangs` counts).
 */
function runChild(root: string, planFile: string, start: number, dir: string, timeoutMs: number, results: Result[], exitHangs: { count: number }): Promise<number> {
  return new Promise((done) => {
    const runner = fileURLToPath(new URL('./runner.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', runner, planFile, String(start), dir, root], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    let open = -1, lastEnded = -1, buffer = '', stderr = '', rss = 0;
    let killed: { call: number; between: boolean } | null = null;
    let watchdog: NodeJS.Timeout | undefined;
    const arm = (ms: number) => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        // Not yet: when this process itself was held up (a loaded machine, a paused VM), its timers run
        // before it reads what the runner wrote meanwhile. Any message read in the grace second re-arms.
        watchdog = setTimeout(() => {
          killed = { call: open >= 0 ? open : lastEnded, between: open < 0 };
          child.kill('SIGKILL');
        }, WATCHDOG_GRACE_MS);
      }, ms);
    };
    arm(60_000); // start-up: loading tsx, the package and the instances' kernels
    (child.stdio[3] as NodeJS.ReadableStream).setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const msg = JSON.parse(line) as { begin?: number; alive?: number; end?: number; result?: Result; rss?: number };
        // a call's steps each get the runner's own async timeout, which answers first; the watchdog is for sync hangs
        if (msg.begin !== undefined) { open = msg.begin; arm(timeoutMs + Math.min(5000, timeoutMs)); }
        if (msg.alive !== undefined && open >= 0) arm(timeoutMs + Math.min(5000, timeoutMs));
        if (msg.end !== undefined) { results[msg.end] = msg.result!; open = -1; lastEnded = msg.end; rss = msg.rss ?? rss; arm(BETWEEN_CALLS_MS); }
      }
    });
    child.stdout!.resume(); // what callees print: drained, never parsed
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr = (stderr + chunk).slice(-2000); });
    child.on('close', (code, signal) => {
      clearTimeout(watchdog);
      const k = killed as { call: number; between: boolean } | null;
      if (open < 0 && k === null && code === 0) return done(results.length);
      if (k !== null && k.between && lastEnded === results.length - 1) {
        // Every call of the plan had ended: the runner only had process.exit(0) left, so it hit Node's shutdown
        // hang (nodejs/node#54918), not a finding. test/helpers/child.ts's rule: run it once more (note); a
        // second time is the last call's hang finding.
        try {
          afterAttempt({ timedOut: true, complete: true, attempt: ++exitHangs.count, label: 'the export sweep runner', limitMs: BETWEEN_CALLS_MS, details: () => `stderr: ${stderr.trim().slice(-500)}` });
          return done(start);
        } catch (e) {
          results[lastEnded] = { outcome: 'hang', detail: (e as Error).message.split('\n')[0] };
          return done(results.length);
        }
      }
      // a death between calls: an asynchronous failure left behind by the call that ended last
      const at = k !== null ? k.call : open >= 0 ? open : lastEnded;
      if (at < 0) {
        // died (or stalled) before its first call: nothing to blame, so fail the whole run loudly
        for (let i = start; i < results.length; i++) results[i] = { outcome: 'crash', detail: `runner failed to start (code ${code}, ${signal}${k ? ', killed by the watchdog after 60 s' : ''}): ${stderr.slice(-500)}` };
        return done(results.length);
      }
      results[at] = k !== null
        ? { outcome: 'hang', detail: k.between ? `the runner started no next call within ${BETWEEN_CALLS_MS} ms after this one ended (process killed)` : `no answer in ${timeoutMs} ms (sync; process killed)` }
        : { outcome: 'crash', detail: `process exited (code ${code}, signal ${signal}; not killed by the sweep; runner RSS ${(rss / 2 ** 20).toFixed(0)} MB after the last call)${open < 0 ? ' between calls' : ''}: ${stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 300)}` };
      done(at + 1);
    });
  });
}

/** Label of a call for reports: `new CSVLogger(null, "junk")`, `Tokenizer#fitOnTexts(NaN)`. */
export function callLabel(c: Call): string {
  const prefix = c.entry === '.' ? '' : `${c.entry.slice(2)}:`;
  const head = c.kind === 'call' ? c.name : c.kind === 'new' ? `new ${c.name}` : c.kind === 'static' ? `${c.name}.${c.method}` : `${c.name}#${c.method}`;
  return `${prefix}${head}(${c.args.join(', ')})`;
}
