// `node scripts/serve-web.mjs --port 0` for the browser tests: started, its page URL read from what it prints.
// One copy instead of one per test file, with the two hazards of the copies fixed: a limit that a loaded CI
// machine could miss (5 s) and, when the URL did not come, a server left running (its ChildProcess handle
// then kept the test file's process alive forever). Stop it with stopChild (test/helpers/child.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopChild } from './child.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Starts the server and resolves with it and the page URL (`http://127.0.0.1:<port>/web/dist/`); a server that exits or prints no URL within `timeoutMs` is stopped and the promise rejects. */
export async function startServeWeb(timeoutMs = 30_000): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'scripts/serve-web.mjs'), '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  try {
    const url = await new Promise<string>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`serve-web.mjs printed no URL within ${timeoutMs / 1000} s: ${out}`)), timeoutMs);
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /https?:\/\/\S+\/web\/dist\//.exec(out);
        if (m) { clearTimeout(timer); ok(m[0]); }
      });
      child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
      child.once('exit', (code) => { clearTimeout(timer); fail(new Error(`serve-web.mjs exited with ${code}: ${out}`)); });
      child.once('error', (e) => { clearTimeout(timer); fail(e); });
    });
    return { child, url };
  } catch (e) {
    await stopChild(child);
    throw e;
  }
}
