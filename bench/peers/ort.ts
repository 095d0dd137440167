// onnxruntime-node (native CPU EP) and onnxruntime-web (wasm SIMD EP) behind one small interface, single
// threaded (intra-op and inter-op 1; env.wasm.numThreads = 1, or `threads` for the web 2-thread cell), graph
// optimisation 'all'. Imported lazily so a
// process loads only the runtime it measures.
import { peerImport, peerRequire, type Untyped } from './peer-import.js';

export type OrtName = 'ort-node' | 'ort-web';

export interface OrtSession {
  /** Runs the model on batch-major x of `shape`; returns output "y" as a copy. */
  run(x: Float32Array, shape: number[]): Promise<Float32Array>;
  release(): Promise<void>;
}

export interface OrtRuntime {
  version: string;
  create(model: Uint8Array): Promise<OrtSession>;
}

/** `threads`: onnxruntime-web's env.wasm.numThreads (its own worker pool); onnxruntime-node stays at 1. */
export async function loadOrt(name: OrtName, threads = 1): Promise<OrtRuntime> {
  let ort: Untyped;
  if (name === 'ort-node') {
    ort = peerRequire('onnxruntime-node');
  } else {
    const mod = await peerImport('onnxruntime-web');
    ort = mod.InferenceSession ? mod : mod.default;
    ort.env.wasm.numThreads = threads;
  }
  const options = {
    executionProviders: [name === 'ort-node' ? 'cpu' : 'wasm'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all' as const,
  };
  return {
    version: ort.env.versions?.common ?? 'unknown',
    async create(model: Uint8Array) {
      const session = await ort.InferenceSession.create(model, options);
      return {
        async run(x: Float32Array, shape: number[]) {
          const out = await session.run({ x: new ort.Tensor('float32', x, shape) });
          return Float32Array.from(out.y.data as Float32Array);
        },
        release: () => session.release(),
      };
    },
  };
}
