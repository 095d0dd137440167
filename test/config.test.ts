// Model configs (src/io/config.ts, src/layers/registry.ts): getConfig → fromConfig round trips equal for
// every registered layer kind and option, the rebuilt model initialises identically (same seed), and the
// compile config (optimizer with clipping, loss, metrics) survives JSON.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Bidirectional, ConfigError, Dense, Dropout, Embedding, GRU, LSTM, Residual, Sequential, SimpleRNN, compileFromConfig, compileToConfig,
  layerFromConfig, loadKernels, modelFromConfig, modelFromConfigBuilt, modelToConfig, registerLayer, type Kernels,
} from '../src/index.js';
import { throwsTyped } from './helpers/assert-throws.js';
import { checkEqual } from './helpers/check-close.js';

let k: Kernels;
test.before(async () => {
  k = await loadKernels();
});

function richModel(): Sequential {
  return new Sequential([
    new Embedding({ inputDim: 21, outputDim: 6, maskZero: true, inputLength: 9, embeddingsRegularizer: { l1: 0, l2: 1e-4 } }),
    new LSTM({
      units: 7, returnSequences: true, recurrentActivation: 'hard_sigmoid', unitForgetBias: false, dropout: 0.1,
      kernelInitializer: 'heNormal', recurrentInitializer: { className: 'Orthogonal', config: { gain: 0.5 } }, biasInitializer: 'ones',
      kernelRegularizer: { l1: 1e-5, l2: 0 }, name: 'enc',
    }),
    new Bidirectional({ layer: new GRU({ units: 5, returnSequences: true, resetAfter: false }), mergeMode: 'sum' }),
    new Residual({ layer: new SimpleRNN({ units: 5, activation: 'relu', returnSequences: true }) }),
    new GRU({ units: 3, goBackwards: true, activation: 'tanh' }),
    new Dropout({ rate: 0.25 }),
    new Dense({ units: 4, activation: 'tanh', useBias: false, kernelRegularizer: { l1: 0.001, l2: 0.002 } }),
    new Dense({ units: 1, activation: 'sigmoid', kernelInitializer: { className: 'RandomNormal', config: { mean: 0, stddev: 0.3 } } }),
  ], { name: 'rich', seed: 42, kernels: k });
}

test('modelToConfig → JSON → modelFromConfig → modelToConfig is the identity', async () => {
  const m = richModel();
  const config = modelToConfig(m);
  assert.is(config.className, 'Sequential');
  assert.is(config.config.name, 'rich');
  assert.is(config.config.seed, 42);
  assert.equal(config.config.inputShape, [9]);
  assert.equal(config.config.layers.map((l) => l.className), ['Embedding', 'LSTM', 'Bidirectional', 'Residual', 'GRU', 'Dropout', 'Dense', 'Dense']);
  const lstm = config.config.layers[1].config;
  assert.equal([lstm.recurrentActivation, lstm.unitForgetBias, lstm.dropout, lstm.kernelRegularizer], ['hard_sigmoid', false, 0.1, { l1: 1e-5, l2: 0 }]);
  const json = JSON.parse(JSON.stringify(config));
  const rebuilt = modelFromConfig(json, { kernels: k });
  assert.equal(modelToConfig(rebuilt), config);
  assert.equal(rebuilt.layers.map((l) => l.name), m.layers.map((l) => l.name));
  // After build the config is the same too (inputShape comes from the built shape then).
  await m.build();
  await rebuilt.build();
  assert.equal(modelToConfig(rebuilt), modelToConfig(m));
});

test('a model rebuilt from its config initialises bit-identically (initializers and seed are in the config)', async () => {
  const m = richModel();
  await m.build();
  const rebuilt = await modelFromConfigBuilt(JSON.parse(JSON.stringify(modelToConfig(m))), { kernels: k });
  assert.ok(rebuilt.built);
  const [a, b] = [m.getWeights(), rebuilt.getWeights()];
  assert.equal(b.map((w) => [w.path, w.shape]), a.map((w) => [w.path, w.shape]));
  for (let i = 0; i < a.length; i++) checkEqual(a[i].path, b[i].data, a[i].data);
  assert.equal(rebuilt.summary(), m.summary());
});

test('float-input models keep their inputShape; layer configs rebuild each kind', async () => {
  const m = new Sequential([new SimpleRNN({ units: 3, inputShape: [null, 5] }), new Dense({ units: 2 })], { kernels: k });
  const c = modelToConfig(m);
  assert.equal(c.config.inputShape, [null, 5]);
  assert.equal(c.config.layers[0].config.inputShape, [null, 5]);
  for (const layer of [new LSTM({ units: 3 }), new GRU({ units: 2, resetAfter: true }), new SimpleRNN({ units: 4 }), new Embedding({ inputDim: 4, outputDim: 2 }), new Dense({ units: 2 }), new Dropout({ rate: 0.5 })]) {
    const again = layerFromConfig({ className: layer.className, config: JSON.parse(JSON.stringify(layer.getConfig())) });
    assert.is(again.constructor, layer.constructor);
    assert.equal(again.getConfig(), layer.getConfig());
  }
});

test('unknown classes and malformed configs throw ConfigError; registerLayer adds classes', () => {
  throwsTyped(() => layerFromConfig({ className: 'Attention', config: {} }), ConfigError, /unknown layer class "Attention"; registered: .*LSTM/);
  throwsTyped(() => modelFromConfig({ className: 'Functional' } as never), ConfigError, /Sequential/);
  throwsTyped(() => layerFromConfig({ className: 'LSTM', config: { units: 0 } }), ConfigError, /units must be a positive integer/);
  class Twice extends Dropout {
    override readonly className = 'Twice' as 'Dropout';
  }
  registerLayer('Twice', (c) => new Twice(c as never));
  const l = layerFromConfig({ className: 'Twice', config: { rate: 0.5, name: 'tw' } });
  assert.instance(l, Twice);
  assert.is(l.name, 'tw');
});

test('compile config: optimizer (with clipping), loss and metrics survive JSON and recompile', async () => {
  const m = new Sequential([new Embedding({ inputDim: 5, outputDim: 2 }), new LSTM({ units: 3 }), new Dense({ units: 1, activation: 'sigmoid' })], { kernels: k });
  assert.is(compileToConfig(m), null);
  m.compile({ optimizer: { className: 'AdamW', config: { learningRate: 0.003, weightDecay: 0.01, globalClipnorm: 2 } }, loss: 'binaryCrossentropy', metrics: ['accuracy', 'auc'] });
  const c = JSON.parse(JSON.stringify(compileToConfig(m)));
  assert.equal(c, {
    optimizer: { className: 'AdamW', config: { learningRate: 0.003, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0.01, globalClipnorm: 2 } },
    loss: 'binaryCrossentropy', metrics: ['accuracy', 'auc'],
  });
  const other = modelFromConfig(modelToConfig(m), { kernels: k });
  other.compile(compileFromConfig(c));
  assert.equal(compileToConfig(other), c);
});

test.run();
