// `npm run fuzz`: the longer campaign. FUZZ_RUNS (default 2000 per property, weighted), FUZZ_SEED (default:
// time), FUZZ_TIME_MS per property (default 300000), FUZZ_MODEL_PATH=known-excluded to leave out the model
// data path's classes of issue 16 findings 1, 2, 6, 9 (fixed by the model rewrite), FUZZ_ONLY=a,b to pick properties,
// FUZZ_EXPORT_RANDOM random argument lists per callable (exports), FUZZ_REPORT=file: every export finding as JSON lines. Violations are
// collected (not stopping at the first) and printed grouped by entry point and kind; exit 1 if any.
import { writeFileSync } from 'node:fs';
import { PROPERTIES } from './suite.js';
import { Tally, type Violation } from './harness.js';
import { FINDINGS, callLabel, sweepExports } from './exports/sweep.js';

const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
// FUZZ_ONLY=exports: the export sweep alone (every public export with junk; FUZZ_EXPORT_RANDOM lists per callable)
const settings = {
  numRuns: Number(process.env.FUZZ_RUNS ?? 2000), seed, timeLimitMs: Number(process.env.FUZZ_TIME_MS ?? 300_000),
  modelPathAll: process.env.FUZZ_MODEL_PATH !== 'known-excluded', collect: true,
};
const names = (process.env.FUZZ_ONLY ? process.env.FUZZ_ONLY.split(',') : [...Object.keys(PROPERTIES), 'exports']) as Array<keyof typeof PROPERTIES | 'exports'>;
console.log(`fuzz campaign: seed ${seed}, ${settings.numRuns} runs per property (weighted), model path ${settings.modelPathAll ? 'with' : 'without'} the known classes`);
const tally = new Tally();
const KIND: Record<string, Violation['kind']> = { plain: 'untyped error', trap: 'other', hang: 'other', crash: 'other', changed: 'changed after rejection', nan: 'non-finite result', setup: 'other' };
for (const name of names) {
  const t0 = performance.now();
  if (name === 'exports') {
    // every public export: every junk first argument, junk pairs and FUZZ_EXPORT_RANDOM random argument lists per callable
    const r = await sweepExports({ mode: 'campaign', seed, randomPerCallable: Number(process.env.FUZZ_EXPORT_RANDOM ?? 40) });
    for (const c of r.calls) {
      const entry = `export ${c.kind === 'call' || c.kind === 'new' ? c.name : `${c.name}.${c.method}`}`;
      tally.count(entry, c.result.outcome === 'accepted' ? { ok: true, value: null } : { ok: false, error: c.result.detail });
      if (FINDINGS.includes(c.result.outcome)) {
        tally.violations.push({ entry, kind: KIND[c.result.outcome], detail: `${c.result.outcome}: ${callLabel(c)} -> ${c.result.detail}` });
        tally.rows.get(entry)!.violations++;
      }
    }
    const by: Record<string, number> = {};
    for (const c of r.calls) by[c.result.outcome] = (by[c.result.outcome] ?? 0) + 1;
    console.log(`  exports: ${r.calls.length} calls over ${r.callables} callables of ${r.exports} exports, ${JSON.stringify(by)}, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    // the slowest calls: how close the campaign came to the hang limit (10 s per awaited step)
    const slow = r.calls.filter((c) => c.result.ms !== undefined).sort((x, y) => y.result.ms! - x.result.ms!).slice(0, 5);
    console.log(`  slowest calls: ${slow.map((c) => `${callLabel(c)} ${c.result.ms} ms`).join('; ')}`);
    if (process.env.FUZZ_REPORT) writeFileSync(process.env.FUZZ_REPORT, r.calls.filter((c) => FINDINGS.includes(c.result.outcome)).map((c) => JSON.stringify({ call: callLabel(c), ...c.result })).join('\n'));
    continue;
  }
  const p = PROPERTIES[name];
  await p.run({ ...settings, numRuns: Math.max(2, Math.round(settings.numRuns * p.weight)) }, tally);
  console.log(`  ${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
console.log(tally.table());
const groups = new Map<string, { n: number; example: string }>();
for (const v of tally.violations) {
  const mut = /"mutations":\[([^\]]*)\]/.exec(v.detail)?.[1] ?? '';
  const key = `${v.entry} | ${v.kind}${mut ? ` | ${mut}` : ''}`;
  const g = groups.get(key) ?? { n: 0, example: v.detail };
  g.n++;
  groups.set(key, g);
}
const total = [...tally.rows.values()].reduce((a, r) => a + r.inputs, 0);
console.log(`\n${total} inputs, ${tally.violations.length} violations in ${groups.size} groups`);
for (const [key, g] of [...groups].sort((a, b) => b[1].n - a[1].n)) console.log(`  ${String(g.n).padStart(5)}  ${key}\n         e.g. ${g.example.slice(0, 400)}`);
process.exit(tally.violations.length ? 1 : 0);
