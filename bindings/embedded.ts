// The wasm builds embedded in the bundle (base64, written by scripts/build-wasm.mjs into build/).

import { release, scalar } from '../build/wasm-embedded.js';

export function embeddedWasm(which: 'release' | 'scalar'): Uint8Array {
  const text = atob(which === 'release' ? release : scalar);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
