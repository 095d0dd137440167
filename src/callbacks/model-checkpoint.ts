// ModelCheckpoint: save the model at the end of every epoch, or only when the monitored value improves
// (Keras keras.callbacks.ModelCheckpoint, https://keras.io/api/callbacks/model_checkpoint/). The file path
// is a template: {epoch} (1-based, as Keras), any log key ({val_loss}), with Python-style formats
// {epoch:02d}, {val_loss:.4f}. Saves are atomic (src/io): an interrupted save leaves the previous file.

import { ConfigError } from '../errors.js';
import type { Model as Sequential } from '../model/model.js';
import { Callback, type Logs } from './callback.js';
import { improves, monitorDirection, warnMissing, type MonitorMode } from './monitor.js';
import { validateCallbackOptions } from '../options/callbacks.js';

/** Options of ModelCheckpoint (Keras names and defaults). */
export interface ModelCheckpointOptions {
  /** A directory (model.json + weights.bin) or a ".frnn" file; may contain {epoch} and {log_key:format}. */
  filepath: string;
  /** Default 'val_loss'. */
  monitor?: string;
  /** Save only when the monitored value improves on the best so far. Default false. */
  saveBestOnly?: boolean;
  mode?: MonitorMode;
  /** With saveBestOnly: the first save needs to beat this value. */
  initialValueThreshold?: number | null;
  verbose?: 0 | 1;
  /** How to write (default: saveModel from src/io). */
  save?: (model: Sequential, path: string) => Promise<void>;
}

/** Saves the model (atomically) at the end of each epoch, or only when the monitored metric improves (Keras ModelCheckpoint). */
export class ModelCheckpoint extends Callback {
  readonly filepath: string;
  readonly monitor: string;
  readonly saveBestOnly: boolean;
  readonly mode: MonitorMode;
  readonly verbose: 0 | 1;
  best: number;
  /** Paths written, in order (for inspection). */
  readonly saved: string[] = [];
  private readonly direction: 'min' | 'max';
  private readonly write: (model: Sequential, path: string) => Promise<void>;

  constructor(options: ModelCheckpointOptions) {
    super();
    options = validateCallbackOptions('ModelCheckpoint', options);
    if (typeof options?.filepath !== 'string' || options.filepath === '') throw new ConfigError('ModelCheckpoint: filepath must be a non-empty string');
    this.filepath = options.filepath;
    this.monitor = options.monitor ?? 'val_loss';
    this.saveBestOnly = options.saveBestOnly ?? false;
    this.mode = options.mode ?? 'auto';
    this.verbose = options.verbose ?? 0;
    this.direction = monitorDirection(this.monitor, this.mode, 'ModelCheckpoint');
    this.best = options.initialValueThreshold ?? (this.direction === 'min' ? Infinity : -Infinity);
    this.write = options.save ?? (async (model, path) => (await import('../io/checkpoint.js')).saveModel(model, path));
    formatFilepath(this.filepath, { epoch: 1 }, true); // checks the template's syntax now
  }

  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    super.onEpochEnd(epoch, logs); // checks the arguments (a hook called by hand)
    const path = formatFilepath(this.filepath, { ...logs, epoch: epoch + 1 });
    if (this.saveBestOnly) {
      const current = logs[this.monitor];
      if (current === undefined) {
        warnMissing(this, 'ModelCheckpoint', this.monitor, logs);
        return;
      }
      if (!improves(this.direction, current, this.best)) {
        if (this.verbose) console.log(`Epoch ${epoch + 1}: ${this.monitor} did not improve from ${this.best}`);
        return;
      }
      if (this.verbose) console.log(`Epoch ${epoch + 1}: ${this.monitor} improved from ${this.best} to ${current}, saving model to ${path}`);
      this.best = current;
    } else if (this.verbose) {
      console.log(`Epoch ${epoch + 1}: saving model to ${path}`);
    }
    await this.write(this.model as unknown as Sequential, path); // callbacks get the model itself (see setModel)
    this.saved.push(path);
  }
}

/** Fills {key} / {key:02d} / {key:.4f} / {key:.3e} from values; unknown keys throw ConfigError. */
export function formatFilepath(template: string, values: Record<string, number>, syntaxOnly = false): string {
  return template.replace(/\{([A-Za-z_][\w]*)(?::([^}]*))?\}/g, (_m, key: string, spec: string | undefined) => {
    const v = values[key];
    if (v === undefined && !syntaxOnly) throw new ConfigError(`ModelCheckpoint: filepath "${template}" uses {${key}} but the logs have ${Object.keys(values).join(', ')}`);
    const x = v ?? 0;
    if (spec === undefined || spec === '') return String(x);
    let m: RegExpMatchArray | null;
    if ((m = spec.match(/^(0?)(\d*)d$/))) return String(Math.trunc(x)).padStart(Number(m[2] || 0), m[1] ? '0' : ' ');
    if ((m = spec.match(/^\.(\d+)f$/))) return x.toFixed(Number(m[1]));
    if ((m = spec.match(/^\.(\d+)e$/))) return x.toExponential(Number(m[1])).replace(/e([+-])(\d)$/, 'e$10$2');
    throw new ConfigError(`ModelCheckpoint: unsupported format "{${key}:${spec}}" in filepath "${template}" (use d, 0Nd, .Nf or .Ne)`);
  });
}
