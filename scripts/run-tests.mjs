// Runs every test/*.test.ts in its own Node process (each file runs alone), in order; exits non-zero if any fail.
// A test file's process that reached process 'exit' (its results printed) and then did not end within 60 s hit
// Node's shutdown hang (nodejs/node#54918): it is killed and the file runs once more; a second time fails it
// (test/helpers/shutdown-hang.mjs, the rule every test running node children follows). No other time limit.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { afterAttempt, markerEnv, onExitMarker } from '../test/helpers/shutdown-hang.mjs';

const EXIT_GRACE_MS = 60_000;
const only = process.argv.slice(2);
const files = readdirSync('test').filter((f) => f.endsWith('.test.ts')).sort()
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
if (files.length === 0) {
  console.log(`no test file matches ${only.join(', ')}`);
  process.exit(1);
}

/** One run of a test file: its exit status (null when killed), and whether it was killed after reaching 'exit'. */
function runFile(f) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `test/${f}`], { stdio: ['inherit', 'inherit', 'inherit', 'pipe'], env: markerEnv(process.env) });
    let grace, hung = false;
    onExitMarker(child.stdio[3], () => { grace = setTimeout(() => { hung = true; child.kill('SIGKILL'); }, EXIT_GRACE_MS); });
    child.on('close', (status) => { clearTimeout(grace); resolve({ status, hung }); });
  });
}

const failed = [];
const t0 = Date.now();
for (const f of files) {
  const t = Date.now();
  let status = null;
  for (let attempt = 1; ; attempt++) {
    const r = await runFile(f);
    status = r.status;
    try {
      if (afterAttempt({ timedOut: r.hung, complete: true, attempt, label: `test/${f}`, limitMs: EXIT_GRACE_MS, details: () => '' }) === 'done') break;
    } catch (e) {
      console.log(e.message.trim());
      break;
    }
  }
  console.log(`${status === 0 ? 'ok  ' : 'FAIL'} test/${f} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  if (status !== 0) failed.push(f);
}
console.log(`\n${files.length - failed.length}/${files.length} test files passed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`${files.length - failed.length} passed, ${failed.length} failed`); // the plain closing line CI reads (test files)
if (failed.length) {
  console.log(`failed: ${failed.join(', ')}`);
  process.exit(1);
}
