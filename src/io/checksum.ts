// The version-2 checkpoint checksum, free of any model code (src/infer's light decoder imports it too):
// CRC-32 of the manifest's canonical JSON without its `checksum` key, continued over the blob.
import { CheckpointError } from '../errors.js';
import { crc32, crc32Hex } from './crc32.js';

/** CRC-32 (8 hex digits) of JSON.stringify(manifest without `checksum`) followed by the blob (docs/checkpoint-format.md). */
export function manifestChecksum(manifest: object, blob: Uint8Array): string {
  if (typeof manifest !== 'object' || manifest === null) throw new CheckpointError(`manifestChecksum: manifest must be an object, got ${manifest === null ? 'null' : typeof manifest}`);
  const rest: Record<string, unknown> = { ...(manifest as Record<string, unknown>) };
  delete rest.checksum;
  return crc32Hex(blob, crc32(new TextEncoder().encode(JSON.stringify(rest))));
}
