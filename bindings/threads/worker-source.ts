// The helper thread's program, as source text: started with `new Worker(source, { eval: true })` in Node and
// from a Blob URL in browsers, so it needs no file of its own next to the bundle (no bundler plugin, no
// path resolution; the same text in both). It must not reference anything outside itself.
//
// Protocol (control block: Int32Array over a SharedArrayBuffer, one lane of LANE_INTS per helper, then one
// barrier block, see pool.ts): the first message carries the compiled module, the shared memory, the control
// buffer, the helper's lane, its kernel scratch pointer, the names of the kernels it may run and the spin
// bounds; the helper instantiates the module over the shared memory, points its scratch at its own block
// and replies 'ready'. Then it waits for its lane's SEQ word to change (spinning up to `idleSpin` loads
// first, then Atomics.wait); every bump of SEQ is one job: kernel number FN and NARGS f64 args (at the
// lane's f64 offset). STEPS = 0: one call. STEPS = n > 0 (a stepped job): n calls with the step number
// k = 0..n-1 appended to the args, and between two calls the PARTIES threads of the job meet at the barrier
// (arrive() below, the same as pool.ts's). Then it stores SEQ into DONE (and notifies). FN = -1 ends the
// loop. A thrown error is reported as STATUS 1 with its message sent over postMessage; in a stepped job it
// also sets the barrier's ABORT word, so every thread skips the remaining calls but still meets at every
// barrier (nobody is left waiting). After every job the helper stores the milliseconds its kernel calls took
// (a stepped job: the calls only, not the barrier waits) as f64 in the lane's last slot (MS_F64), read by
// ThreadPool.shareMs: a dispatcher can move work away from a thread that ran slower (any row or unit split
// gives the same bits).

/** Words per helper lane in the control block: SEQ, DONE, FN, NARGS, STATUS, STEPS, PARTIES, then f64 arguments from word 8. */
export const LANE_INTS = 64;
/** Word indices inside a lane. */
export const SEQ = 0, DONE = 1, FN = 2, NARGS = 3, STATUS = 4, STEPS = 5, PARTIES = 6, ARGS_F64 = 4;
/** f64 slot of a lane holding the milliseconds of the helper's last share (its last slot). */
export const MS_F64 = LANE_INTS / 2 - 1;
/** Most arguments one kernel call may pass (f64 slots 4..30 of the lane; a stepped job's step number is one of them). */
export const MAX_ARGS = MS_F64 - ARGS_F64;
/** Words of the barrier block after the last lane: COUNT (arrivals), GEN (generation), WAITERS (in Atomics.wait), ABORT. */
export const BARRIER_INTS = 16;
export const COUNT = 0, GEN = 1, WAITERS = 2, ABORT = 3;

/**
 * The barrier of a stepped job (the same text runs in the helpers, inside WORKER_SOURCE): the last of
 * `parties` arrivals resets COUNT and bumps GEN; the others spin on GEN for up to `spin` loads, then sleep in
 * Atomics.wait (a core given to another process must not stall the step for a whole time slice of spinning).
 * The waker notifies only when someone sleeps: WAITERS is raised before the sleeper re-checks GEN inside
 * Atomics.wait, and GEN is bumped before the waker reads WAITERS (sequentially consistent atomics), so a
 * sleeper is either seen or sees the new GEN. `bar` is the block's first word.
 */
export function arrive(ctl: Int32Array, bar: number, parties: number, spin: number): void {
  const gen = Atomics.load(ctl, bar + 1);
  if (Atomics.add(ctl, bar, 1) === parties - 1) {
    Atomics.store(ctl, bar, 0);
    Atomics.add(ctl, bar + 1, 1);
    if (Atomics.load(ctl, bar + 2) > 0) Atomics.notify(ctl, bar + 1);
    return;
  }
  for (let i = 0; i < spin; i++) if (Atomics.load(ctl, bar + 1) !== gen) return;
  Atomics.add(ctl, bar + 2, 1);
  while (Atomics.load(ctl, bar + 1) === gen) Atomics.wait(ctl, bar + 1, gen);
  Atomics.sub(ctl, bar + 2, 1);
}

export const WORKER_SOURCE = `
'use strict';
const isNode = typeof process === 'object' && !!(process.versions && process.versions.node);
// (an eval worker is CommonJS unless the parent ran with --input-type=module: getBuiltinModule works in both)
const port = isNode ? (process.getBuiltinModule ? process.getBuiltinModule('node:worker_threads') : require('node:worker_threads')).parentPort : self;
// The barrier is the module's own arrive() (above), as source text: one definition for both sides.
const arrive = ${arrive.toString()};
function start(init) {
  const memory = init.memory;
  const instance = new WebAssembly.Instance(init.module, { env: { memory, abort() { throw new Error('wasm kernel assertion failed'); } } });
  const exports = instance.exports;
  if (init.scratch) exports.set_thread_scratch(init.scratch);
  const fns = init.names.map((n) => exports[n]);
  const ctl = new Int32Array(init.control);
  const f64 = new Float64Array(init.control);
  const base = init.lane * ${LANE_INTS};
  const argBase = (base >> 1) + ${ARGS_F64};
  const bar = init.barrier, idleSpin = init.idleSpin, barrierSpin = init.barrierSpin;
  // Read before saying ready: a job posted right after 'ready' must find SEQ changed from this value.
  let seen = Atomics.load(ctl, base + ${SEQ});
  port.postMessage('ready');
  const args = [];
  const fail = (e) => {
    ctl[base + ${STATUS}] = 1;
    port.postMessage({ error: String(e && e.message || e) });
  };
  for (;;) {
    // A job that follows soon after the last one (the next kernel of the same layer) is picked up without
    // the futex round trip of Atomics.wait (tens of microseconds on a loaded machine).
    for (let i = 0; i < idleSpin && Atomics.load(ctl, base + ${SEQ}) === seen; i++);
    if (Atomics.load(ctl, base + ${SEQ}) === seen) Atomics.wait(ctl, base + ${SEQ}, seen);
    const seq = Atomics.load(ctl, base + ${SEQ});
    if (seq === seen) continue;
    seen = seq;
    const fn = ctl[base + ${FN}];
    if (fn < 0) break;
    const n = ctl[base + ${NARGS}];
    const steps = ctl[base + ${STEPS}];
    args.length = n;
    for (let i = 0; i < n; i++) args[i] = f64[argBase + i];
    ctl[base + ${STATUS}] = 0;
    let ms = 0;
    if (steps === 0) {
      const t0 = performance.now();
      try {
        fns[fn].apply(null, args);
      } catch (e) {
        fail(e);
      }
      ms = performance.now() - t0;
    } else {
      const parties = ctl[base + ${PARTIES}];
      for (let k = 0; k < steps; k++) {
        if (k > 0) arrive(ctl, bar, parties, barrierSpin);
        if (Atomics.load(ctl, bar + ${ABORT}) !== 0) continue;
        args[n] = k;
        const t0 = performance.now();
        try {
          fns[fn].apply(null, args);
        } catch (e) {
          Atomics.store(ctl, bar + ${ABORT}, 1);
          fail(e);
        }
        ms += performance.now() - t0;
      }
    }
    f64[(base >> 1) + ${MS_F64}] = ms;
    Atomics.store(ctl, base + ${DONE}, seq);
    Atomics.notify(ctl, base + ${DONE});
  }
}
if (isNode) port.once('message', start);
else self.addEventListener('message', (e) => start(e.data), { once: true });
`;
