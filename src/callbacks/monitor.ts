// Which way a monitored quantity improves, and the "is this better" test shared by the callbacks.

import { ConfigError } from '../errors.js';

/** Whether a smaller or larger monitored value is better; 'auto' infers it from the metric name. */
export type MonitorMode = 'auto' | 'min' | 'max';

const UP = /acc|auc|precision|recall|fmeasure|f1/i;
const DOWN = /loss|error|mse|mae|crossentropy|hinge|divergence/i;

/**
 * min or max for a monitor. 'auto': losses and errors go down; accuracy, AUC, precision, recall go up.
 * Other names: `strict` (Keras 3 EarlyStopping) throws, otherwise min (Keras ModelCheckpoint/ReduceLROnPlateau).
 */
export function monitorDirection(monitor: string, mode: MonitorMode, who: string, strict = false): 'min' | 'max' {
  if (mode === 'min' || mode === 'max') return mode;
  if (mode !== 'auto') throw new ConfigError(`${who}: mode must be 'auto', 'min' or 'max', got ${JSON.stringify(mode)}`);
  const name = monitor.replace(/^val_/, '');
  if (DOWN.test(name)) return 'min';
  if (UP.test(name)) return 'max';
  if (strict) throw new ConfigError(`${who}: cannot tell whether "${monitor}" should be minimised or maximised; pass mode: 'min' or 'max'`);
  return 'min';
}

/** Keras' improvement test: min: current - minDelta < reference; max: current - minDelta > reference (minDelta ≥ 0, sign by mode). */
export function improves(direction: 'min' | 'max', current: number, reference: number, minDelta = 0): boolean {
  return direction === 'min' ? current + minDelta < reference : current - minDelta > reference;
}

const warned = new WeakSet<object>();
/** Keras warns (once per callback here) when the monitored value is missing from the logs. */
export function warnMissing(owner: object, who: string, monitor: string, logs: Record<string, number>): void {
  if (warned.has(owner)) return;
  warned.add(owner);
  console.warn(`${who}: "${monitor}" is not in the logs (available: ${Object.keys(logs).join(', ') || 'none'}); skipping`);
}
