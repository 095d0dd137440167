// The helper thread's program, as source text: started with `new Worker(source, { eval: true })` in Node and
// from a Blob URL in browsers, so it needs no file of its own next to the bundle (no bundler plugin, no
// path resolution; the same text in both). It must not reference anything outside itself.
//
// Protocol (control block: Int32Array over a SharedArrayBuffer, one lane of LANE_INTS per helper, see
// pool.ts): the first message carries the compiled module, the shared memory, the control buffer, the
// helper's lane, its kernel scratch pointer and the names of the kernels it may run; the helper instantiates
// the module over the shared memory, points its scratch at its own block and replies 'ready'. Then it blocks
// in Atomics.wait on its lane's SEQ word; every bump of SEQ is one job: kernel number FN and NARGS f64 args
// (at the lane's f64 offset). It runs the kernel and stores SEQ into DONE (then notifies). FN = -1 ends the
// loop. A thrown error is reported as STATUS 1 with its message sent over postMessage.

/** Words per helper lane in the control block: SEQ, DONE, FN, NARGS, STATUS, then f64 arguments from word 8. */
export const LANE_INTS = 64;
/** Word indices inside a lane. */
export const SEQ = 0, DONE = 1, FN = 2, NARGS = 3, STATUS = 4, ARGS_F64 = 4;
/** Most arguments one kernel call may pass (f64 slots 4..31 of the lane). */
export const MAX_ARGS = LANE_INTS / 2 - ARGS_F64;

export const WORKER_SOURCE = `
'use strict';
const isNode = typeof process === 'object' && !!(process.versions && process.versions.node);
// (an eval worker is CommonJS unless the parent ran with --input-type=module: getBuiltinModule works in both)
const port = isNode ? (process.getBuiltinModule ? process.getBuiltinModule('node:worker_threads') : require('node:worker_threads')).parentPort : self;
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
  // Read before saying ready: a job posted right after 'ready' must find SEQ changed from this value.
  let seen = Atomics.load(ctl, base + ${SEQ});
  port.postMessage('ready');
  const args = [];
  for (;;) {
    Atomics.wait(ctl, base + ${SEQ}, seen);
    const seq = Atomics.load(ctl, base + ${SEQ});
    if (seq === seen) continue;
    seen = seq;
    const fn = ctl[base + ${FN}];
    if (fn < 0) break;
    const n = ctl[base + ${NARGS}];
    args.length = n;
    for (let i = 0; i < n; i++) args[i] = f64[argBase + i];
    try {
      fns[fn].apply(null, args);
      ctl[base + ${STATUS}] = 0;
    } catch (e) {
      ctl[base + ${STATUS}] = 1;
      port.postMessage({ error: String(e && e.message || e) });
    }
    Atomics.store(ctl, base + ${DONE}, seq);
    Atomics.notify(ctl, base + ${DONE});
  }
}
if (isNode) port.once('message', start);
else self.addEventListener('message', (e) => start(e.data), { once: true });
`;
