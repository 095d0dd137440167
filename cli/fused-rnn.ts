#!/usr/bin/env node
// The fused-rnn command line: train, evaluate, predict, compare (the main job), lm, summary, diagnose.

import { Command } from 'commander';
import { VERSION } from '../src/version.js';
import { compareCommand } from './commands/compare.js';
import { lmCommand } from './commands/lm.js';
import { evaluateCommand, predictCommand, summaryCommand } from './commands/predict.js';
import { trainCommand } from './commands/train.js';
import { diagnoseCommand } from './commands/diagnose.js';
import { exportCommand } from './commands/export.js';
import { importCommand } from './commands/import.js';
import { reportError } from './errors.js';

// --debug (anywhere on the line): print stack traces of failures; otherwise every failure is one line.
const debug = process.argv.includes('--debug');
const argv = process.argv.filter((a) => a !== '--debug');
const fail = (e: unknown): never => {
  process.stderr.write(reportError(e, debug) + '\n');
  process.exit(1);
};
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

const program = new Command('fused-rnn')
  .description('recurrent neural networks on fused WebAssembly SIMD kernels')
  .version(VERSION, '-V, --version', 'print the fused-rnn version')
  .showHelpAfterError('(fused-rnn --help lists the commands; fused-rnn <command> --help their options)')
  .option('--debug', 'print stack traces of failures')
  .addCommand(compareCommand())
  .addCommand(trainCommand())
  .addCommand(evaluateCommand())
  .addCommand(predictCommand())
  .addCommand(lmCommand())
  .addCommand(summaryCommand())
  .addCommand(diagnoseCommand())
  .addCommand(importCommand())
  .addCommand(exportCommand());

try {
  await program.parseAsync(argv);
} catch (e) {
  fail(e);
}
