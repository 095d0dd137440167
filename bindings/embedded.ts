// The wasm builds embedded in the bundle (base64, written by scripts/build-wasm.mjs into build/).

import { relaxed, release, scalar } from '../build/wasm-embedded.js';

/** The bytes of an embedded build: 'release' (SIMD), 'relaxed' (SIMD + relaxed-SIMD FMA) or 'scalar'. */
export function embeddedWasm(which: 'release' | 'relaxed' | 'scalar'): Uint8Array {
  const text = atob(which === 'release' ? release : which === 'relaxed' ? relaxed : scalar);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
