// The export sweep inside npm test (issue 16): every public function, constructor, static and instance
// method of every package entry point (package.json "exports") is called with each kind of junk first
// argument, and each of 2+ parameters with junk pairs (a null options/logs second argument...); each call
// must return, or throw a typed FusedRnnError. A plain TypeError/RangeError, a wasm trap, a hang, a crash,
// weights moved by a rejected call or a NaN made from NaN-free arguments fails the test, listing the calls.
// Then every options/logs parameter gets null and non-objects behind valid leading arguments
// (test/fuzz/exports/option-slots.ts): each must be a typed error naming the parameter. The larger campaign
// (every junk value, pairs, random argument lists) is `FUZZ_ONLY=exports npm run fuzz` (docs/reliability.md).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { QUICK, QUICK_PAIRS } from './fuzz/exports/junk.js';
import { FINDINGS, callLabel, sweepExports } from './fuzz/exports/sweep.js';

test('every public export answers junk arguments with a typed error or a sane result', async () => {
  // one junk argument, then (callables of 2+ parameters) junk pairs: a null or wrong-typed second argument
  // (options, logs) behind an absent or plausible first one
  const r = await sweepExports({ mode: 'grid', seed: 16, first: QUICK, pairs: QUICK_PAIRS, timeoutMs: 10_000 });
  const counts: Record<string, number> = {};
  for (const c of r.calls) counts[c.result.outcome] = (counts[c.result.outcome] ?? 0) + 1;
  console.log(`    ${r.calls.length} calls over ${r.callables} callables of ${r.exports} exports in ${(r.ms / 1000).toFixed(1)} s: ${JSON.stringify(counts)}`);
  // the surface is read from the declaration files: a broken reader would make the sweep vacuous
  assert.ok(r.exports > 200 && r.callables > 400, `only ${r.exports} exports / ${r.callables} callables found`);
  assert.ok(counts.typed > 1000, 'junk must mostly be rejected with typed errors');
  const pairs = r.calls.filter((c) => c.args.length === 2 && c.args[1] === 'null').length;
  assert.ok(pairs > 500, `only ${pairs} calls with a null second argument`);
  const bad = r.calls.filter((c) => FINDINGS.includes(c.result.outcome));
  assert.equal(bad.length, 0, `${bad.length} findings:\n${bad.slice(0, 30).map((c) => `  ${c.result.outcome}: ${callLabel(c)} -> ${c.result.detail}`).join('\n')}`);
});

test('every options/logs parameter refuses null and non-objects behind valid leading arguments', async () => {
  // the junk sweep cannot show this: with junk leading arguments most callables never reach their options
  const { sweepOptionSlots } = await import('./fuzz/exports/option-slots.js');
  const { results, unlisted } = await sweepOptionSlots();
  console.log(`    ${results.length} calls over ${new Set(results.map((r) => r.label)).size} options parameters`);
  assert.equal(unlisted, [], 'callables with an options parameter need their valid leading arguments in test/fuzz/exports/option-slots.ts');
  assert.ok(results.length > 500, `only ${results.length} calls`);
  const bad = results.filter((r) => r.outcome !== 'typed');
  assert.equal(bad.length, 0, `${bad.length} not refused with a typed error naming the parameter:\n${bad.slice(0, 30).map((r) => `  ${r.outcome}: ${r.label} with ${r.junk} -> ${r.detail}`).join('\n')}`);
});

test('the sweep classifies: a plain TypeError, a hang and a NaN are findings, a typed error is not', async () => {
  // The probe must be able to fail: run it on a module of deliberately faulty functions.
  const { classifyFixture } = await import('./fuzz/exports/fixture.js');
  const outcomes = await classifyFixture();
  assert.equal(outcomes, { typeError: 'plain', typed: 'typed', nan: 'nan', fine: 'accepted', hang: 'hang', trap: 'trap' });
});

test.run();
