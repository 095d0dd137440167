// Writes test/golden/lstm-trajectory-relaxed.json: the seed-7 trajectory on the relaxed-SIMD build. Run by hand
// after an intended numeric change (the test never writes it; a missing file fails the test):
//   node --experimental-wasm-relaxed-simd --import tsx test/golden/generate-relaxed.ts   (Node 20)
//   node --import tsx test/golden/generate-relaxed.ts                                      (Node 22+)
import { writeFileSync } from 'node:fs';
import { loadKernels } from '../../bindings/index.js';
import { RELAXED_GOLDEN, lstmTrajectory } from '../helpers/trajectory.js';

const k = await loadKernels({ variant: 'relaxed' });
const { losses } = await lstmTrajectory(k, 7);
writeFileSync(RELAXED_GOLDEN, JSON.stringify({ seed: 7, variant: 'relaxed', node: process.version, losses }, null, 1) + '\n');
console.log(`wrote ${RELAXED_GOLDEN} (${losses.length} losses, ${process.version})`);
