// Size limits of checkpoint loading (docs/checkpoint-format.md "Limits"), checked before anything is allocated.
import { CheckpointError } from '../errors.js';

/**
 * Limits checked on load BEFORE anything is allocated or built (a small file cannot make the loader
 * reserve gigabytes). Defaults: DEFAULT_LIMITS.
 */
export interface CheckpointLimits {
  /** Largest file (or fetched response) in bytes. */
  maxFileBytes?: number;
  /** Largest manifest (JSON) in bytes. */
  maxManifestBytes?: number;
  /** Largest number of weights (elements over all tensors) the model config may declare. */
  maxParams?: number;
  /** Most layers (wrappers count their inner layers) and most tensors. */
  maxLayers?: number;
}

/** 2 GiB of weights (half the wasm memory maximum), a 16 MiB manifest, 512M parameters, 10,000 layers/tensors. */
export const DEFAULT_LIMITS: Required<CheckpointLimits> = {
  maxFileBytes: 2 ** 31, maxManifestBytes: 16 * 2 ** 20, maxParams: 2 ** 29, maxLayers: 10_000,
};

/** The limits in force: defaults overridden by the caller's (each must be a positive number). */
export function resolveLimits(limits: CheckpointLimits | undefined): Required<CheckpointLimits> {
  const out = { ...DEFAULT_LIMITS };
  if (limits === undefined) return out;
  if (typeof limits !== 'object' || limits === null) throw new CheckpointError(`loadModel: limits must be an object, got ${JSON.stringify(limits)}`);
  for (const [key, value] of Object.entries(limits)) {
    if (!(key in DEFAULT_LIMITS)) throw new CheckpointError(`loadModel: unknown limit ${key}; the limits are ${Object.keys(DEFAULT_LIMITS).join(', ')}`);
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value > 0)) throw new CheckpointError(`loadModel: limits.${key} must be a positive number, got ${JSON.stringify(value)}`);
    out[key as keyof CheckpointLimits] = value;
  }
  return out;
}

/** How a checkpoint is read: limits, and whether files without the version-2 checksum are accepted. */
export interface CheckpointReadOptions {
  /** Size limits checked before anything is allocated (see DEFAULT_LIMITS). */
  limits?: CheckpointLimits;
  /**
   * Accept format version 1 files, whose manifest is not covered by any checksum (only their weights are).
   * Off by default so that a downgraded file cannot bypass the check; save again to upgrade.
   */
  allowUnverified?: boolean;
}
