// Preloaded into node children by test/helpers/child.ts (NODE_OPTIONS=--import <this file>): when the child's
// main thread reaches process 'exit' (its program is done: the event loop drained or process.exit() was
// called), it writes one line `exit <code>` to the fd named by FUSED_RNN_EXIT_MARKER_FD (a pipe of its own,
// so stdout and stderr stay exactly the child's). What Node does after that (tearing down workers and the V8
// platform) is where its intermittent shutdown hang lives (nodejs/node#54918), so a child killed by a timeout
// after this line finished its work and hit that hang; one killed before it was still running (ours to fix).
// Plain .mjs: the child may run without tsx.
import { writeSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const fd = Number(process.env.FUSED_RNN_EXIT_MARKER_FD);
// Only the process the helper started: its own children (a CLI that spawns node, npm running a script) and
// its worker threads get an environment without the variable, so they never write into a descriptor that
// means something else to them.
delete process.env.FUSED_RNN_EXIT_MARKER_FD;
if (isMainThread && Number.isInteger(fd) && fd > 2) {
  process.on('exit', (code) => {
    try {
      writeSync(fd, `exit ${code}\n`);
    } catch {
      // the descriptor is not ours after all (closed, or the helper stopped reading): the marker is only a hint
    }
  });
}
