// The worker side of createPredictor({ worker: true }) (built as infer-worker.js next to the bundle): loads
// the model in the worker and answers the predictor's requests (src/infer/predictor.ts protocol).

import type { WorkerReply, WorkerRequest } from './predictor.js';
import { loadInferenceModel, type InferenceModel } from './model.js';
import type { ModelStream } from './stream.js';

type Post = (msg: WorkerReply, transfer: Transferable[]) => void;

async function start(): Promise<void> {
  let post: Post;
  let listen: (fn: (m: WorkerRequest) => void) => void;
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string' && typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope === 'undefined';
  if (isNode) {
    const { parentPort } = await import('node:worker_threads');
    post = (m, t) => parentPort!.postMessage(m, t as never);
    listen = (fn) => parentPort!.on('message', fn);
  } else {
    const scope = globalThis as unknown as { postMessage(m: unknown, t: Transferable[]): void; onmessage: ((e: MessageEvent) => void) | null };
    post = (m, t) => scope.postMessage(m, t);
    listen = (fn) => { scope.onmessage = (e) => fn(e.data as WorkerRequest); };
  }
  let model: InferenceModel | null = null;
  const streams = new Map<number, ModelStream>();
  let nextStream = 1;
  const need = () => { if (!model) throw new Error('predictor worker: no model loaded'); return model; };
  const stream = (id: unknown) => {
    const s = streams.get(id as number);
    if (!s) throw new Error(`predictor worker: no stream ${id}`);
    return s;
  };
  // Requests run one at a time in arrival order (a stream's steps must not interleave).
  let queue: Promise<void> = Promise.resolve();
  listen((req) => {
    queue = queue.then(async () => {
      try {
        const a = req.args;
        let result: unknown, transfer: Transferable[] = [];
        switch (req.op) {
          case 'load': model = await loadInferenceModel(a[0] as string, a[1] as object); break;
          case 'predict': { const p = await need().predict(a[0] as never, a[1] as never); result = p; transfer = [p.data.buffer]; break; }
          case 'stream': { const id = nextStream++; streams.set(id, need().stream(a[0] as never)); result = id; break; }
          case 'step': { const y = stream(a[0]).step(a[1] as never); result = y; transfer = [y.buffer]; break; }
          case 'stepMany': { const y = stream(a[0]).stepMany(a[1] as never); result = y; transfer = [y.data.buffer]; break; }
          case 'reset': stream(a[0]).reset(); break;
          case 'getState': result = stream(a[0]).state; break;
          case 'setState': stream(a[0]).state = a[1] as never; break;
          case 'disposeStream': stream(a[0]).dispose(); streams.delete(a[0] as number); break;
          default: throw new Error(`predictor worker: unknown request ${req.op}`);
        }
        post({ id: req.id, ok: true, result }, transfer);
      } catch (e) {
        const err = e as Error;
        post({ id: req.id, ok: false, error: { name: err.name ?? 'Error', message: err.message ?? String(e) } }, []);
      }
    });
  });
}

void start();
