// The CLI's own typed error (bad flags, a refused --out target) and the one-line error report: every
// failure prints `fused-rnn: <Type>: <message>` on one line and exits 1; the stack only with --debug.

import { CommanderError } from 'commander';
import { FusedRnnError } from '../src/index.js';

/** A bad command-line value or a refused operation (e.g. --out would replace a user's file). */
export class CliError extends FusedRnnError {}

/** The one-line report of any error (typed or not); with `debug`, the stack follows. */
export function reportError(e: unknown, debug: boolean): string {
  const oneLine = (s: string) => s.replace(/\s*\n\s*/g, '; ').trim();
  let line: string;
  if (e instanceof FusedRnnError) line = `fused-rnn: ${e.name}: ${oneLine(e.message)}`;
  else if (e instanceof CommanderError) line = `fused-rnn: ${oneLine(e.message.replace(/^error: /, ''))}`;
  else if (e instanceof Error) line = `fused-rnn: error: ${oneLine(e.message)}${debug ? '' : ' (run with --debug for details)'}`;
  else line = `fused-rnn: error: ${oneLine(String(e))}`;
  return debug && e instanceof Error && e.stack ? `${line}\n${e.stack}` : line;
}
