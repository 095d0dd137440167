// The 20-step training trajectory the determinism tests pin (test/model.test.ts for the SIMD build,
// test/relaxed-variant.test.ts for the relaxed-SIMD build): Embedding → LSTM(13, dropout) → Dropout → Dense,
// Adam, 2 epochs of 10 batches on a seeded first-token task.
import { Dense, Dropout, Embedding, LSTM, Sequential, type Kernels } from '../../src/index.js';
import { firstTokenTask } from './tasks.js';

/** The per-batch losses (20) and the final weights of one seeded run on `kernels`. */
export async function lstmTrajectory(kernels: Kernels, seed: number): Promise<{ losses: number[]; weights: Float32Array[] }> {
  const { x, y } = firstTokenTask(200, 12, 20, 8);
  const m = new Sequential([new Embedding({ inputDim: 20, outputDim: 8 }), new LSTM({ units: 13, dropout: 0.1 }), new Dropout({ rate: 0.3 }), new Dense({ units: 1, activation: 'sigmoid' })], { seed, kernels });
  m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
  const losses: number[] = [];
  await m.fit(x, y, { epochs: 2, batchSize: 20, callbacks: [{ onBatchEnd: (_b, logs) => { losses.push(logs!.loss); } }] });
  return { losses, weights: m.getWeights().map((w) => w.data) };
}

/** The committed trajectory of the relaxed-SIMD build (written only by test/golden/generate-relaxed.ts). */
export const RELAXED_GOLDEN = 'test/golden/lstm-trajectory-relaxed.json';
