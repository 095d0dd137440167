// `npm run docs`: the API reference (TypeDoc, HTML) from the doc comments into docs/api/, one module per entry of
// package.json "exports" (scripts/package-entries.mjs), so a new subpath appears without touching this file.
// docs/api/ is generated, not committed (.gitignore); see README "API reference" for how it is published.
// Warnings (a broken {@link}, an exported type that refers to an unexported one) are printed; --strict makes
// them fatal.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Application, LogLevel } from 'typedoc';
import { ROOT, packageEntries } from './package-entries.mjs';

const out = join(ROOT, 'docs/api');
const entries = packageEntries();
const app = await Application.bootstrapWithPlugins({
  name: 'fused-rnn',
  entryPoints: entries.map((e) => join(ROOT, e.source)),
  tsconfig: join(ROOT, 'tsconfig.types.json'),
  readme: join(ROOT, 'README.md'),
  excludePrivate: true,
  excludeProtected: false,
  excludeInternal: true,
  excludeExternals: true,
  sort: ['kind', 'alphabetical'],
  validation: { notExported: true, invalidLink: true, notDocumented: false },
  treatWarningsAsErrors: process.argv.includes('--strict'),
  logLevel: LogLevel.Warn,
});
const project = await app.convert();
if (!project) throw new Error('typedoc: conversion failed (see the errors above)');
rmSync(out, { recursive: true, force: true });
await app.generateDocs(project, out);
if (app.logger.hasErrors()) process.exit(1);
console.log(`docs/api: API reference for ${entries.map((e) => (e.subpath === '.' ? 'fused-rnn' : `fused-rnn/${e.name}`)).join(', ')} (open docs/api/index.html)`);
