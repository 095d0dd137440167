// Messages between the page (main.ts) and the training worker (worker.ts). Plain structured-clone data.

export type CellKind = 'simple' | 'lstm' | 'gru';
export type EmbeddingKind = 'glove' | 'random';

export interface TrainConfig {
  kind: CellKind;
  embeddings: EmbeddingKind;
  /** Embedding width for random embeddings (GloVe is 100). */
  embeddingDim: number;
  units: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** T; 0 = the 95th percentile of the training texts' token counts. */
  maxlen: number;
  seed: number;
  /** Where data/sentiment.tsv and data/glove.sentiment.100d.txt.gz are served (absolute URL of the folder). */
  dataBase: string;
  /** Train on the uploaded file (inspected before) instead of the built-in sentences; null: built in. */
  upload?: UploadChoice | null;
}

/** Which columns of the uploaded file to train on. */
export interface UploadChoice {
  textColumn: string;
  labelColumn: string;
  /** Multi-label: the string joining the labels of one cell; null: one label per text. */
  separator: string | null;
}

/** One column of an uploaded file, for the pickers. */
export interface ColumnInfo {
  name: string;
  /** Distinct values (1001 = more than 1,000). */
  distinct: number;
  examples: string[];
  meanLength: number;
}

export type ToWorker =
  | { type: 'init'; dataBase: string }
  | { type: 'train'; config: TrainConfig }
  | { type: 'inspect'; id: number; file: File }
  | { type: 'stop' }
  | { type: 'predict'; id: number; texts: string[] }
  | { type: 'export'; id: number };

export interface TrainSummary {
  stopped: boolean;
  testAccuracy: number;
  testLoss: number;
  bestEpoch: number;
  trainSeconds: number;
  params: number;
  trainableParams: number;
  maxlen: number;
  vocabularySize: number;
  steps: number;
  /** GloVe coverage of the tokenizer's word types, or null for random embeddings. */
  typeShare: number | null;
  /** Label of each class (output order) and whether the model is multi-label. */
  classes: string[];
  multiLabel: boolean;
  /** Multi-label: test micro F1 and subset accuracy; multi-class: macro F1; else null. */
  microF1: number | null;
  subsetAccuracy: number | null;
  macroF1: number | null;
  /** What was trained on: "built-in sentences" or the file name. */
  dataName: string;
  testSize: number;
}

export type FromWorker =
  | { type: 'ready'; backend: string; sentences: number; positives: number }
  | { type: 'status'; text: string }
  | { type: 'started'; config: TrainConfig; maxlen: number; batchesPerEpoch: number; trainSize: number; layer: string }
  | {
      type: 'progress';
      epoch: number;
      batch: number;
      step: number;
      /** New (step, loss) pairs since the last message. */
      lossSteps: number[];
      losses: number[];
      /** New validation-accuracy measurements (every few batches). */
      accSteps: number[];
      acc: number[];
      /** New rows of ‖dL/dh_t‖ (t = 1..T) of the recurrent layer, with their training steps. */
      heatSteps: number[];
      heatRows: number[][];
    }
  | { type: 'epoch'; epoch: number; step: number; logs: Record<string, number> }
  | { type: 'done'; summary: TrainSummary }
  | { type: 'prediction'; id: number; probabilities: number[] }
  | { type: 'inspected'; id: number; name: string; rows: number; columns: ColumnInfo[] }
  | { type: 'exported'; id: number; bytes: ArrayBuffer; fileName: string }
  | { type: 'error'; id?: number; message: string };
