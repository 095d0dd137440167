// A package of deliberately faulty exports, so that the sweep's own test can show it fails: a plain
// TypeError, a NaN from nothing, a sync hang and a wasm trap must each be classified as a finding, a typed
// error and a plain result must not.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sweepExports } from './sweep.js';

// (module (func (export "f") unreachable))
const TRAP_WASM = [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 7, 5, 1, 1, 0x66, 0, 0, 10, 5, 1, 3, 0, 0, 0x0b];

const JS = `
class FusedRnnError extends Error {}
export function typeError(x) { return x.length; }
export function typed() { throw new FusedRnnError('typed: x must be a number'); }
export function nan() { return 0 / 0; }
export function fine() { return 1; }
export function hang() { for (;;); }
const trapModule = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(${JSON.stringify(TRAP_WASM)})));
export function trap() { trapModule.exports.f(); }
`;
const DTS = ['typeError', 'typed', 'nan', 'fine', 'hang', 'trap'].map((f) => `export declare function ${f}(x?: unknown): unknown;`).join('\n');

/** Sweeps the faulty package with one argument (undefined) per function; returns each function's outcome. */
export async function classifyFixture(): Promise<Record<string, string>> {
  const root = mkdtempSync(join(tmpdir(), 'fused-rnn-sweep-fixture-'));
  try {
    writeFileSync(join(root, 'package.json'), JSON.stringify({ type: 'module', exports: { '.': { import: { types: './index.d.ts', default: './index.js' } } } }));
    writeFileSync(join(root, 'index.js'), JS);
    writeFileSync(join(root, 'index.d.ts'), DTS);
    const r = await sweepExports({ mode: 'grid', seed: 1, first: ['undefined'], timeoutMs: 500 }, root);
    return Object.fromEntries(r.calls.map((c) => [c.name, c.result.outcome]));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
