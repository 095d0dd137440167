// ProgressBar: fit() progress in a terminal. On a TTY (Node), one cli-progress bar per epoch with
// batch/steps and the running loss, finished with the epoch's logs; elsewhere (pipes, CI logs, browsers)
// one line per epoch. cli-progress is imported dynamically, and only on a Node TTY, so browser bundles
// never include it.

import type { SingleBar } from 'cli-progress';
import { Callback, type Logs } from './callback.js';
import { validateCallbackOptions } from '../options/callbacks.js';

/** What the training loop knows up front (Keras callback params). */
export interface ProgressParams {
  epochs?: number;
  /** Batches per epoch. */
  steps?: number;
}

/** Options of ProgressBar: the progress parameters and where to write. */
export interface ProgressBarOptions extends ProgressParams {
  /** Default process.stdout in Node, console.log elsewhere. */
  stream?: { write(s: string): unknown; isTTY?: boolean; columns?: number };
  /** Off a TTY: also print a progress line (batches, elapsed, ETA, loss) at most this often, seconds. Default: never. */
  everySeconds?: number;
}

/** "loss: 0.6931 - val_loss: 0.6900" (Keras order: as logged). */
export function formatLogs(logs: Logs): string {
  return Object.entries(logs).filter(([k]) => k !== 'size' && k !== 'batch').map(([k, v]) => `${k}: ${formatValue(v)}`).join(' - ');
}

function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5) ? v.toExponential(4) : v.toFixed(4);
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** A terminal progress bar per epoch with the running logs (verbose: 1 in fit()). */
export class ProgressBar extends Callback {
  private params: ProgressParams;
  private readonly stream: ProgressBarOptions['stream'] | null;
  private bar: SingleBar | null = null;
  private epoch = 0;
  private batches = 0;
  private lossSum = 0;
  private lossCount = 0;
  private started = 0;
  private lastLine = 0;
  private readonly everySeconds: number | null;

  constructor(options: ProgressBarOptions = {}) {
    super();
    options = validateCallbackOptions('ProgressBar', options);
    this.params = { epochs: options.epochs, steps: options.steps };
    this.everySeconds = options.everySeconds ?? null;
    this.stream = options.stream ?? (typeof process !== 'undefined' && process.stdout ? process.stdout : null);
  }

  /** Called by fit() with the number of epochs and batches per epoch (optional: learnt after epoch 1). */
  setParams(params: ProgressParams): void {
    this.params = { ...this.params, ...params };
  }

  private get tty(): boolean {
    return !!this.stream?.isTTY && typeof process !== 'undefined' && !!process.versions?.node;
  }

  private print(line: string): void {
    if (this.stream) this.stream.write(line + '\n');
    else console.log(line);
  }

  private get title(): string {
    return `Epoch ${this.epoch + 1}${this.params.epochs ? `/${this.params.epochs}` : ''}`;
  }

  override async onEpochBegin(epoch: number, logs?: Logs): Promise<void> {
    super.onEpochBegin(epoch, logs); // checks the arguments (a hook called by hand)
    this.epoch = epoch;
    this.batches = 0;
    this.lossSum = 0;
    this.lossCount = 0;
    this.started = this.lastLine = now();
    if (!this.tty) return;
    const spec = 'cli-progress'; // a non-literal specifier: bundlers leave this Node-only import alone
    const mod = (await import(spec)) as typeof import('cli-progress') & { default?: typeof import('cli-progress') };
    const { SingleBar, Presets } = mod.default ?? mod;
    this.bar = new SingleBar({
      format: `${this.title} {bar} {value}/{total} - {duration_formatted} - ETA {eta_formatted} - loss: {loss}`,
      stream: this.stream as NodeJS.WritableStream, hideCursor: false, clearOnComplete: false, stopOnComplete: false, barsize: 30, fps: 10,
    }, Presets.shades_classic);
    this.bar.start(this.params.steps ?? 1, 0, { loss: '-' });
  }

  override onBatchEnd(batch: number, logs: Logs = {}): void {
    super.onBatchEnd(batch, logs); // checks the arguments (a hook called by hand)
    this.batches++;
    const n = logs.size ?? 1;
    if (logs.loss !== undefined && Number.isFinite(logs.loss)) {
      this.lossSum += logs.loss * n;
      this.lossCount += n;
    }
    if (this.bar) {
      if (!this.params.steps && this.batches > this.bar.getTotal()) this.bar.setTotal(this.batches);
      this.bar.update(this.batches, { loss: this.lossCount ? formatValue(this.lossSum / this.lossCount) : 'nan' });
    } else if (this.everySeconds !== null && now() - this.lastLine >= this.everySeconds * 1000) {
      this.lastLine = now();
      const elapsed = (this.lastLine - this.started) / 1000, steps = this.params.steps;
      const eta = steps ? ` - ETA ${Math.max(0, (elapsed / this.batches) * (steps - this.batches)).toFixed(0)}s` : '';
      const loss = this.lossCount ? formatValue(this.lossSum / this.lossCount) : 'nan';
      this.print(`${this.title} - ${this.batches}/${steps ?? '?'} - ${elapsed.toFixed(0)}s${eta} - loss: ${loss}`);
    }
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    super.onEpochEnd(epoch, logs); // checks the arguments (a hook called by hand)
    const seconds = ((now() - this.started) / 1000).toFixed(1);
    this.params.steps ??= this.batches;
    const summary = `${this.batches}/${this.params.steps ?? this.batches} - ${seconds}s - ${formatLogs(logs)}`;
    if (this.bar) {
      this.bar.stop();
      this.bar = null;
      this.print(`  ${summary}`);
    } else {
      this.print(`${this.title} - ${summary}`);
    }
  }

  override onTrainEnd(logs?: Logs): void {
    super.onTrainEnd(logs); // checks the arguments (a hook called by hand)
    this.bar?.stop();
    this.bar = null;
  }
}
