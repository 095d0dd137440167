// The page: form → worker (training), live charts (lossCurve, accuracyChart, gradientHeatmap), prediction
// (in the worker for a model trained here, on this main thread for a loaded file), model download/upload,
// and the one-neuron linear RNN toy. Everything a test needs is mirrored in window.__fusedRnnState.
import { gradientHeatmap, gradientNormChart, linearRnn, loadKernels, loadModel, lossCurve, Tokenizer, type Kernels, type Sequential } from '../../src/index.js';
import { formatNumber } from '../../src/diagnostics/format.js';
import { predictTexts } from '../../src/tasks/text-classification.js';
import { accuracyChart } from './accuracy-chart.js';
import { decodeModelFile } from './model-file.js';
import type { CellKind, EmbeddingKind, FromWorker, ToWorker, TrainConfig, TrainSummary } from './protocol.js';
import { setupUpload, type UploadState } from './upload-picker.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

/** What the page shows, as plain data (read by test/web.test.ts). */
const state = {
  ready: false,
  backend: '',
  phase: 'idle' as 'idle' | 'training' | 'done' | 'error',
  config: null as TrainConfig | null,
  maxlen: 0,
  batchesPerEpoch: 0,
  lossSteps: [] as number[],
  losses: [] as number[],
  accSteps: [] as number[],
  acc: [] as number[],
  epochs: [] as Array<{ epoch: number; step: number; logs: Record<string, number> }>,
  heatSteps: [] as number[],
  heatRows: [] as number[][],
  heatmapDraws: 0,
  summary: null as TrainSummary | null,
  /** Which model Predict uses: the one trained in the worker, or one loaded from a file (main thread). */
  modelSource: null as null | 'worker' | 'file',
  predictions: [] as Array<{ source: 'worker' | 'file'; text: string; probability: number; label: string; probabilities: number[] }>,
  /** The uploaded data file (its columns), or null for the built-in sentences. */
  upload: null as UploadState | null,
  loadedFile: null as null | { name: string; bytes: number; maxlen: number; layers: string[] },
  downloads: 0,
  toy: { w: 1, T: 1000, y: 1, dLdw: 1000, dh1: 1, verdict: '', updates: 0 },
  /** requestAnimationFrame callbacks run (advances while the page is responsive). */
  frames: 0,
  errors: [] as string[],
};
(window as unknown as { __fusedRnnState: typeof state }).__fusedRnnState = state;

const frame = () => { state.frames++; requestAnimationFrame(frame); };
requestAnimationFrame(frame);

const status = (text: string, error = false) => {
  const s = $('status');
  s.textContent = text;
  s.classList.toggle('error', error);
};
const fail = (message: string) => {
  state.errors.push(message);
  status(message, true);
};

// ---------------------------------------------------------------------------------------------- worker
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'fused-rnn-training' });
const send = (m: ToWorker) => worker.postMessage(m);
const dataBase = new URL('../../data/', location.href).href; // the repo's data/ folder (page at /web/dist/)
let requestId = 0;
const pending = new Map<number, { resolve: (m: FromWorker) => void; reject: (e: Error) => void }>();
function request(m: ToWorker & { id: number }): Promise<FromWorker> {
  return new Promise((resolve, reject) => {
    pending.set(m.id, { resolve, reject });
    send(m);
  });
}

worker.addEventListener('error', (e) => fail(`worker failed: ${e.message || 'could not start'}`));
worker.addEventListener('message', (e: MessageEvent<FromWorker>) => {
  const m = e.data;
  switch (m.type) {
    case 'ready':
      state.ready = true;
      state.backend = m.backend;
      $('backend').textContent = `kernels: ${m.backend}`;
      status(`ready: ${m.sentences} sentences (${m.positives} positive); kernels ${m.backend} in a Web Worker`);
      $<HTMLButtonElement>('train').disabled = false;
      break;
    case 'status':
      status(m.text);
      break;
    case 'started':
      state.maxlen = m.maxlen;
      state.batchesPerEpoch = m.batchesPerEpoch;
      $('progress').textContent = `${m.layer}: ${m.trainSize} training sentences, T = ${m.maxlen}, ${m.batchesPerEpoch} batches per epoch`;
      break;
    case 'progress':
      state.lossSteps.push(...m.lossSteps);
      state.losses.push(...m.losses);
      state.accSteps.push(...m.accSteps);
      state.acc.push(...m.acc);
      state.heatSteps.push(...m.heatSteps);
      state.heatRows.push(...m.heatRows);
      showProgress(m.epoch, m.step);
      scheduleCharts();
      break;
    case 'epoch':
      state.epochs.push({ epoch: m.epoch, step: m.step, logs: m.logs });
      scheduleCharts();
      break;
    case 'done':
      state.summary = m.summary;
      state.phase = 'done';
      state.modelSource = 'worker';
      trainingControls(false);
      $<HTMLButtonElement>('predict').disabled = false;
      $<HTMLButtonElement>('download').disabled = false;
      drawCharts();
      showDone(m.summary);
      break;
    case 'prediction':
    case 'inspected':
    case 'exported':
      pending.get(m.id)?.resolve(m);
      pending.delete(m.id);
      break;
    case 'error':
      if (m.id !== undefined && pending.has(m.id)) {
        pending.get(m.id)!.reject(new Error(m.message));
        pending.delete(m.id);
      } else {
        if (state.phase === 'training') { state.phase = 'error'; trainingControls(false); }
        fail(m.message);
      }
      break;
  }
});
send({ type: 'init', dataBase });
const upload = setupUpload({ request, nextId: () => ++requestId, status, fail, onChange: (u) => { state.upload = u; } });

// -------------------------------------------------------------------------------------------- training
function trainingControls(training: boolean): void {
  $<HTMLButtonElement>('train').disabled = training;
  $<HTMLButtonElement>('stop').disabled = !training;
  for (const id of ['cell', 'embeddings', 'units', 'epochs', 'batch', 'lr', 'maxlen', 'data-source', 'data-file']) $<HTMLInputElement>(id).disabled = training;
}

const num = (id: string, lo: number, hi: number, integer = true) => {
  const v = Number($<HTMLInputElement>(id).value);
  if (!Number.isFinite(v) || v < lo || v > hi || (integer && !Number.isInteger(v))) {
    throw new Error(`${id} must be ${integer ? 'an integer' : 'a number'} between ${lo} and ${hi}`);
  }
  return v;
};

$<HTMLButtonElement>('train').disabled = true;
$('train-form').addEventListener('submit', (e) => {
  e.preventDefault();
  if (!state.ready || state.phase === 'training') return;
  let config: TrainConfig;
  try {
    config = {
      kind: $<HTMLSelectElement>('cell').value as CellKind,
      embeddings: $<HTMLSelectElement>('embeddings').value as EmbeddingKind,
      embeddingDim: 32,
      units: num('units', 1, 256), epochs: num('epochs', 1, 50), batchSize: num('batch', 1, 512),
      learningRate: num('lr', 1e-5, 1, false), maxlen: num('maxlen', 0, 200), seed: 0, dataBase, upload: upload.uploadChoice(),
    };
  } catch (err) {
    fail((err as Error).message);
    return;
  }
  Object.assign(state, {
    phase: 'training', config, summary: null, lossSteps: [], losses: [], accSteps: [], acc: [], epochs: [], heatSteps: [], heatRows: [],
  });
  if (state.modelSource === 'worker') state.modelSource = null;
  $<HTMLButtonElement>('download').disabled = true;
  $<HTMLButtonElement>('predict').disabled = state.modelSource === null;
  trainingControls(true);
  $('progress').textContent = 'starting…';
  status('training in the worker…');
  send({ type: 'train', config });
});

$('stop').addEventListener('click', () => {
  send({ type: 'stop' });
  $<HTMLButtonElement>('stop').disabled = true;
  status('stopping after the current batch…');
});

function showProgress(epoch: number, step: number): void {
  const c = state.config!;
  const total = c.epochs * state.batchesPerEpoch;
  const loss = state.losses.at(-1);
  const acc = state.acc.at(-1);
  $('progress').textContent = `epoch ${epoch + 1}/${c.epochs} · step ${step}/${total} · batch loss ${loss?.toFixed(4) ?? '–'}`
    + (acc !== undefined ? ` · validation accuracy ${acc.toFixed(3)}` : '');
  $<HTMLProgressElement>('progress-bar').value = total ? step / total : 0;
}

function showDone(s: TrainSummary): void {
  const c = state.config!;
  const cell = { simple: 'SimpleRNN', lstm: 'LSTM', gru: 'GRU' }[c.kind];
  const glove = s.typeShare !== null ? `, GloVe covers ${(100 * s.typeShare).toFixed(1)}% of the word types` : '';
  const K = s.classes.length;
  const task = s.multiLabel ? `${K} labels, multi-label` : K > 2 ? `${K} classes` : 'binary';
  const score = s.multiLabel
    ? `Test micro F1 ${s.microF1!.toFixed(3)}, subset accuracy ${s.subsetAccuracy!.toFixed(3)}, binary accuracy ${s.testAccuracy.toFixed(3)} on ${s.testSize} texts`
    : `Test accuracy ${s.testAccuracy.toFixed(3)}${s.macroF1 !== null ? `, macro F1 ${s.macroF1.toFixed(3)}` : ''} on ${s.testSize} texts`;
  $('progress').textContent = `${s.stopped ? 'stopped' : 'done'} after ${s.steps} steps in ${s.trainSeconds.toFixed(1)} s: ${cell} on ${s.dataName} (${task}), `
    + `${s.trainableParams.toLocaleString('en')} trainable of ${s.params.toLocaleString('en')} parameters, T = ${s.maxlen}${glove}. `
    + `${score} (weights of epoch ${s.bestEpoch + 1}, best on validation).`;
  $<HTMLProgressElement>('progress-bar').value = 1;
  status(`${cell} trained; type a sentence below`);
}

// ---------------------------------------------------------------------------------------------- charts
let chartsScheduled = false, lastHeatmap = 0;
function scheduleCharts(): void {
  if (chartsScheduled) return;
  chartsScheduled = true;
  requestAnimationFrame(() => {
    chartsScheduled = false;
    drawCharts(performance.now() - lastHeatmap < 300);
  });
}

function drawCharts(skipHeatmap = false): void {
  const c = state.config;
  if (!c || state.losses.length === 0) return;
  const total = c.epochs * state.batchesPerEpoch;
  // The batch losses are noisy (32 sentences each): a trailing mean over 10 batches shows the trend.
  const smooth = state.losses.map((_, i) => {
    const from = Math.max(0, i - 9);
    return state.losses.slice(from, i + 1).reduce((a, b) => a + b, 0) / (i + 1 - from);
  });
  $('loss-chart').innerHTML = lossCurve([
    { name: 'batch loss', loss: state.losses, steps: state.lossSteps },
    { name: 'mean of 10 batches', loss: smooth, steps: state.lossSteps },
  ], {
    title: `Training loss (${c.upload && !c.upload.separator && (state.summary?.classes.length ?? 0) > 2 ? 'sparse categorical' : 'binary'} cross-entropy)`, width: 560, height: 300,
  });
  const trainAcc = state.epochs.filter((e) => e.logs.accuracy !== undefined);
  $('acc-chart').innerHTML = accuracyChart([
    { name: 'validation', steps: state.accSteps, values: state.acc },
    { name: 'training (epoch)', steps: trainAcc.map((e) => e.step), values: trainAcc.map((e) => e.logs.accuracy) },
  ], { title: 'Accuracy', maxStep: total });
  if (!skipHeatmap && state.heatRows.length > 0 && state.heatRows[0].length > 0) {
    const layer = { simple: 'SimpleRNN', lstm: 'LSTM', gru: 'GRU' }[c.kind];
    $('heatmap').innerHTML = gradientHeatmap(state.heatRows, {
      stepNumbers: state.heatSteps, title: `${layer}: log10 ‖dL/dh_t‖ per time step (x) and training step (y)`, width: 900, height: 340,
    });
    state.heatmapDraws++;
    lastHeatmap = performance.now();
  }
}

// ------------------------------------------------------------------------------------------ prediction
let loaded: { model: Sequential; tokenizer: Tokenizer; maxlen: number; classes: string[]; multiLabel: boolean } | null = null;
let mainKernels: Promise<Kernels> | null = null;

async function predict(text: string): Promise<number> {
  const source = state.modelSource;
  if (!source) throw new Error('train a model or load a model file first');
  let ps: number[];
  if (source === 'worker') {
    const m = await request({ type: 'predict', id: ++requestId, texts: [text] });
    if (m.type !== 'prediction') throw new Error('unexpected reply from the worker');
    ps = m.probabilities;
  } else {
    ps = Array.from(await predictTexts(loaded!.model, loaded!.tokenizer, loaded!.maxlen, [text]));
  }
  const classes = source === 'worker' ? state.summary?.classes ?? ['negative', 'positive'] : loaded!.classes;
  const multiLabel = source === 'worker' ? !!state.summary?.multiLabel : loaded!.multiLabel;
  // binary: one sigmoid (the second class); multi-class: the most probable class; multi-label: every p > 0.5
  const best = ps.length === 1 ? (ps[0] >= 0.5 ? 1 : 0) : ps.indexOf(Math.max(...ps));
  const p = ps.length === 1 ? ps[0] : ps[best];
  const label = multiLabel ? classes.filter((_, k) => ps[k] > 0.5).join(' | ') || '(no label)' : classes[best];
  state.predictions.push({ source, text, probability: p, label, probabilities: ps });
  const where = source === 'worker' ? 'model trained here (worker)' : `${state.loadedFile?.name} (main thread)`;
  const out = $('prediction');
  out.innerHTML = '';
  const verdict = document.createElement('strong');
  verdict.className = ps.length === 1 ? (p >= 0.5 ? 'positive' : 'negative') : 'class';
  verdict.textContent = label;
  const bar = document.createElement('span');
  bar.className = 'bar';
  bar.innerHTML = '<span></span>';
  (bar.firstChild as HTMLElement).style.width = `${(100 * p).toFixed(1)}%`;
  const detail = document.createElement('span');
  detail.className = 'probability';
  detail.textContent = ps.length === 1 ? ` P(${classes[1]}) = ${p.toFixed(6)} · ${where}`
    : ` ${classes.map((c, k) => `P(${c}) = ${ps[k].toFixed(3)}`).join(', ')} · ${where}`;
  out.append(verdict, bar, detail);
  return p;
}

$('predict-form').addEventListener('submit', (e) => {
  e.preventDefault();
  predict($<HTMLInputElement>('text').value).catch((err: Error) => fail(`prediction failed: ${err.message}`));
});

$('download').addEventListener('click', async () => {
  try {
    const m = await request({ type: 'export', id: ++requestId });
    if (m.type !== 'exported') throw new Error('unexpected reply from the worker');
    const url = URL.createObjectURL(new Blob([m.bytes], { type: 'application/octet-stream' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = m.fileName;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    state.downloads++;
    status(`downloaded ${m.fileName} (${(m.bytes.byteLength / 1024).toFixed(0)} KB)`);
  } catch (err) {
    fail(`download failed: ${(err as Error).message}`);
  }
});

$<HTMLInputElement>('model-file').addEventListener('change', async (e) => {
  const input = e.target as HTMLInputElement;
  const file = input.files?.[0];
  if (!file) return;
  try {
    status(`loading ${file.name}…`);
    const { header, checkpoint } = decodeModelFile(new Uint8Array(await file.arrayBuffer()), file.name);
    mainKernels ??= loadKernels({ variant: 'auto' }); // SIMD where the engine has it, else the scalar build
    const model = await loadModel(checkpoint, { kernels: await mainKernels });
    loaded = { model, tokenizer: Tokenizer.fromJSON(header.tokenizer), maxlen: header.maxlen, classes: header.classes ?? ['negative', 'positive'], multiLabel: header.multiLabel === true };
    state.loadedFile = { name: file.name, bytes: file.size, maxlen: header.maxlen, layers: model.layers.map((l) => l.className) };
    state.modelSource = 'file';
    $<HTMLButtonElement>('predict').disabled = false;
    const info = header.info ?? {};
    $('model-info').textContent = `Loaded ${file.name} (${(file.size / 1024).toFixed(0)} KB): ${state.loadedFile.layers.join(' → ')}, T = ${header.maxlen}`
      + (typeof info.testAccuracy === 'number' ? `, test accuracy when saved ${info.testAccuracy.toFixed(3)}` : '')
      + '. Predictions now run on the main thread.';
    status(`loaded ${file.name}; predicting on the main thread`);
    await predict($<HTMLInputElement>('text').value);
  } catch (err) {
    fail(`could not load ${file.name}: ${(err as Error).message}`);
  } finally {
    input.value = '';
  }
});

// ------------------------------------------------------------------------------------------------- toy
function drawToy(): void {
  const w = Number($<HTMLInputElement>('toy-w').value);
  const T = Math.max(1, Math.min(5000, Math.round(Number($<HTMLInputElement>('toy-t').value) || 1000)));
  const r = linearRnn(w, { T });
  state.toy = { w, T, y: r.y, dLdw: r.dLdw, dh1: r.gradNorms[0], verdict: r.analysis.verdict, updates: state.toy.updates + 1 };
  $('toy-w-value').textContent = w.toFixed(3);
  $('toy-y').textContent = formatNumber(r.y, 5);
  $('toy-dw').textContent = formatNumber(r.dLdw, 5);
  $('toy-dh1').textContent = formatNumber(r.gradNorms[0], 5);
  $('toy-verdict').textContent = r.analysis.verdict;
  $('toy-chart').innerHTML = gradientNormChart([{ name: `w = ${w}`, values: r.gradNorms }], {
    title: `‖dL/dh_t‖ = |w|^(T−t) for w = ${w}, T = ${T}`, width: 900, height: 320,
  });
}
$('toy-w').addEventListener('input', drawToy);
$('toy-t').addEventListener('change', drawToy);
document.querySelectorAll<HTMLButtonElement>('.presets button').forEach((b) => {
  b.addEventListener('click', () => {
    $<HTMLInputElement>('toy-w').value = b.dataset.w!;
    drawToy();
  });
});
drawToy();
