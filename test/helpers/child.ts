// Running a node child process (the CLI, a script, a test file) from a test, robust to Node's own intermittent
// shutdown hang (nodejs/node#54918, also #64274 and #64560: the main thread joins V8 platform worker threads
// parked in a compile job and never exits, after the program printed everything and reached 'exit').
//
// The one rule (docs/decisions.md): a child killed by the timeout is run ONCE more, with a one-line note, only
// when its work was complete before the kill: it reached process 'exit' (test/helpers/exit-marker.mjs writes
// `exit <code>` to a pipe of its own), or its output already satisfies the caller's `complete` predicate. A
// hang before that (our code still running or keeping the event loop alive) and a second hang both fail, with
// the command line, how it ended and the tail of its output. The result of the run that ended is returned as
// is: wrong output or a wrong exit status still fails the caller's assertions. The marker's environment and
// the decision itself live in shutdown-hang.mjs (plain JS: scripts/run-tests.mjs uses them for test files).
import { spawn, type ChildProcess } from 'node:child_process';
import { ChildHangError, NODE_SHUTDOWN_HANG, afterAttempt, markerEnv, onExitMarker } from './shutdown-hang.mjs';

export { ChildHangError, NODE_SHUTDOWN_HANG, afterAttempt };

/** How to run a child: limits, input, environment, and what "complete" means for its output. */
export interface ChildOptions {
  /** Limit on one attempt from start to end, in ms (default 120 000: a loaded 2-core CI machine running test files side by side). */
  timeoutMs?: number;
  /** Once the child reached process 'exit' (the exit marker came), how long it may take to end before it counts as hung, in ms (default 30 000). */
  exitGraceMs?: number;
  /**
   * Output that is complete even if the exit marker never came (Node can also hang draining its platform
   * tasks just before 'exit'): e.g. "stderr is one `fused-rnn: ...` line". Only for output after which the
   * child has nothing left to do; asked once, when the timeout killed the child.
   */
  complete?: (out: { stdout: string; stderr: string }) => boolean;
  /** Written to the child's stdin, which is then closed (without it stdin is closed at once: EOF). */
  input?: string;
  /** The child's environment (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** The child's working directory. */
  cwd?: string;
  /** 'inherit': the child's stdout/stderr go to ours (then empty in the result, and `complete` sees nothing). Default 'pipe'. */
  output?: 'pipe' | 'inherit';
  /** How notes and failures name the command (default: the command line). */
  label?: string;
}

/** How a child ended: the run that was returned (the second one after a shutdown hang). */
export interface ChildResult {
  /** The command line, for messages. */
  command: string;
  /** Exit status, or null when a signal ended it. */
  status: number | null;
  /** The signal that ended it (only signals the child got from elsewhere: a timeout throws), or null. */
  signal: NodeJS.Signals | null;
  /** Everything the child wrote to stdout / stderr (empty with output: 'inherit'). */
  stdout: string;
  stderr: string;
  /** The spawn error (e.g. ENOENT), if the child could not start. */
  error?: Error;
  /** 1, or 2 when the first attempt hit the shutdown hang. */
  attempts: number;
  /** Wall time of the returned attempt, in ms. */
  ms: number;
}

interface Attempt extends Omit<ChildResult, 'attempts'> {
  timedOut: boolean;
  /** The exit code the child reported at process 'exit' (exit marker), or null when it never got there. */
  exitCode: number | null;
  /** Its work was complete: the exit marker came, or the caller's predicate held. */
  complete: boolean;
  /** The limit that killed it: the whole-run timeout or the exit grace. */
  limitMs: number;
}

const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a));
/** A printable command line (node for this Node); a long argument (a `-e` script) is shortened to its start and length. */
export function commandLine(command: string, args: string[]): string {
  const cmd = command === process.execPath ? 'node' : command;
  return [cmd, ...args].map((a) => (a.length > 100 ? `${quote(a.slice(0, 60))}…(${a.length} chars)` : quote(a))).join(' ');
}

const tail = (s: string, n = 1500) => (s.length > n ? `…${s.slice(-n)}` : s);
/** The command, how it ended and the tail of its stdout/stderr: the body of a failure message. */
export function describeChild(r: Pick<ChildResult, 'command' | 'status' | 'signal' | 'stdout' | 'stderr' | 'error' | 'ms'>): string {
  const how = r.error ? `failed to start: ${r.error.message}` : r.status !== null ? `exit status ${r.status}` : `killed by ${r.signal}`;
  return `${r.command}\n  ${how} after ${(r.ms / 1000).toFixed(1)} s\n  stdout: ${tail(r.stdout).trimEnd() || '(empty)'}\n  stderr: ${tail(r.stderr).trimEnd() || '(empty)'}`;
}

function attempt(command: string, args: string[], o: ChildOptions): Promise<Attempt> {
  const timeoutMs = o.timeoutMs ?? 120_000, graceMs = o.exitGraceMs ?? 30_000;
  const t0 = performance.now();
  const env = markerEnv(o.env ?? process.env);
  const out = o.output === 'inherit' ? 'inherit' : 'pipe';
  let child: ChildProcess;
  try {
    child = spawn(command, args, { cwd: o.cwd, env, stdio: ['pipe', out, out, 'pipe'] });
  } catch (error) {
    return Promise.resolve({ command: commandLine(command, args), status: null, signal: null, stdout: '', stderr: '', error: error as Error, ms: 0, timedOut: false, exitCode: null, complete: false, limitMs: timeoutMs });
  }
  return new Promise((resolve) => {
    let stdout = '', stderr = '', exitCode: number | null = null, timedOut = false, limitMs = timeoutMs;
    let error: Error | undefined, ended: { status: number | null; signal: NodeJS.Signals | null } | null = null;
    const kill = (ms: number) => { if (ended) return; timedOut = true; limitMs = ms; child.kill('SIGKILL'); };
    const deadline = setTimeout(() => kill(timeoutMs), timeoutMs);
    let grace: NodeJS.Timeout | undefined, drain: NodeJS.Timeout | undefined;
    child.stdout?.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
    child.stderr?.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
    onExitMarker(child.stdio[3] as NodeJS.ReadableStream, (code) => {
      exitCode = code;
      if (!ended) grace = setTimeout(() => kill(graceMs), graceMs); // its program is done: only Node's teardown is left
    });
    child.stdin!.on('error', () => {}); // a child that exits without reading its input: EPIPE is not a failure
    child.stdin!.end(o.input);
    child.on('error', (e) => { error = e; });
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(deadline);
      clearTimeout(grace);
      clearTimeout(drain);
      resolve({ command: commandLine(command, args), status: ended?.status ?? null, signal: ended?.signal ?? null, stdout, stderr, error, ms: performance.now() - t0,
        // killed by us, not ended by itself in the same instant (a status means it exited on its own)
        timedOut: timedOut && (ended?.status ?? null) === null, exitCode, limitMs,
        complete: exitCode !== null || (timedOut && (o.complete?.({ stdout, stderr }) ?? false)) });
    };
    // 'close' waits for the pipes too; a grandchild that kept them open must not hold the test: 5 s after the exit, stop reading.
    child.on('exit', (status, signal) => {
      ended = { status, signal };
      clearTimeout(grace);
      drain = setTimeout(() => { for (const s of child.stdio) s?.destroy(); finish(); }, 5000);
    });
    child.on('close', finish); // also after a spawn 'error' (ENOENT)
  });
}

/**
 * Runs `command args` to its end and returns how it ended (any exit status: the caller asserts). Killed by
 * `timeoutMs`, or by `exitGraceMs` after its work was complete: run once more with a note when that work was
 * complete (Node's shutdown hang), else a ChildHangError. Node children started through another program (npm,
 * a bin with a shebang) get the exit marker too (NODE_OPTIONS).
 */
export async function runChild(command: string, args: string[], options: ChildOptions = {}): Promise<ChildResult> {
  const label = options.label ?? commandLine(command, args);
  for (let n = 1; ; n++) {
    const a = await attempt(command, args, options);
    const details = () => describeChild(a) + (a.exitCode !== null ? `\n  (it reported exit code ${a.exitCode} at process 'exit')` : '');
    if (afterAttempt({ timedOut: a.timedOut, complete: a.complete, attempt: n, label, limitMs: a.limitMs, details }) === 'done') {
      const { timedOut: _t, exitCode: _e, complete: _c, limitMs: _l, ...r } = a;
      return { ...r, attempts: n };
    }
  }
}

/** runChild with this Node (process.execPath): `runNode(['dist/cli/fused-rnn.js', 'train', ...])`. */
export function runNode(args: string[], options: ChildOptions = {}): Promise<ChildResult> {
  return runChild(process.execPath, args, options);
}

/**
 * Stops a long-running child (a server) and waits until it is gone: SIGTERM, then SIGKILL when it has not
 * ended after `graceMs` (a server that hit Node's shutdown hang on its way out would otherwise keep this test
 * process alive: its ChildProcess handle holds the event loop).
 */
export function stopChild(child: ChildProcess | undefined, graceMs = 10_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      console.warn(`    note: a child (pid ${child.pid}) did not end within ${graceMs / 1000} s of SIGTERM (Node's shutdown hang, ${NODE_SHUTDOWN_HANG}?); SIGKILL`);
      child.kill('SIGKILL');
    }, graceMs);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.kill('SIGTERM');
  });
}
