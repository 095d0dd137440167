// CSVLogger: one row per epoch (epoch, then the log keys sorted) to a CSV file (Keras
// keras.callbacks.CSVLogger, https://keras.io/api/callbacks/csv_logger/). Node only. With append, rows go
// after an existing file's rows and the header is written only when the file is empty or new.

import { ConfigError, ModelStateError } from '../errors.js';
import { Callback, type Logs } from './callback.js';
import { validateCallbackOptions } from '../options/callbacks.js';

/** Options of CSVLogger. */
export interface CSVLoggerOptions {
  /** Default ','. */
  separator?: string;
  /** Append to an existing file instead of overwriting it. Default false. */
  append?: boolean;
}

/** Writes one CSV row of logs per epoch to a file (Node), like Keras CSVLogger. */
export class CSVLogger extends Callback {
  readonly filename: string;
  readonly separator: string;
  readonly append: boolean;
  private keys: string[] | null = null;
  private writeHeader = true;
  private fs: typeof import('node:fs/promises') | null = null;

  constructor(filename: string, options: CSVLoggerOptions = {}) {
    super();
    options = validateCallbackOptions('CSVLogger', options);
    if (typeof filename !== 'string' || filename === '') throw new ConfigError('CSVLogger: filename must be a non-empty string');
    this.filename = filename;
    this.separator = options.separator ?? ',';
    this.append = options.append ?? false;
  }

  override async onTrainBegin(logs?: Logs): Promise<void> {
    super.onTrainBegin(logs); // checks the arguments (a hook called by hand)
    if (typeof process === 'undefined' || !process.versions?.node) throw new ConfigError('CSVLogger writes files and needs Node');
    this.fs = await import('node:fs/promises');
    this.keys = null;
    if (this.append) {
      const existing = await this.fs.readFile(this.filename, 'utf8').catch(() => '');
      this.writeHeader = existing.length === 0;
    } else {
      await this.fs.writeFile(this.filename, '');
      this.writeHeader = true;
    }
  }

  private field(v: string): string {
    return v.includes(this.separator) || v.includes('"') || v.includes('\n') ? `"${v.replace(/"/g, '""')}"` : v;
  }

  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    super.onEpochEnd(epoch, logs); // checks the arguments (a hook called by hand)
    if (!this.fs) throw new ModelStateError('CSVLogger.onEpochEnd: the log is not open (fit() calls onTrainBegin first)');
    this.keys ??= Object.keys(logs).sort();
    let text = '';
    if (this.writeHeader) {
      text += ['epoch', ...this.keys].map((k) => this.field(k)).join(this.separator) + '\n';
      this.writeHeader = false;
    }
    text += [String(epoch), ...this.keys.map((k) => (k in logs ? String(logs[k]) : 'NA'))].map((v) => this.field(v)).join(this.separator) + '\n';
    await this.fs!.appendFile(this.filename, text);
  }
}
