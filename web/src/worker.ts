// The training worker: loads the kernels and the sentiment data, trains a text classifier with the library's
// task code (prepareText / trainTextClassifier), streams batch losses, validation accuracy and GradientMonitor
// rows of ‖dL/dh_t‖ to the page, stops after the current batch on request, predicts and exports the model.
// It imports the same library modules as the page (one shared esbuild chunk).
import { Callback, GradientMonitor, loadKernels, loadSentiment, loadSentimentGlove, saveModelToBytes, type Kernels, type Logs, type Sequential, type SentimentData, type WordVectors } from '../../src/index.js';
import { predictTexts, prepareText, trainTextClassifier, type PreparedText } from '../../src/tasks/text-classification.js';
import { encodeModelFile, type TextModelHeader } from './model-file.js';
import type { FromWorker, ToWorker, TrainConfig } from './protocol.js';
import { describeColumns, prepareUpload, readUpload, type UploadedTable } from './upload-data.js';

const scope = self as unknown as {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (e: MessageEvent<ToWorker>) => void): void;
};
const post = (m: FromWorker, transfer: Transferable[] = []) => scope.postMessage(m, transfer);

/** SIMD where the engine has it (every current browser), else the scalar build. */
const KERNEL_OPTIONS = { variant: 'auto' } as const;
/** The current run's kernels (their helper threads end when the next run starts). */
let runKernels: Kernels | null = null;
let dataBase = '';
let sentiment: Promise<SentimentData> | null = null;
let glove: Promise<WordVectors> | null = null;
let training = false;
let stopRequested = false;
let current: { model: Sequential; prepared: PreparedText; config: TrainConfig; testAccuracy: number; classes: string[]; dataName: string } | null = null;
let uploaded: UploadedTable | null = null;

const dataUrl = (file: string) => new URL(file, dataBase);
const loadData = () => (sentiment ??= loadSentiment({ source: dataUrl('sentiment.tsv') }));
const loadGlove = () => (glove ??= loadSentimentGlove({ source: dataUrl('glove.sentiment.100d.txt.gz') }));

/**
 * Lets queued messages (e.g. "stop") run between batches; fit() awaits callbacks, so training pauses here.
 * Nested timers are clamped to ≥ 4 ms, more than a small batch takes, so yield at most every 15 ms.
 */
let lastYield = 0;
const yieldToEvents = async (): Promise<void> => {
  if (performance.now() - lastYield < 15) return;
  await new Promise<void>((resolve) => setTimeout(resolve, 0));
  lastYield = performance.now();
};

/** Rows of the prepared data as fit() inputs (as in trainTextClassifier): class ids, or (n, K) multi-label targets. */
function rows(p: PreparedText, idx: Int32Array) {
  const T = p.maxlen, data = new Int32Array(idx.length * T);
  idx.forEach((r, i) => data.set(p.x.subarray(r * T, (r + 1) * T), i * T));
  const x = { data, shape: [idx.length, T] }, K = p.numClasses;
  if (p.targets) return { x, y: { data: Array.from(idx).flatMap((r) => Array.from(p.targets!.subarray(r * K, (r + 1) * K))), shape: [idx.length, K] } };
  return { x, y: { data: Array.from(idx, (r) => p.labels[r]), shape: [idx.length, 1] } };
}

/** Streams what the page draws: every batch's loss, validation accuracy every few batches, monitor rows. */
class LiveProgress extends Callback {
  private step = 0;
  private epoch = 0;
  private sentRecords = 0;
  private lossSteps: number[] = [];
  private losses: number[] = [];
  private accSteps: number[] = [];
  private acc: number[] = [];

  constructor(
    private readonly monitor: GradientMonitor,
    private readonly val: ReturnType<typeof rows>,
    private readonly batchSize: number,
    private readonly accEvery: number,
    private readonly postEvery: number,
  ) {
    super();
  }

  override onEpochBegin(epoch: number): void {
    this.epoch = epoch;
  }

  override async onBatchEnd(batch: number, logs: Logs = {}): Promise<void> {
    const step = ++this.step;
    this.lossSteps.push(step);
    this.losses.push(logs.loss ?? NaN);
    if (step % this.accEvery === 0) {
      // Same batch size as fit, so evaluate() reuses the training plan.
      const v = await this.model.evaluate(this.val.x, this.val.y, { batchSize: this.batchSize });
      this.accSteps.push(step);
      this.acc.push(v.accuracy);
    }
    if (step % this.postEvery === 0) this.flush(batch);
    await yieldToEvents();
    if (stopRequested) this.model.stopTraining = true;
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    this.flush(-1);
    post({ type: 'epoch', epoch, step: this.step, logs: { ...logs } });
  }

  get steps(): number {
    return this.step;
  }

  flush(batch: number): void {
    const records = this.monitor.records.slice(this.sentRecords);
    this.sentRecords = this.monitor.records.length;
    post({
      type: 'progress', epoch: this.epoch, batch, step: this.step,
      lossSteps: this.lossSteps, losses: this.losses, accSteps: this.accSteps, acc: this.acc,
      heatSteps: records.map((r) => r.step + 1), heatRows: records.map((r) => r.layers[0]?.dh ?? []),
    });
    this.lossSteps = []; this.losses = []; this.accSteps = []; this.acc = [];
  }
}

async function train(config: TrainConfig): Promise<void> {
  training = true;
  stopRequested = false;
  current = null;
  try {
    post({ type: 'status', text: 'loading data…' });
    const shaping = { maxlen: config.maxlen > 0 ? config.maxlen : undefined, seed: config.seed };
    let prepared: PreparedText, classes = ['negative', 'positive'], dataName = 'built-in sentences';
    if (config.upload) {
      if (!uploaded) throw new Error('choose a data file first');
      ({ prepared, classes } = prepareUpload(uploaded, config.upload, shaping));
      dataName = uploaded.name;
    } else {
      const data = await loadData();
      prepared = prepareText(data.texts, data.labels, shaping);
    }
    const vectors = config.embeddings === 'glove' ? await loadGlove() : null;
    // A fresh kernel instance (its own wasm memory) per run, so memory of earlier models is released. Threads:
    // one per core where the page is cross-origin isolated (npm run web sends COOP/COEP), else 1 with a warning;
    // this worker may block in Atomics.wait, the page's main thread could not (docs/performance.md).
    runKernels?.dispose();
    runKernels = null;
    const kernels: Kernels = await loadKernels({ ...KERNEL_OPTIONS, threads: 'auto' });
    runKernels = kernels;
    const batchesPerEpoch = Math.ceil(prepared.train.length / config.batchSize);
    const monitor = new GradientMonitor({ every: 1, spectralEvery: 0, updateRatios: false });
    const live = new LiveProgress(monitor, rows(prepared, prepared.validation), config.batchSize,
      Math.max(2, Math.round(batchesPerEpoch / 8)), 2);
    post({
      type: 'started', config, maxlen: prepared.maxlen, batchesPerEpoch, trainSize: prepared.train.length,
      layer: { simple: 'SimpleRNN', lstm: 'LSTM', gru: 'GRU' }[config.kind],
    });
    post({ type: 'status', text: 'training…' });
    const result = await trainTextClassifier(prepared, {
      kind: config.kind, vectors, embeddingDim: config.embeddings === 'glove' ? 100 : config.embeddingDim, units: config.units,
      epochs: config.epochs, batchSize: config.batchSize, learningRate: config.learningRate, seed: config.seed, kernels,
      callbacks: [monitor, live],
    });
    current = { model: result.model, prepared, config, testAccuracy: result.testAccuracy, classes, dataName };
    const ml = result.multiLabelReport;
    post({
      type: 'done',
      summary: {
        stopped: stopRequested, testAccuracy: result.testAccuracy, testLoss: result.testLoss, bestEpoch: result.bestEpoch,
        trainSeconds: result.trainSeconds, params: result.params, trainableParams: result.trainableParams, maxlen: prepared.maxlen,
        vocabularySize: prepared.tokenizer.vocabularySize, steps: live.steps, typeShare: result.coverage?.typeShare ?? null,
        classes, multiLabel: !!prepared.targets, microF1: ml?.micro.f1 ?? null, subsetAccuracy: ml?.subsetAccuracy ?? null,
        macroF1: result.report && classes.length > 2 ? result.report.macro.f1 : null, dataName, testSize: prepared.test.length,
      },
    });
  } finally {
    training = false;
  }
}

async function handle(m: ToWorker): Promise<void> {
  switch (m.type) {
    case 'init': {
      dataBase = m.dataBase;
      const [kernels, data] = await Promise.all([loadKernels(KERNEL_OPTIONS), loadData()]);
      post({ type: 'ready', backend: kernels.backend, sentences: data.texts.length, positives: data.labels.reduce((a, b) => a + b, 0) });
      return;
    }
    case 'train':
      if (training) throw new Error('a training run is already in progress');
      return train(m.config);
    case 'stop':
      stopRequested = true;
      return;
    case 'inspect': {
      if (training) throw new Error('wait for the training run to end before choosing another file');
      uploaded = null;
      const table = await readUpload(m.file);
      uploaded = table;
      post({ type: 'inspected', id: m.id, name: table.name, rows: table.rows.length, columns: describeColumns(table) });
      return;
    }
    case 'predict': {
      if (!current) throw new Error('no trained model yet');
      const p = await predictTexts(current.model, current.prepared.tokenizer, current.prepared.maxlen, m.texts);
      post({ type: 'prediction', id: m.id, probabilities: Array.from(p) });
      return;
    }
    case 'export': {
      if (!current) throw new Error('no trained model yet');
      const { config, prepared } = current;
      const header: TextModelHeader = {
        kind: 'text-classifier', tokenizer: prepared.tokenizer.toJSON(), maxlen: prepared.maxlen, classes: current.classes,
        ...(prepared.targets ? { multiLabel: true } : {}),
        info: {
          cell: config.kind, embeddings: config.embeddings, units: config.units, epochs: config.epochs,
          testAccuracy: current.testAccuracy, created: new Date().toISOString(), data: config.upload ? current.dataName : 'UCI Sentiment Labelled Sentences (data/sentiment.tsv)',
        },
      };
      const bytes = encodeModelFile(header, saveModelToBytes(current.model));
      const buffer = bytes.buffer as ArrayBuffer;
      post({ type: 'exported', id: m.id, bytes: buffer, fileName: `${config.upload ? 'upload' : 'sentiment'}-${config.kind}-${config.embeddings}.frnt` }, [buffer]);
      return;
    }
  }
}

scope.addEventListener('message', (e) => {
  const m = e.data;
  handle(m).catch((err: unknown) => {
    const error = err as Error;
    post({ type: 'error', id: 'id' in m ? m.id : undefined, message: `${error.name ?? 'Error'}: ${error.message ?? String(err)}` });
  });
});
