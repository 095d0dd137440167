// test/helpers/chromium.ts, the browser finder of the browser tests: an explicit binary that does not exist, or
// an unknown source, is an error that says how to fix it (never a silent skip); the npm-provisioned Chromium is
// found without any system path (FUSED_RNN_CHROMIUM_SOURCE=npm) on Linux and reports its launch flags.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { findChromium } from './helpers/chromium.js';

test('FUSED_RNN_CHROMIUM naming a missing file fails with how to fix it', async () => {
  try {
    await findChromium({ FUSED_RNN_CHROMIUM: '/no/such/chromium' });
    assert.unreachable('should throw');
  } catch (e) {
    const message = (e as Error).message;
    assert.match(message, 'FUSED_RNN_CHROMIUM=/no/such/chromium: no such file');
    assert.match(message, 'npm ci');
    assert.match(message, 'apt-get install -y chromium');
  }
});

test('an unknown FUSED_RNN_CHROMIUM_SOURCE is an error', async () => {
  try {
    await findChromium({ FUSED_RNN_CHROMIUM_SOURCE: 'firefox' });
    assert.unreachable('should throw');
  } catch (e) {
    assert.match((e as Error).message, 'FUSED_RNN_CHROMIUM_SOURCE=firefox: expected "npm" or "system"');
  }
});

test('FUSED_RNN_CHROMIUM_SOURCE=npm ignores system paths and finds the Chromium inside @sparticuz/chromium', async () => {
  if (process.platform !== 'linux') {
    // The package ships a Linux binary only: elsewhere the finder must say so, not hand back a binary that cannot run.
    try {
      await findChromium({ FUSED_RNN_CHROMIUM_SOURCE: 'npm' });
      assert.unreachable('should throw off Linux');
    } catch (e) {
      assert.match((e as Error).message, 'ships a Linux binary only');
    }
    return;
  }
  const found = await findChromium({ FUSED_RNN_CHROMIUM_SOURCE: 'npm' });
  assert.is(found.source, 'npm');
  assert.ok(!found.executablePath.startsWith('/usr/'), found.executablePath);
  assert.ok(existsSync(found.executablePath), `${found.executablePath} exists after unpacking`);
  assert.ok(found.args.includes('--no-zygote') && found.args.includes('--single-process'), found.args.join(' '));
});

test.run();
