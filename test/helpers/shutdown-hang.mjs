// The shutdown-hang rule in plain JS, shared by test/helpers/child.ts (tests that run node children) and
// scripts/run-tests.mjs (which runs each test file as a node child, without tsx): the exit marker's
// environment, reading the marker, and the one decision after a child was killed. Declarations in
// shutdown-hang.d.mts; the why in docs/decisions.md ("one retry after Node's shutdown hang").
import { fileURLToPath, pathToFileURL } from 'node:url';

export const NODE_SHUTDOWN_HANG = 'nodejs/node#54918';

const MARKER = pathToFileURL(fileURLToPath(new URL('./exit-marker.mjs', import.meta.url))).href;

export class ChildHangError extends Error {
  constructor(message, attempts) {
    super(message);
    this.name = 'ChildHangError';
    this.attempts = attempts;
  }
}

export function markerEnv(env, fd = 3) {
  // through NODE_OPTIONS, so node started behind a shebang (npm, a bin) gets the preload too
  return { ...env, NODE_OPTIONS: `${env.NODE_OPTIONS ? `${env.NODE_OPTIONS} ` : ''}--import=${MARKER}`, FUSED_RNN_EXIT_MARKER_FD: String(fd) };
}

export function onExitMarker(stream, reached) {
  let text = '', seen = false;
  stream.setEncoding('utf8').on('data', (s) => {
    text += s;
    const m = /^exit (-?\d+)$/m.exec(text);
    if (m && !seen) {
      seen = true;
      reached(Number(m[1]));
    }
  });
}

export function afterAttempt(a) {
  if (!a.timedOut) return 'done';
  const limit = `${(a.limitMs / 1000).toFixed(a.limitMs < 10_000 ? 1 : 0)} s`;
  if (!a.complete) throw new ChildHangError(`${a.label}: hung, killed after ${limit} before its work was complete (no exit marker, output incomplete): not Node's shutdown hang\n${a.details()}`, a.attempt);
  if (a.attempt > 1) throw new ChildHangError(`${a.label}: did not exit within ${limit} after completing its work, twice in a row (Node's shutdown hang ${NODE_SHUTDOWN_HANG} happens once in many runs; twice is ours)\n${a.details()}`, a.attempt);
  console.warn(`    note: \`${a.label}\` completed its work but did not exit within ${limit} (Node's shutdown hang, ${NODE_SHUTDOWN_HANG}); running it once more`);
  return 'retry';
}
