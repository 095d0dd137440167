// fused-rnn/tfjs on TensorFlow.js' wasm backend (@tensorflow/tfjs-backend-wasm 4.22, single-threaded in Node):
// the same stock-vs-fused cases as test/tfjs-layers.test.ts (outputs, gradients, 5 Adam steps within 1e-5,
// fused kernels proven to run), with stock tfjs computing on the wasm backend and the fused layers' results
// coming back as wasm-backend tensors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '@tensorflow/tfjs-backend-wasm';
import type { FusedLayersInstallation } from '../src/tfjs/index.js';
import { CASES, x } from './helpers/tfjs-cases.js';
import { compareCase, setup, tf, twins } from './helpers/tfjs-twins.js';

let inst: FusedLayersInstallation;
test.before(async () => {
  inst = await setup('wasm');
});

test('the wasm backend is active and fused outputs live on it', () => {
  assert.is(tf.getBackend(), 'wasm');
  const { fused } = twins(CASES[1], inst.layers);
  const y = fused.predict(x()) as ReturnType<typeof tf.zeros>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const info = (tf.engine() as any).state.tensorInfo.get(y.dataId);
  assert.ok(info.backend === tf.findBackend('wasm'), 'the result tensor lives on the wasm backend');
});

for (const c of CASES) test(`wasm: ${c.name}`, () => compareCase(c, inst));

test.run();
