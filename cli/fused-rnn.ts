#!/usr/bin/env node
// The fused-rnn command line: train, evaluate, predict, compare (the main job), lm, summary, diagnose.

import { Command } from 'commander';
import { FusedRnnError } from '../src/index.js';
import { VERSION } from '../src/version.js';
import { compareCommand } from './commands/compare.js';
import { lmCommand } from './commands/lm.js';
import { evaluateCommand, predictCommand, summaryCommand } from './commands/predict.js';
import { trainCommand } from './commands/train.js';
import { diagnoseCommand } from './commands/diagnose.js';

const program = new Command('fused-rnn')
  .description('recurrent neural networks on fused WebAssembly SIMD kernels')
  .version(VERSION, '-V, --version', 'print the fused-rnn version')
  .showHelpAfterError()
  .addCommand(compareCommand())
  .addCommand(trainCommand())
  .addCommand(evaluateCommand())
  .addCommand(predictCommand())
  .addCommand(lmCommand())
  .addCommand(summaryCommand())
  .addCommand(diagnoseCommand());

try {
  await program.parseAsync(process.argv);
} catch (e) {
  // Our typed errors carry a complete message; anything else is a bug worth a stack trace.
  if (e instanceof FusedRnnError) {
    process.stderr.write(`fused-rnn: ${e.name}: ${e.message}\n`);
    process.exit(1);
  }
  throw e;
}
