// Writes a benchmark's results as bench/results/<name>-<YYYY-MM-DD>.json (committed, one file per day and
// benchmark; a rerun on the same day replaces it).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

/** Saves `data` as pretty JSON and returns the path relative to the working directory. */
export function saveResults(name: string, data: unknown, date = new Date()): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}-${date.toISOString().slice(0, 10)}.json`);
  writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
  return relative(process.cwd(), file);
}
