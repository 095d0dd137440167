// `npm run fuzz`: the longer campaign. FUZZ_RUNS (default 2000 per property, weighted), FUZZ_SEED (default:
// time), FUZZ_TIME_MS per property (default 300000), FUZZ_MODEL_PATH=known-excluded to leave out the model
// data path's classes of issue 16 findings 1, 2, 6, 9 (fixed by the model rewrite), FUZZ_ONLY=a,b to pick properties. Violations are
// collected (not stopping at the first) and printed grouped by entry point and kind; exit 1 if any.
import { PROPERTIES } from './suite.js';
import { Tally } from './harness.js';

const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const settings = {
  numRuns: Number(process.env.FUZZ_RUNS ?? 2000), seed, timeLimitMs: Number(process.env.FUZZ_TIME_MS ?? 300_000),
  modelPathAll: process.env.FUZZ_MODEL_PATH !== 'known-excluded', collect: true,
};
const names = (process.env.FUZZ_ONLY ? process.env.FUZZ_ONLY.split(',') : Object.keys(PROPERTIES)) as Array<keyof typeof PROPERTIES>;
console.log(`fuzz campaign: seed ${seed}, ${settings.numRuns} runs per property (weighted), model path ${settings.modelPathAll ? 'with' : 'without'} the known classes`);
const tally = new Tally();
for (const name of names) {
  const t0 = performance.now();
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
