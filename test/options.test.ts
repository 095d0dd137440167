// Option validation in one place (src/options/, issue 16 finding 10 and 7): wrong types are errors, never
// coerced; out-of-range and unknown options are refused with a Keras-style message naming the layer or
// optimizer, the option, the value and what is allowed. Optimizer settings that make updates non-finite
// (epsilon 0, beta 1, a negative Adagrad accumulator) are refused at compile, and the NaN guard also
// checks the weights and optimizer state after the update.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Adagrad, Adam, Bidirectional, ConfigError, Conv1D, Dense, Dropout, Embedding, GRU, LSTM, MaxPooling1D, RMSprop, SGD, Sequential, SimpleRNN,
  getOptimizer, loadKernels, type Kernels,
} from '../src/index.js';
import { OptionError, validateCompileOptions, validateFitOptions, validatePredictOptions } from '../src/options/index.js';
import { layerFromConfig, layerToConfig } from '../src/layers/registry.js';

let k: Kernels;
test.before(async () => {
  k = await loadKernels({ initialBytes: 1 << 22 });
});

function rejects(call: () => unknown, pattern: RegExp, option?: string): OptionError {
  let err: unknown;
  try {
    call();
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof OptionError, `expected OptionError, got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  assert.ok(err instanceof ConfigError, 'OptionError is a ConfigError');
  assert.match((err as Error).message, pattern);
  if (option) assert.is((err as OptionError).option, option);
  return err as OptionError;
}

test('layers: wrong types are errors, never coerced (returnSequences: "false" used to mean true)', () => {
  const e = rejects(() => new LSTM({ units: 4, returnSequences: 'false' as never, name: 'l' }), /^LSTM "l": returnSequences must be a boolean \(true or false\), got "false" \(a string\)$/, 'returnSequences');
  assert.is(e.value, 'false');
  rejects(() => new LSTM({ units: '4' as never }), /^LSTM "lstm(_\d+)?": units must be a positive integer, got "4" \(a string\)/);
  rejects(() => new GRU({ units: 3, resetAfter: 0 as never }), /GRU .*resetAfter must be a boolean/);
  rejects(() => new SimpleRNN({ units: 3, goBackwards: 1 as never }), /SimpleRNN .*goBackwards must be a boolean/);
  rejects(() => new Dense({ units: 2, useBias: 'no' as never }), /Dense .*useBias must be a boolean/);
  rejects(() => new Embedding({ inputDim: 10, outputDim: 3, maskZero: 'true' as never }), /Embedding .*maskZero must be a boolean/);
  rejects(() => new Dropout({ rate: '0.5' as never }), /Dropout .*rate must be a finite number in \[0, 1\), got "0.5" \(a string\)/);
});

test('layers: ranges, enums, required options, unknown options with a suggestion', () => {
  rejects(() => new LSTM({ units: 0 }), /units must be a positive integer, got 0/);
  rejects(() => new LSTM({ units: 2.5 }), /units must be a positive integer, got 2.5/);
  rejects(() => new LSTM({ units: NaN }), /units must be a positive integer, got NaN/);
  rejects(() => new LSTM({} as never), /option units is required \(a positive integer\)/);
  rejects(() => new LSTM({ units: 3, dropout: 1 }), /dropout must be a finite number in \[0, 1\), got 1/);
  rejects(() => new LSTM({ units: 3, activation: 'gelu' as never }), /activation must be one of tanh, relu, sigmoid, linear, got "gelu"/);
  rejects(() => new LSTM({ units: 3, recurrentActivation: 'tanh' as never }), /recurrentActivation must be one of sigmoid, hard_sigmoid/);
  rejects(() => new LSTM({ units: 3, returnSequence: true } as never), /unknown option returnSequence \(did you mean returnSequences\?\)/, 'returnSequence');
  rejects(() => new LSTM({ units: 3, return_sequences: true } as never), /did you mean returnSequences\?/);
  rejects(() => new LSTM({ units: 3, name: 'a/b' }), /name must be a non-empty string without "\/"/);
  rejects(() => new LSTM({ units: 3, inputShape: [0, 4] }), /inputShape must be an array of 1 to 8 positive integers or null/);
  rejects(() => new LSTM({ units: 3, kernelRegularizer: { l2: -1, l1: 0 } }), /kernelRegularizer must be \{ l1, l2 \}/);
  rejects(() => new LSTM({ units: 3, kernelInitializer: 5 as never }), /kernelInitializer must be a known initializer name/);
  rejects(() => new LSTM(null as never), /LSTM.*options must be an object of named options, got null/);
  rejects(() => new Conv1D({ filters: 2, kernelSize: [3, 3] as never }), /kernelSize must be a positive integer or a 1-tuple \[n\], got \[3, 3\]/);
  rejects(() => new MaxPooling1D({ padding: 'causal' as never }), /MaxPooling1D "max_pooling1d(_\d+)?": padding must be one of valid, same/);
  rejects(() => new Bidirectional({ layer: new Dense({ units: 2 }) as never }), /Bidirectional .*layer must be an LSTM, GRU or SimpleRNN layer/);
});

test('layers: every built-in layer accepts its own getConfig() (round trip through the registry)', () => {
  const layers = [
    new LSTM({ units: 3, returnSequences: true, kernelRegularizer: { l1: 0, l2: 0.01 } }), new GRU({ units: 3, resetAfter: false }), new SimpleRNN({ units: 2, activation: 'relu' }),
    new Dense({ units: 2, activation: 'softmax' }), new Embedding({ inputDim: 5, outputDim: 3, inputLength: 4 }), new Conv1D({ filters: 2, kernelSize: 3, padding: 'causal' }),
    new Dropout({ rate: 0.2 }), new MaxPooling1D({ poolSize: 2 }), new Bidirectional({ layer: new LSTM({ units: 2 }), mergeMode: 'sum' }),
  ];
  for (const l of layers) {
    const c = layerToConfig(l);
    const again = layerFromConfig(JSON.parse(JSON.stringify(c)));
    assert.equal(layerToConfig(again), c, l.className);
  }
});

test('optimizers: settings that make updates non-finite are refused at construction and at compile', () => {
  rejects(() => new Adam({ epsilon: 0 }), /^Adam: epsilon must be a positive finite number, got 0$/, 'epsilon');
  rejects(() => new RMSprop({ epsilon: 0 }), /^RMSprop: epsilon must be a positive finite number, got 0$/);
  rejects(() => new Adagrad({ initialAccumulatorValue: -0.1 }), /^Adagrad: initialAccumulatorValue must be a finite number ≥ 0, got -0.1$/);
  rejects(() => new Adam({ beta2: 1 }), /beta2 must be a finite number in \[0, 1\), got 1/);
  rejects(() => new SGD({ momentum: -0.5 }), /SGD: momentum must be/);
  rejects(() => new SGD({ nesterov: 'yes' as never }), /SGD: nesterov must be a boolean/);
  rejects(() => new Adam({ learningRate: '0.01' as never }), /Adam: learningRate must be a positive finite number or a learning-rate schedule, got "0.01" \(a string\)/);
  rejects(() => new Adam({ learning_rate: 0.01 } as never), /unknown option learning_rate \(did you mean learningRate\?\)/);
  rejects(() => new Adam({ clipnorm: 1, clipvalue: 1 }), /at most one of/);
  rejects(() => getOptimizer({ className: 'Adam', config: { epsilon: 0 } }), /^Adam: epsilon must be a positive finite number, got 0$/);
  rejects(() => getOptimizer({ className: 'Adam', config: 'fast' as never }), /Adam: config must be an object/);
  rejects(() => getOptimizer('nadam'), /unknown optimizer "nadam"/);
  rejects(() => getOptimizer(42 as never), /unknown optimizer 42/);
  const m = new Sequential([new Dense({ units: 1, inputShape: [2] })], { kernels: k });
  rejects(() => m.compile({ optimizer: { className: 'Adam', config: { epsilon: 0 } }, loss: 'mse' }), /Adam: epsilon/);
  rejects(() => m.compile({ optimizer: { className: 'Adagrad', config: { initialAccumulatorValue: -1 } }, loss: 'mse' }), /Adagrad: initialAccumulatorValue/);
  assert.is(m.optimizer, null, 'a rejected compile leaves the model uncompiled');
});

test('model-level validators (for compile/fit/evaluate/predict)', () => {
  rejects(() => validateCompileOptions('m', { optimizer: 'adam' }), /^Sequential "m": compile: option loss is required/);
  rejects(() => validateCompileOptions('m', { optimizer: 'adam', loss: 'mse', metrics: 'accuracy' }), /metrics must be an array of metric names, got "accuracy"/);
  rejects(() => validateFitOptions('m', { batchSize: '4' }), /^Sequential "m": fit: batchSize must be a positive integer, got "4" \(a string\)$/);
  rejects(() => validateFitOptions('m', { epochs: 1.5 }), /epochs must be a non-negative integer, got 1.5/);
  rejects(() => validateFitOptions('m', { shuffle: 'false' }), /shuffle must be a boolean/);
  rejects(() => validateFitOptions('m', { validationSplit: 1 }), /validationSplit must be a finite number in \[0, 1\)/);
  rejects(() => validateFitOptions('m', { batch_size: 4 }), /did you mean batchSize/);
  rejects(() => validatePredictOptions('m', { batchSize: 1.5 }), /predict: batchSize must be a positive integer, got 1.5/);
  rejects(() => validatePredictOptions('m', 5), /predict: the predict options must be an object/);
  validateFitOptions('m', { epochs: 2, batchSize: 4, validationSplit: 0.2, shuffle: false, seed: 3, verbose: 0, callbacks: [] });
});

test('NaN guard after the update: an overflowing SGD step is refused, weights and state intact, a guard event names the tensor', async () => {
  // Finite gradients, valid settings, but lr·g overflows float32: w − 1e38·g = −Inf for |g| > ~3.4.
  for (const optimizer of [new SGD({ learningRate: 1e38 }), new SGD({ learningRate: 1e38, momentum: 0.5 })]) {
    const m = new Sequential([new Dense({ units: 1, inputShape: [2], name: 'out' })], { kernels: k, seed: 1 });
    m.compile({ optimizer, loss: 'mse' });
    await m.build([2]);
    const x = [[100, -100], [50, 80]], y = [[1000], [-1000]];
    const before = m.getWeights();
    const h = await m.fit(x, y, { epochs: 1, batchSize: 2, shuffle: false });
    assert.is(m.guardEvents.length, 1, 'one guard event');
    const ev = m.guardEvents[0];
    assert.ok(ev.tensor === 'out/kernel' || ev.tensor === 'out/bias', ev.tensor);
    assert.ok(!Number.isFinite(ev.value), `value ${ev.value}`);
    const after = m.getWeights();
    for (let i = 0; i < before.length; i++) assert.equal(Array.from(after[i].data), Array.from(before[i].data), `${before[i].path} unchanged`);
    assert.is(optimizer.iterations, 0, 'the refused step is not counted');
    assert.ok(Number.isFinite(h.history.loss[0]));
  }
});

test('NaN guard after the update: Adam with a huge gradient keeps finite state; a healthy run is untouched', async () => {
  // (Recurrent first: a Dense-first model on (N, D) input is issue 16 finding 6, fixed in the model rewrite.)
  const m = new Sequential([new LSTM({ units: 3, inputShape: [2, 1] }), new Dense({ units: 1, name: 'd' })], { kernels: k, seed: 2 });
  m.compile({ optimizer: new Adam({ learningRate: 0.05 }), loss: 'mse' });
  await m.fit([[[1], [2]], [[3], [4]], [[5], [6]]], [[1], [2], [3]], { epochs: 5, batchSize: 3 });
  assert.is(m.guardEvents.length, 0);
  assert.is(m.optimizer!.iterations, 5);
  for (const w of m.getWeights()) assert.ok(w.data.every(Number.isFinite));
  // g² overflows float32 (|g| ~ 1e20): v would become Inf and freeze the weights silently: refused instead.
  const big = new Sequential([new LSTM({ units: 2, inputShape: [1, 1] }), new Dense({ units: 1, name: 'b' })], { kernels: k, seed: 3 });
  big.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: 'mse' });
  const before = (await big.build([1, 1]), big.getWeights());
  await big.fit([[[1]]], [[-1e21]], { epochs: 1, batchSize: 1 });
  assert.is(big.guardEvents.length, 1);
  const after = big.getWeights();
  for (let i = 0; i < before.length; i++) assert.equal(Array.from(after[i].data), Array.from(before[i].data));
  const [m0, v0] = big.slabs.state.map((p) => Array.from(k.arena.readF32(p, 4)));
  assert.ok(m0.every(Number.isFinite) && v0.every(Number.isFinite), 'optimizer state finite');
});

test.run();
