// fit / evaluate / predict over an (async) iterable of batches, for data that does not fit in memory (Keras
// fit(dataset) / fit(generator), tfjs fitDataset): each item is { x, y, sampleWeight? } as fit(x, y) takes
// them (predict: { x } or x itself). Every batch is checked by the model exactly as in-memory data before
// anything is written, then runs the same training step as fit() (src/model/train.ts).
//   epochs      a re-iterable source (TextFileDataset, an array of batches, any object whose
//               [Symbol.asyncIterator]() returns a fresh iterator) is iterated anew each epoch; an iterator
//               (a generator object) continues where the last epoch stopped
//   stepsPerEpoch  batches per epoch (default: until the source ends); a source that ends early stops the
//               training after that epoch with a warning, as Keras does
//   errors      a batch source that throws, or yields a batch of the wrong shape or type, stops fit() with a
//               typed error naming the epoch and batch; the failed batch never reaches the weights, so they
//               hold the result of the last completed step
import { Callback, FunctionCallback, History, type Logs } from '../callbacks/callback.js';
import { ConfigError, DataValueError } from '../errors.js';
import { stepsOf, type TensorData } from '../model/data.js';
import type { Engine, Plan } from '../model/engine.js';
import { evaluate, makeMetrics, metricName, progressCallback, trainStep, type Batchable, type FitOptions, type Session } from '../model/train.js';
import type { Metric } from '../metrics.js';
import { Random } from '../../bindings/random.js';
import { combineWeights } from './sample-weights.js';
import { rateLog } from './rate-log.js';

/** One item of a batch source: inputs, targets (fit/evaluate) and optional per-sample weights. */
export interface DataBatch {
  x: unknown;
  y?: unknown;
  sampleWeight?: ArrayLike<number>;
}

/** What fit/evaluate/predict take instead of (x, y): an iterable or async iterable of batches. */
export type BatchSource = Iterable<DataBatch> | AsyncIterable<DataBatch>;

/** True for an (async) iterable of batches: an array of { x, ... } objects, or any non-array (async) iterable that is not data. */
export function isBatchSource(x: unknown): x is BatchSource {
  if (Array.isArray(x)) return x.length > 0 && x[0] !== null && typeof x[0] === 'object' && !Array.isArray(x[0]) && 'x' in x[0]; // [{ x, y }, ...]
  if (x === null || typeof x !== 'object' || ArrayBuffer.isView(x)) return false;
  if ('data' in x && 'shape' in x) return false;
  return Symbol.asyncIterator in x || Symbol.iterator in x;
}

type AnyIterator = AsyncIterator<unknown> | Iterator<unknown>;

function open(source: BatchSource): AnyIterator {
  const s = source as Partial<AsyncIterable<unknown> & Iterable<unknown>>;
  return s[Symbol.asyncIterator] ? s[Symbol.asyncIterator]!() : s[Symbol.iterator]!();
}

/** An iterator returns itself from [Symbol.(async)iterator]: it cannot restart, so epochs continue it. */
function restartable(source: BatchSource): boolean {
  const s = source as Partial<AsyncIterable<unknown> & Iterable<unknown>>;
  const it = s[Symbol.asyncIterator] ?? s[Symbol.iterator];
  return !!it && !('next' in source && typeof (source as { next?: unknown }).next === 'function');
}

/**
 * The source ready for the model: when the model is not built yet (a Sequential without inputShape infers its
 * input from data), reads one batch and hands its (x, y) to `build`, then returns a source that still yields
 * that batch (a restartable source is simply restarted; an iterator continues behind the peeked batch).
 * With a batch source the targets travel in the batches, so `y` must be absent.
 */
export async function readySource(source: BatchSource, y: unknown, built: boolean, build: (x: unknown, y: unknown) => Promise<unknown>, where: string): Promise<BatchSource> {
  if (y !== undefined) throw new ConfigError(`${where}: with a batch source as x, leave y out (the batches carry { x, y })`);
  if (built) return source;
  const it = open(source);
  const r = await next(it, 'batch 1');
  if (r.done) return source;
  const first = r.value as DataBatch;
  const isItem = first !== null && typeof first === 'object' && !Array.isArray(first) && 'x' in first;
  await located('batch 1', () => build(isItem ? first.x : first, isItem ? first.y : undefined));
  if (restartable(source)) {
    await it.return?.(undefined);
    return source;
  }
  return (async function* () {
    yield first;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield n.value as DataBatch;
    }
  })();
}

/** Sets data's per-sample weights from Keras' sampleWeight (evaluate; fit also takes classWeight). */
export function withSampleWeights(data: Batchable, sampleWeight: ArrayLike<number> | undefined, where: string): Batchable {
  data.sampleWeights = combineWeights(data.ys[0] ?? null, data.xs[0].shape[0], sampleWeight, null, where);
  return data;
}

/** The next batch, with the source's own failures turned into a typed error naming where. */
async function next(it: AnyIterator, where: string): Promise<IteratorResult<unknown>> {
  try {
    return await it.next();
  } catch (err) {
    const e = new DataValueError(`${where}: the batch source threw: ${err instanceof Error ? err.message : String(err)}`);
    (e as { cause?: unknown }).cause = err;
    throw e;
  }
}

/** Prefixes a typed error's message with the batch position (keeps its class). */
function located<T>(where: string, run: () => Promise<T>): Promise<T> {
  return run().catch((err: unknown) => {
    if (err instanceof Error && !err.message.startsWith(where)) err.message = `${where}: ${err.message}`;
    throw err;
  });
}

function itemOf(value: unknown, where: string, needTargets: boolean): DataBatch {
  if (value === null || typeof value !== 'object' || !('x' in value)) {
    throw new DataValueError(`${where}: expected a batch { x, y${needTargets ? '' : '?'}, sampleWeight? }, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
  }
  const b = value as DataBatch;
  if (needTargets && b.y === undefined) throw new DataValueError(`${where}: the batch has no y (targets)`);
  return b;
}

async function prepareBatch(s: Session, b: DataBatch, options: Pick<FitOptions, 'classWeight'>, where: string): Promise<Batchable> {
  const data = await located(where, () => s.prepare(b.x, b.y));
  const N = data.xs[0].shape[0];
  if (options.classWeight === 'balanced') throw new ConfigError(`${where}: classWeight 'balanced' needs every label at once; with a batch source pass weights, e.g. classWeightsFromCounts(dataset.stats.classCounts)`);
  data.sampleWeights = combineWeights(data.ys[0] ?? null, N, b.sampleWeight, options.classWeight, where);
  return data;
}

const stepsOfData = (e: Engine, data: { xs: TensorData[] }) => data.xs.map((x, i) => stepsOf(x, e.kinds[i]));
const range = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

function checkSteps(v: number | undefined, name: string): number | undefined {
  if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new ConfigError(`fit: ${name} must be a positive integer, got ${v}`);
  return v;
}

/** fit() over a batch source (see the file comment); returns the History of per-epoch logs. */
export async function fitBatches(session: () => Session, source: BatchSource, options: FitOptions): Promise<History> {
  const s = session(), e = s.engine, epochs = options.epochs ?? 1, where = (ep: number, b: number) => `fit: epoch ${ep + 1}, batch ${b + 1}`;
  if (!Number.isInteger(epochs) || epochs < 0) throw new ConfigError(`fit: epochs must be a non-negative integer, got ${options.epochs}`);
  const stepsPerEpoch = checkSteps(options.stepsPerEpoch, 'stepsPerEpoch');
  checkSteps(options.validationSteps, 'validationSteps');
  if (options.sampleWeight !== undefined) throw new ConfigError('fit: with a batch source, give sample weights per batch ({ x, y, sampleWeight })');
  if (options.validationSplit) throw new ConfigError('fit: validationSplit needs in-memory data; with a batch source pass validationData');
  const maxBad = options.maxConsecutiveNonFinite ?? 10;
  const random = options.seed !== undefined ? new Random(options.seed) : s.random;
  const history = new History();
  const callbacks: Callback[] = [history, ...(options.callbacks ?? []).map((c) => (c instanceof Callback ? c : new FunctionCallback(c)))];
  const known = stepsPerEpoch ?? (source as { steps?: unknown }).steps;
  if (options.verbose) callbacks.push(await progressCallback(epochs, typeof known === 'number' ? known : 0));
  for (const c of callbacks) c.setModel(s.host);
  s.host.stopTraining = false;
  s.trainer.guardEvents = [];
  const metrics = makeMetrics(e);
  for (const c of callbacks) await c.onTrainBegin();
  const fresh = restartable(source);
  let it: AnyIterator | null = null, step = 0, consecutiveBad = 0, ranOut = false;
  for (let epoch = 0; epoch < epochs && !s.host.stopTraining && !ranOut; epoch++) {
    for (const c of callbacks) await c.onEpochBegin(epoch);
    if (!it || (fresh && stepsPerEpoch === undefined)) it = open(source);
    for (const list of metrics) for (const m of list) m.reset();
    let lossSum = 0, seen = 0, batch = 0;
    for (; (stepsPerEpoch === undefined || batch < stepsPerEpoch) && !s.host.stopTraining; batch++) {
      let r = await next(it, where(epoch, batch));
      if (r.done && stepsPerEpoch !== undefined && fresh) { it = open(source); r = await next(it, where(epoch, batch)); }
      if (r.done) {
        if (batch === 0 || stepsPerEpoch !== undefined) {
          ranOut = true;
          console.warn(`fit: the batch source ran out of data at epoch ${epoch + 1}, batch ${batch + 1}; training stops (pass a re-iterable source, e.g. TextFileDataset, or fewer stepsPerEpoch)`);
        }
        break;
      }
      const data = await prepareBatch(s, itemOf(r.value, where(epoch, batch), true), options, where(epoch, batch));
      const B = data.xs[0].shape[0];
      const plan: Plan = e.ensurePlan(true, B, stepsOfData(e, data));
      for (const c of callbacks) await c.onBatchBegin(batch);
      const t = trainStep(s, plan, data, range(B), random, metrics, { epoch, batch, step: step++ });
      consecutiveBad = t.skipped ? consecutiveBad + 1 : 0;
      if (Number.isFinite(t.loss)) { lossSum += t.loss * B; seen += B; }
      const logs: Logs = { loss: t.loss, size: B, ...rateLog(s.trainer.optimizer) };
      for (const c of callbacks) await c.onBatchEnd(batch, logs);
      if (consecutiveBad >= maxBad) s.host.stopTraining = true;
    }
    if (seen === 0 && ranOut) break;
    const logs: Logs = { loss: seen ? lossSum / seen : NaN, ...rateLog(s.trainer.optimizer) };
    metrics.forEach((list, o) => { for (const m of list) logs[metricName(e, o, m.name)] = m.result(); });
    const vd = options.validationData as unknown;
    if (vd !== undefined) {
      const v = isBatchSource(vd) ? await evaluateBatches(() => s, vd, { steps: options.validationSteps, classWeight: undefined, call: 'fit (validation)' })
        : evaluate(s, await s.prepare((vd as [unknown, unknown])[0], (vd as [unknown, unknown])[1]), options.batchSize ?? 32);
      for (const [key, value] of Object.entries(v)) logs[`val_${key}`] = value;
    }
    for (const c of callbacks) await c.onEpochEnd(epoch, logs);
  }
  for (const c of callbacks) await c.onTrainEnd();
  return history;
}

/** evaluate() over a batch source: loss (Σ over batches of batch loss × B / N) and weighted metrics. */
export async function evaluateBatches(session: () => Session, source: BatchSource, options: { steps?: number; classWeight?: FitOptions['classWeight']; call?: string } = {}): Promise<Logs> {
  const s = session(), e = s.engine, call = options.call ?? 'evaluate';
  if (options.steps !== undefined && (!Number.isInteger(options.steps) || options.steps < 1)) throw new ConfigError(`${call}: steps must be a positive integer, got ${options.steps}`);
  const metrics: Metric[][] = makeMetrics(e);
  const it = open(source);
  let lossSum = 0, N = 0;
  const eachSum = e.heads!.map(() => 0);
  for (let batch = 0; options.steps === undefined || batch < options.steps; batch++) {
    const where = `${call}: batch ${batch + 1}`;
    const r = await next(it, where);
    if (r.done) break;
    const data = await prepareBatch(s, itemOf(r.value, where, true), options, where);
    const B = data.xs[0].shape[0];
    const one = evaluate(s, data, B, metrics);
    lossSum += one.loss * B;
    e.heads!.forEach((h, o) => { if (e.heads!.length > 1) eachSum[o] += one[`${h.name}_loss`] * B; });
    N += B;
  }
  if (N === 0) throw new DataValueError(`${call}: the batch source yielded no batches`);
  const logs: Logs = { loss: lossSum / N };
  if (e.heads!.length > 1) e.heads!.forEach((h, o) => { logs[`${h.name}_loss`] = eachSum[o] / N; });
  metrics.forEach((list, o) => { for (const m of list) logs[metricName(e, o, m.name)] = m.result(); });
  return logs;
}

/**
 * predict() over a batch source: each item is { x } or the inputs themselves; `inputs` checks them as the
 * model does; `run` predicts one checked batch. The outputs are concatenated along the batch.
 */
export async function predictBatches<P extends { data: Float32Array; shape: number[] }>(
  source: BatchSource | Iterable<unknown> | AsyncIterable<unknown>, inputs: (x: unknown, what: string) => Promise<TensorData[]>,
  run: (xs: TensorData[]) => P[], steps?: number,
): Promise<P[]> {
  if (steps !== undefined && (!Number.isInteger(steps) || steps < 1)) throw new ConfigError(`predict: steps must be a positive integer, got ${steps}`);
  const it = open(source as BatchSource);
  const parts: P[][] = [];
  for (let batch = 0; steps === undefined || batch < steps; batch++) {
    const where = `predict: batch ${batch + 1}`;
    const r = await next(it, where);
    if (r.done) break;
    const v = r.value as { x?: unknown } | null;
    const x = v !== null && typeof v === 'object' && !Array.isArray(v) && 'x' in v ? v.x : v;
    const xs = await located(where, () => inputs(x, 'x'));
    parts.push(run(xs));
  }
  if (parts.length === 0) throw new DataValueError('predict: the batch source yielded no batches');
  return parts[0].map((first, o) => {
    const total = parts.reduce((n, p) => n + p[o].shape[0], 0);
    const data = new Float32Array(total * (first.data.length / first.shape[0]));
    let at = 0;
    for (const p of parts) { data.set(p[o].data, at); at += p[o].data.length; }
    return { ...first, data, shape: [total, ...first.shape.slice(1)] };
  });
}
