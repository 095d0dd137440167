// Every public export has a doc comment: for each entry of package.json "exports" (scripts/package-entries.mjs),
// every name its module exports (through `export *` and renames too) must resolve to a declaration with a
// /** doc comment */, which TypeDoc (`npm run docs`, docs/api/) and editors show. The failure lists each
// undocumented name with the file and line of its declaration, grouped by entry.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
// @ts-expect-error: a plain .mjs helper without declarations
import { packageEntries } from '../scripts/package-entries.mjs';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const ENTRIES = packageEntries() as Array<{ subpath: string; source: string }>;

/** Undocumented exports of each entry: "Name (kind) — file:line". */
function undocumentedExports(): Map<string, string[]> {
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.types.json'), {}, {
    ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); },
  })!;
  const program = ts.createProgram(ENTRIES.map((e) => join(ROOT, e.source)), { ...config.options, noEmit: true });
  const checker = program.getTypeChecker();
  const out = new Map<string, string[]>();
  for (const entry of ENTRIES) {
    const file = program.getSourceFile(join(ROOT, entry.source));
    if (!file) throw new Error(`${entry.source}: not in the program`);
    const moduleSymbol = checker.getSymbolAtLocation(file);
    if (!moduleSymbol) throw new Error(`${entry.source}: not a module`);
    const missing: string[] = [];
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const declarations = target.getDeclarations() ?? [];
      const documented = target.getDocumentationComment(checker).some((part) => part.text.trim() !== '')
        || declarations.some((d) => ts.getJSDocCommentsAndTags(d).some((j) => ts.isJSDoc(j) && j.comment !== undefined));
      if (documented) continue;
      const d = declarations[0];
      const where = d ? `${relative(ROOT, d.getSourceFile().fileName)}:${d.getSourceFile().getLineAndCharacterOfPosition(d.getStart()).line + 1}` : '?';
      const kind = d ? ts.SyntaxKind[d.kind].replace(/Declaration$/, '') : '?';
      missing.push(`${exported.name} (${kind}) — ${where}`);
    }
    out.set(entry.subpath, missing.sort());
  }
  return out;
}

test('every public export (each package.json "exports" entry) has a /** doc comment */', () => {
  const missing = undocumentedExports();
  const lines: string[] = [];
  let total = 0;
  for (const [subpath, names] of missing) {
    if (!names.length) continue;
    total += names.length;
    lines.push(`${subpath === '.' ? 'fused-rnn' : `fused-rnn/${subpath.slice(2)}`}: ${names.length} undocumented export(s):`, ...names.map((n) => `  ${n}`));
  }
  assert.ok(missing.size === ENTRIES.length && missing.size > 0, 'checked every entry');
  if (total) assert.unreachable(`${total} public export(s) without a doc comment (add /** ... */ above the declaration):\n${lines.join('\n')}`);
});

test.run();
