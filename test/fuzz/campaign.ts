// `npm run fuzz`: the longer campaign. FUZZ_RUNS (default 2000 per property), FUZZ_SEED (default: time),
// FUZZ_TIME_MS per property (default 300000), FUZZ_MODEL_PATH=all to include the model data path's known
// failure classes (issue 16 findings 1, 2, 6, 9), FUZZ_ONLY=a,b to pick properties. Prints the tally.
import { PROPERTIES, runSuite } from './suite.js';

const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const settings = {
  numRuns: Number(process.env.FUZZ_RUNS ?? 2000), seed, timeLimitMs: Number(process.env.FUZZ_TIME_MS ?? 300_000), modelPathAll: process.env.FUZZ_MODEL_PATH === 'all',
};
const names = (process.env.FUZZ_ONLY ? process.env.FUZZ_ONLY.split(',') : Object.keys(PROPERTIES)) as Array<keyof typeof PROPERTIES>;
console.log(`fuzz campaign: seed ${seed}, ${settings.numRuns} runs per property (weighted), model path ${settings.modelPathAll ? 'all classes' : 'without the known classes'}`);
let failed = false;
for (const name of names) {
  const t0 = performance.now();
  try {
    const t = await runSuite(settings, [name]);
    console.log(t.table().split('\n').slice(1).join('\n'), `   (${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  } catch (e) {
    failed = true;
    console.log(`${name}: VIOLATION\n${(e as Error).message}`);
  }
}
process.exit(failed ? 1 : 0);
