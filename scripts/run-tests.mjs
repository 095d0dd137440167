// Runs every test/*.test.ts in its own Node process (each file runs alone), in order; exits non-zero if any fail.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const only = process.argv.slice(2);
const files = readdirSync('test').filter((f) => f.endsWith('.test.ts')).sort()
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
if (files.length === 0) {
  console.log(`no test file matches ${only.join(', ')}`);
  process.exit(1);
}
const failed = [];
const t0 = Date.now();
for (const f of files) {
  const t = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', `test/${f}`], { stdio: 'inherit' });
  console.log(`${r.status === 0 ? 'ok  ' : 'FAIL'} test/${f} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  if (r.status !== 0) failed.push(f);
}
console.log(`\n${files.length - failed.length}/${files.length} test files passed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`${files.length - failed.length} passed, ${failed.length} failed`); // the plain closing line CI reads (test files)
if (failed.length) {
  console.log(`failed: ${failed.join(', ')}`);
  process.exit(1);
}
