// Terminal output helpers for the CLI: aligned tables and the --json switch.

export interface OutputOptions {
  json?: boolean;
}

/** Prints rows as an aligned table (numbers right-aligned). */
export function table(header: string[], rows: Array<Array<string | number>>): string {
  const cells = rows.map((r) => r.map((c) => String(c)));
  const width = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
  const isNum = header.map((_, i) => rows.every((r) => typeof r[i] === 'number'));
  const fmt = (r: string[]) => r.map((c, i) => (isNum[i] ? c.padStart(width[i]) : c.padEnd(width[i]))).join('  ');
  return [fmt(header), width.map((w) => '─'.repeat(w)).join('  '), ...cells.map(fmt)].join('\n');
}

/** Writes `value` as JSON (with --json) or calls `human` for the terminal form. */
export function emit(o: OutputOptions, value: unknown, human: () => string): void {
  process.stdout.write((o.json ? JSON.stringify(value, null, 2) : human()) + '\n');
}

/** Progress to stderr (so --json output on stdout stays clean). */
export function note(o: OutputOptions, text: string): void {
  if (!o.json) process.stderr.write(text + '\n');
}
