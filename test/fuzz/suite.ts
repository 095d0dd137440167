// Runs every property of test/fuzz/properties.ts with one settings object and returns the tally; used by
// test/fuzz.test.ts (bounded, inside npm test) and test/fuzz/campaign.ts (npm run fuzz: larger, seedable).
import { loadKernels } from '../../src/index.js';
import { Tally, type RunSettings } from './harness.js';
import { checkpoints, cliInvocations, kernelCalls, layerConstruction, modelDataPath, optimizerConstruction, textAndVectors } from './properties.js';

/** The properties by name, with a weight for their share of the run count (CLI runs spawn processes). */
export const PROPERTIES = {
  layers: { weight: 1, run: (s: RunSettings, t: Tally) => layerConstruction(s, t) },
  optimizers: { weight: 0.5, run: async (s: RunSettings, t: Tally) => optimizerConstruction(s, t, await loadKernels({ initialBytes: 1 << 20 })) },
  model: { weight: 1, run: async (s: RunSettings, t: Tally) => modelDataPath(s, t, await loadKernels({ initialBytes: 1 << 20 })) },
  kernels: { weight: 1, run: (s: RunSettings, t: Tally) => kernelCalls(s, t) },
  text: { weight: 1, run: (s: RunSettings, t: Tally) => textAndVectors(s, t) },
  checkpoints: { weight: 1, run: async (s: RunSettings, t: Tally) => checkpoints(s, t, await loadKernels({ initialBytes: 1 << 20 })) },
  cli: { weight: 0.04, run: (s: RunSettings, t: Tally) => cliInvocations(s, t) },
} as const;

/** Runs the named properties (all by default); throws on the first violation, with the tally so far. */
export async function runSuite(settings: RunSettings, names: Array<keyof typeof PROPERTIES> = Object.keys(PROPERTIES) as Array<keyof typeof PROPERTIES>): Promise<Tally> {
  const t = new Tally();
  for (const name of names) {
    const p = PROPERTIES[name];
    await p.run({ ...settings, numRuns: Math.max(2, Math.round(settings.numRuns * p.weight)) }, t);
  }
  return t;
}
