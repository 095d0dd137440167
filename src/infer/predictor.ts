// createPredictor: one async predict / stream interface, in the calling thread or off it (a Web Worker in
// browsers, a worker_threads Worker in Node) so a page stays responsive while a model runs. The worker
// loads the model itself (src/infer/worker-main.ts, built next to the bundle as infer-worker.js); only
// inputs, outputs and states cross the thread boundary (Float32Arrays, transferred where possible).

import { checkOptions } from '../options/schema.js';
import { FusedRnnError } from '../../bindings/errors.js';
import { ConfigError } from '../errors.js';
import type { DataInput } from '../model/data.js';
import type { InferSource } from './checkpoint.js';
import { loadInferenceModel, type InferModelOptions, type InferPrediction } from './model.js';
import type { InferStreamOptions, ModelStream, StreamLayerState } from './stream.js';

/** Options of createPredictor. */
export interface PredictorOptions extends Omit<InferModelOptions, 'kernels' | 'wasm'> {
  /** Run the model in a worker (Web Worker / worker thread) instead of the calling thread. Default false. */
  worker?: boolean;
  /** The worker script (default: infer-worker.js next to the fused-rnn/infer bundle). */
  workerUrl?: string | URL;
}

/** A stream behind the async interface: the same operations as ModelStream, each returning a Promise. */
export interface AsyncStream {
  /** One step: (B) ids or (B, D) floats → the output at t, (B, C). */
  step(xt: DataInput): Promise<Float32Array>;
  /** Tc steps: (B, Tc) ids or (B, Tc, D) floats → (B, Tc, C). */
  stepMany(chunk: DataInput): Promise<{ data: Float32Array; shape: number[] }>;
  /** Zeroes the state. */
  reset(): Promise<void>;
  /** Copies of the recurrent states. */
  getState(): Promise<StreamLayerState[]>;
  /** Restores states taken by getState (same layers and shapes). */
  setState(state: StreamLayerState[]): Promise<void>;
  /** Releases the stream. */
  dispose(): Promise<void>;
}

/** A model behind an async interface, in this thread or in a worker. */
export interface Predictor {
  /** Whether the model runs in a worker. */
  readonly inWorker: boolean;
  /** As InferenceModel.predict. */
  predict(x: DataInput, options?: { batchSize?: number }): Promise<InferPrediction>;
  /** As InferenceModel.stream, with async steps. */
  stream(options?: InferStreamOptions): Promise<AsyncStream>;
  /** Ends the worker (or drops the in-thread model). */
  dispose(): Promise<void>;
}

/** Loads a checkpoint into a Predictor: in the calling thread, or with { worker: true } in a worker. */
export async function createPredictor(source: InferSource, options: PredictorOptions = {}): Promise<Predictor> {
  checkOptions('createPredictor', options); // issue 16: null or non-object options are an OptionError
  if (!options.worker) return localPredictor(source, options);
  return workerPredictor(source, options);
}

async function localPredictor(source: InferSource, options: PredictorOptions): Promise<Predictor> {
  const model = await loadInferenceModel(source, options);
  let gone = false;
  const live = () => { if (gone) throw new ConfigError('predictor: this predictor was disposed'); };
  const wrap = (s: ModelStream): AsyncStream => ({
    step: async (xt) => s.step(xt),
    stepMany: async (c) => s.stepMany(c),
    reset: async () => s.reset(),
    getState: async () => s.state,
    setState: async (v) => { s.state = v; },
    dispose: async () => s.dispose(),
  });
  return {
    inWorker: false,
    predict: async (x, o) => { live(); return model.predict(x, o); },
    stream: async (o) => { live(); return wrap(model.stream(o)); },
    dispose: async () => { gone = true; model.dispose(); }, // ends helper threads ({ threads }) it started
  };
}

/** The messages of the worker protocol. */
export interface WorkerRequest { id: number; op: string; args: unknown[] }
/** A worker's reply: the result, or the error's class name and message. */
export interface WorkerReply { id: number; ok: boolean; result?: unknown; error?: { name: string; message: string } }

interface Endpoint {
  post(msg: WorkerRequest, transfer: Transferable[]): void;
  terminate(): Promise<void>;
  /** Node: keep the process alive only while requests are pending (an idle predictor does not hold it). */
  busy(pending: boolean): void;
}

async function openWorker(url: URL | string, onMessage: (r: WorkerReply) => void, onError: (e: Error) => void): Promise<Endpoint> {
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  if (isNode && typeof globalThis.Worker === 'undefined') {
    const { Worker } = await import('node:worker_threads');
    const w = new Worker(url instanceof URL ? url : new URL(url));
    w.on('message', onMessage);
    w.on('error', onError);
    w.unref();
    return { post: (m, t) => w.postMessage(m, t as never), terminate: async () => { await w.terminate(); }, busy: (b) => (b ? w.ref() : w.unref()) };
  }
  const w = new Worker(url, { type: 'module' });
  w.onmessage = (e: MessageEvent) => onMessage(e.data as WorkerReply);
  w.onerror = (e: ErrorEvent) => onError(new FusedRnnError(`predictor worker failed: ${e.message}`));
  return { post: (m, t) => w.postMessage(m, t), terminate: async () => w.terminate(), busy: () => {} };
}

async function workerPredictor(source: InferSource, options: PredictorOptions): Promise<Predictor> {
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 1;
  const failAll = (e: Error) => { for (const p of pending.values()) p.reject(e); pending.clear(); ep?.busy(false); };
  const url = options.workerUrl ?? new URL('./infer-worker.js', import.meta.url);
  let ep: Endpoint | undefined = undefined;
  const endpoint = await openWorker(url, (r) => {
    const p = pending.get(r.id);
    if (!p) return;
    pending.delete(r.id);
    if (pending.size === 0) ep?.busy(false);
    if (r.ok) p.resolve(r.result);
    else {
      const e = new FusedRnnError(r.error!.message);
      e.name = r.error!.name;
      p.reject(e);
    }
  }, failAll);
  ep = endpoint;
  let disposed = false;
  const call = <T>(op: string, args: unknown[] = [], transfer: Transferable[] = []): Promise<T> => new Promise((resolve, reject) => {
    if (disposed) { reject(new ConfigError('predictor: this predictor was disposed')); return; }
    const id = next++;
    if (pending.size === 0) endpoint.busy(true);
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    endpoint.post({ id, op, args }, transfer);
  });
  // What crosses: a path or URL string, or the checkpoint's bytes (a Response is read here first).
  let src: unknown = source;
  if (typeof Response !== 'undefined' && source instanceof Response) src = new Uint8Array(await source.arrayBuffer());
  else if (source instanceof URL) src = source.href;
  else if (ArrayBuffer.isView(source)) src = new Uint8Array(source.buffer, source.byteOffset, source.byteLength).slice();
  const { worker: _w, workerUrl: _u, ...modelOptions } = options;
  await call('load', [src, modelOptions]);
  const stream = async (o?: InferStreamOptions): Promise<AsyncStream> => {
    const sid = await call<number>('stream', [o ?? {}]);
    return {
      step: (xt) => call('step', [sid, xt]),
      stepMany: (c) => call('stepMany', [sid, c]),
      reset: () => call('reset', [sid]),
      getState: () => call('getState', [sid]),
      setState: (v) => call('setState', [sid, v]),
      dispose: () => call('disposeStream', [sid]),
    };
  };
  return {
    inWorker: true,
    predict: (x, o) => call('predict', [x, o ?? {}]),
    stream,
    dispose: async () => { disposed = true; failAll(new ConfigError('predictor: this predictor was disposed')); await endpoint.terminate(); },
  };
}
