// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320; the zlib/PNG/gzip checksum), synchronous so the
// checkpoint checksum is computable in browsers without async WebCrypto. Table-driven, one byte per step.

import { CheckpointError } from '../errors.js';

let table: Uint32Array | null = null;

function makeTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

/**
 * CRC-32 of bytes as an unsigned 32-bit integer; crc32(ascii "123456789") = 0xCBF43926. Pass the CRC of
 * the bytes before to continue it (zlib's crc32(crc, buf)): crc32(b, crc32(a)) = crc32(a ‖ b).
 */
export function crc32(bytes: Uint8Array, previous = 0): number {
  if (!(bytes instanceof Uint8Array)) throw new CheckpointError(`crc32: bytes must be a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
  if (!Number.isInteger(previous) || previous < 0 || previous > 0xffffffff) throw new CheckpointError(`crc32: previous must be a CRC-32 (an integer in [0, 2^32)), got ${String(previous)}`);
  const t = (table ??= makeTable());
  let c = (previous ^ 0xffffffff) >>> 0;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** 8 lowercase hex digits, the form stored in the manifest. */
export function crc32Hex(bytes: Uint8Array, previous = 0): string {
  return crc32(bytes, previous).toString(16).padStart(8, '0');
}
