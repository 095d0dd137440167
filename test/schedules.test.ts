// Learning-rate schedules: rates at given steps against values worked out by hand from the Keras formulas,
// staircase variants, config round trips (ours and Keras' snake_case), the optimizer carrying a schedule in
// its config, the LearningRateScheduler callback in fit(), and bad options → ConfigError.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Adam, ConfigError, Dense, Sequential, SGD, getOptimizer } from '../src/index.js';
import {
  CosineDecay, ExponentialDecay, InverseTimeDecay, LearningRateScheduler, PiecewiseConstantDecay, getSchedule, scheduleStep,
} from '../src/schedules/index.js';
import { rejectsTyped, throwsTyped } from './helpers/assert-throws.js';

const close = (got: number, want: number, label: string) => assert.ok(Math.abs(got - want) <= 1e-12 * Math.max(1, Math.abs(want)), `${label}: got ${got}, want ${want}`);

test('ExponentialDecay: 0.1 · 0.5^(step/10), staircase floors the exponent', () => {
  const s = new ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 });
  close(s.at(0), 0.1, 'step 0');
  close(s.at(5), 0.1 * Math.SQRT1_2, 'step 5'); // 0.5^0.5
  close(s.at(10), 0.05, 'step 10');
  close(s.at(30), 0.0125, 'step 30');
  const st = new ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true });
  close(st.at(9), 0.1, 'staircase 9');
  close(st.at(15), 0.05, 'staircase 15');
  close(st.at(20), 0.025, 'staircase 20');
});

test('InverseTimeDecay: 0.1 / (1 + 0.5 · step/10)', () => {
  const s = new InverseTimeDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 });
  close(s.at(0), 0.1, 'step 0');
  close(s.at(5), 0.08, 'step 5'); // 0.1 / 1.25
  close(s.at(10), 0.1 / 1.5, 'step 10');
  const st = new InverseTimeDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true });
  close(st.at(15), 0.1 / 1.5, 'staircase 15');
  close(st.at(20), 0.05, 'staircase 20');
});

test('PiecewiseConstantDecay: boundaries are inclusive on the left piece (Keras)', () => {
  const s = new PiecewiseConstantDecay({ boundaries: [100, 200], values: [1, 0.5, 0.1] });
  assert.equal([0, 100, 101, 200, 201, 10_000].map((t) => s.at(t)), [1, 1, 0.5, 0.5, 0.1, 0.1]);
});

test('CosineDecay with linear warm-up: 0 → 0.1 over 10 steps, then a half cosine to alpha · 0.1 over 100', () => {
  const s = new CosineDecay({ initialLearningRate: 0, decaySteps: 100, alpha: 0.1, warmupTarget: 0.1, warmupSteps: 10 });
  close(s.at(0), 0, 'step 0');
  close(s.at(5), 0.05, 'mid warm-up');
  close(s.at(10), 0.1, 'peak');
  close(s.at(60), 0.1 * (0.9 * 0.5 + 0.1), 'half way: cos(π/2) = 0'); // 0.055
  close(s.at(35), 0.1 * (0.9 * 0.5 * (1 + Math.cos(Math.PI / 4)) + 0.1), 'a quarter');
  close(s.at(110), 0.01, 'end');
  close(s.at(5000), 0.01, 'after the end');
  const plain = new CosineDecay({ initialLearningRate: 0.2, decaySteps: 4 });
  assert.equal([0, 2, 4].map((t) => Number(plain.at(t).toFixed(12))), [0.2, 0.1, 0]);
});

test('config round trip: toJSON → getSchedule gives the same rates; Keras snake_case configs read too', () => {
  const all = [
    new ExponentialDecay({ initialLearningRate: 0.01, decaySteps: 7, decayRate: 0.9, staircase: true }),
    new InverseTimeDecay({ initialLearningRate: 0.01, decaySteps: 3, decayRate: 2 }),
    new PiecewiseConstantDecay({ boundaries: [3, 9], values: [0.3, 0.2, 0.1] }),
    new CosineDecay({ initialLearningRate: 0.001, decaySteps: 50, alpha: 0.2, warmupTarget: 0.01, warmupSteps: 5 }),
  ];
  for (const s of all) {
    const back = getSchedule(JSON.parse(JSON.stringify(s.toJSON())));
    assert.is(back.className, s.className);
    for (const t of [0, 1, 4, 9, 10, 60]) assert.is(back.at(t), s.at(t), `${s.className} step ${t}`);
  }
  const keras = getSchedule({ class_name: 'ExponentialDecay', config: { initial_learning_rate: 0.1, decay_steps: 10, decay_rate: 0.5, staircase: false } });
  close(keras.at(10), 0.05, 'snake_case config');
});

test('an optimizer with a schedule: serialised in its config, rebuilt from it, stepped by scheduleStep', () => {
  const opt = new Adam({ learningRate: new PiecewiseConstantDecay({ boundaries: [1], values: [0.01, 0.001] }) });
  const config = opt.getConfig();
  assert.equal(config.learningRate, { className: 'PiecewiseConstantDecay', config: { boundaries: [1], values: [0.01, 0.001] } });
  const back = getOptimizer({ className: 'Adam', config: JSON.parse(JSON.stringify(config)) });
  assert.ok(back.schedule);
  back.iterations = 2;
  assert.is(scheduleStep(back), 0.001);
  back.iterations = 0;
  assert.is(scheduleStep(back), 0.01);
  const plain = new SGD({ learningRate: 0.3 });
  assert.is(scheduleStep(plain), 0.3);
  assert.is(plain.getConfig().learningRate, 0.3);
});

test('LearningRateScheduler: sets the rate at each epoch start from (epoch, lr)', async () => {
  const model = new Sequential([new Dense({ units: 1, inputShape: [2] })], { seed: 1 });
  model.compile({ optimizer: { className: 'sgd', config: { learningRate: 0.1 } }, loss: 'mse' });
  const seen: number[] = [];
  const cb = new LearningRateScheduler((epoch, lr) => (epoch === 0 ? lr : lr / 2));
  await model.fit([[1, 2], [3, 4]], [1, 2], { epochs: 3, callbacks: [cb, { onEpochBegin: () => { seen.push(model.optimizer!.learningRate); } }] });
  assert.equal(seen, [0.1, 0.05, 0.025]);
  const bad = new LearningRateScheduler(() => Number.NaN);
  await rejectsTyped(() => model.fit([[1, 2]], [1], { epochs: 1, callbacks: [bad] }), ConfigError, /returned NaN/);
});

test('bad schedule options → ConfigError naming the option', () => {
  throwsTyped(() => new ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.5 }), ConfigError, /decaySteps/);
  throwsTyped(() => new ExponentialDecay({ initialLearningRate: -1, decaySteps: 1, decayRate: 0.5 }), ConfigError, /initialLearningRate/);
  throwsTyped(() => new InverseTimeDecay({ initialLearningRate: 0.1, decaySteps: 1, decayRate: -0.5 }), ConfigError, /decayRate/);
  throwsTyped(() => new PiecewiseConstantDecay({ boundaries: [10, 5], values: [1, 2, 3] }), ConfigError, /increase/);
  throwsTyped(() => new PiecewiseConstantDecay({ boundaries: [10], values: [1] }), ConfigError, /values/);
  throwsTyped(() => new CosineDecay({ initialLearningRate: 0.1, decaySteps: 10, warmupSteps: 5 }), ConfigError, /warmupTarget/);
  throwsTyped(() => new CosineDecay({ initialLearningRate: 0.1, decaySteps: 10, alpha: 2 }), ConfigError, /alpha/);
  throwsTyped(() => new ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.5 }).at(-1), ConfigError, /step/);
  throwsTyped(() => getSchedule({ className: 'Nope', config: {} }), ConfigError, /unknown learning-rate schedule/);
  throwsTyped(() => new LearningRateScheduler(42 as unknown as () => number), ConfigError, /function/);
});

test.run();
