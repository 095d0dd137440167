// Valid instances of the exported classes, so that the export sweep can call their public methods with
// junk: one factory per class whose constructor needs arguments (the rest are built with no arguments).
// Every factory makes a fresh, small object; models share one Kernels and are built and compiled.
import { writeFileSync } from 'node:fs';

type Mod = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The entry modules by package subpath (".", "./infer", ...), loaded from dist/. */
export type Entries = Record<string, Mod>;

/** Makes a built, compiled Sequential (ids → Embedding → LSTM → Dense sigmoid) on the shared kernels. */
async function smallModel(m: Mod, kernels: unknown): Promise<Mod> {
  const model = new m.Sequential([new m.Embedding({ inputDim: 10, outputDim: 3 }), new m.LSTM({ units: 4 }), new m.Dense({ units: 1, activation: 'sigmoid' })], { kernels, seed: 1 });
  model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  await model.predict([[1, 2, 3]]);
  return model;
}

/** Factories by `<entry> <class>`; a missing one means `new C()`. */
export function factories(e: Entries, dir: string): Record<string, () => Promise<unknown>> {
  const m = e['.'];
  let kernels: unknown;
  const k = async () => (kernels ??= await m.loadKernels({ initialBytes: 1 << 20 }));
  const checkpointBytes = async () => m.saveModelToBytes(await smallModel(m, await k()));
  return {
    'Arena': async () => new m.Arena({ initialBytes: 1 << 16, maximumBytes: 1 << 24 }), // a small maximum: huge requests fail fast
    'Bidirectional': async () => new m.Bidirectional({ layer: new m.LSTM({ units: 2 }) }),
    'CSVLogger': async () => new m.CSVLogger(`${dir}/log.csv`),
    'Conv1D': async () => new m.Conv1D({ filters: 2, kernelSize: 2 }),
    'CosineDecay': async () => new m.CosineDecay({ initialLearningRate: 0.1, decaySteps: 10 }),
    'Dense': async () => new m.Dense({ units: 2 }),
    'Dropout': async () => new m.Dropout({ rate: 0.5 }),
    'Embedding': async () => new m.Embedding({ inputDim: 10, outputDim: 3 }),
    'ExponentialDecay': async () => new m.ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.9 }),
    'FunctionCallback': async () => new m.FunctionCallback({}),
    'GRU': async () => new m.GRU({ units: 2 }),
    'InverseTimeDecay': async () => new m.InverseTimeDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 }),
    'LSTM': async () => new m.LSTM({ units: 2 }),
    'LabelEncoder': async () => m.LabelEncoder.fit(['a', 'b', 'a']),
    'MultiLabelBinarizer': async () => m.MultiLabelBinarizer.fit([['a', 'b'], ['b'], ['c']]),
    'Layer': async () => new m.Dense({ units: 2 }),
    'LearningRateSchedule': async () => new m.ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.9 }),
    'LearningRateScheduler': async () => new m.LearningRateScheduler((_epoch: number, lr: number) => lr),
    'LineSplitter': async () => new m.LineSplitter('lines', () => undefined),
    'Model': async () => {
      const input = m.Input({ shape: [3, 2] });
      const out = new m.Dense({ units: 1 }).apply(new m.LSTM({ units: 2 }).apply(input));
      const model = new m.Model({ inputs: input, outputs: out, kernels: await k(), seed: 1 });
      model.compile({ optimizer: 'sgd', loss: 'mse' });
      await model.predict([[[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]]);
      return model;
    },
    'ModelCheckpoint': async () => new m.ModelCheckpoint({ filepath: `${dir}/ckpt.frnn` }),
    'Optimizer': async () => new m.SGD(),
    'PiecewiseConstantDecay': async () => new m.PiecewiseConstantDecay({ boundaries: [10], values: [0.1, 0.01] }),
    'Random': async () => new m.Random(7),
    'Recurrent': async () => new m.SimpleRNN({ units: 2 }),
    'RepeatVector': async () => new m.RepeatVector({ n: 2 }),
    'Residual': async () => new m.Residual({ layer: new m.Dense({ units: 2 }) }),
    'Sequential': async () => smallModel(m, await k()),
    'SimpleRNN': async () => new m.SimpleRNN({ units: 2 }),
    'SymbolicTensor': async () => m.Input({ shape: [3] }),
    'TextFileDataset': async () => {
      writeFileSync(`${dir}/data.tsv`, ['text\tlabel', ...Array.from({ length: 12 }, (_, i) => `word ${i % 3} text\t${i % 2 ? 'pos' : 'neg'}`)].join('\n'));
      return m.TextFileDataset.scan(`${dir}/data.tsv`, { batchSize: 4 });
    },
    'TimeDistributed': async () => new m.TimeDistributed({ layer: new m.Dense({ units: 2 }) }),
    'Tokenizer': async () => new m.Tokenizer().fitOnTexts(['a b c', 'b c d']),
    'WordVectors': async () => m.parseWordVectors('a 1 2\nb 3 4'),
    // ./infer: a loaded inference model of the small Sequential, and a stream over it.
    './infer InferenceModel': async () => e['./infer'].loadInferenceModel(await checkpointBytes()),
    './infer ModelStream': async () => (await e['./infer'].loadInferenceModel(await checkpointBytes())).stream(),
  };
}

/** A model (Sequential or functional) whose weights a rejected call must leave unchanged. */
export function weightsOf(x: unknown): Float32Array[] | null {
  const model = x as { getWeights?: () => Array<{ data: Float32Array }>; layers?: unknown };
  if (typeof model?.getWeights !== 'function' || !model.layers) return null;
  try {
    return model.getWeights().map((w) => w.data.slice());
  } catch {
    return null;
  }
}
