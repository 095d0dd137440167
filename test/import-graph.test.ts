// The import graph of src/ and bindings/: no circles (type-only and dynamic imports count), and arrows point
// down: nothing in bindings/ imports src/. A small walk over the sources (relative specifiers only).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve('.');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports of a file: static, type-only, re-exports and dynamic import('...') with a literal. */
function imports(file: string): string[] {
  const src = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const specs = [
    ...src.matchAll(/^\s*(?:import|export)\b[^'";]*?from\s*['"]([^'"]+)['"]/gm),
    ...src.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm),
    ...src.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1]);
  return specs.filter((s) => s.startsWith('.')).map((s) => {
    const p = resolve(dirname(file), s).replace(/\.js$/, '.ts');
    return existsSync(p) ? p : existsSync(p + '.ts') ? p + '.ts' : join(p, 'index.ts');
  });
}

const all = [...files('src'), ...files('bindings')].map((f) => resolve(f));
const graph = new Map(all.map((f) => [f, imports(f)]));
const rel = (f: string) => relative(ROOT, f);

/** Every cycle's members, through Tarjan's strongly connected components. */
function cycles(): string[][] {
  let index = 0;
  const idx = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], on = new Set<string>(), out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index); low.set(v, index); index++;
    stack.push(v); on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do { w = stack.pop()!; on.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.map(rel).sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

test('the walk sees the imports it should (a check of the checker)', () => {
  const model = resolve('src/model/model.ts');
  assert.ok(graph.get(model)!.includes(resolve('src/model/engine.ts')), 'model.ts imports engine.ts');
  assert.ok(graph.get(resolve('src/io/checkpoint.ts'))!.includes(resolve('src/io/node.ts')), 'dynamic import seen');
  assert.ok(graph.get(resolve('src/callbacks/callback.ts'))!.includes(resolve('src/model/contract.ts')), 'type-only import seen');
});

test('no import circle in src/ and bindings/ (type-only and dynamic imports included)', () => {
  const c = cycles();
  assert.equal(c, [], `circles:\n${c.map((x) => x.join(' → ')).join('\n')}`);
});

test('bindings/ imports nothing from src/', () => {
  const up = [...graph].flatMap(([f, deps]) => (rel(f).startsWith('bindings') ? deps.filter((d) => rel(d).startsWith('src')).map((d) => `${rel(f)} → ${rel(d)}`) : []));
  assert.equal(up, []);
});

test('no file in src/ over 400 lines; src/model/sequential.ts at most 150', () => {
  const long = files('src').map((f) => [f, readFileSync(f, 'utf8').split('\n').length - 1] as const).filter(([, n]) => n > 400);
  assert.equal(long, []);
  const seq = readFileSync('src/model/sequential.ts', 'utf8').split('\n').length - 1;
  assert.ok(seq <= 150, `sequential.ts has ${seq} lines`);
});

test.run();
