// Rewrites a wasm module's memory import to a SHARED memory import, so one build serves one thread and N.
//
// Why a byte patch instead of a second AssemblyScript build (`--sharedMemory`): the flag changes nothing
// but the import's limits (flags byte 0x00/0x01 -> 0x03, plus a maximum); the code is the same, so the
// threaded path runs exactly the bytes the one-thread path runs (bit-identical results by construction), and
// the bundle does not carry two more base64 builds (~200 KB). docs/decisions.md "Threads".
//
// Binary layout walked here (WebAssembly core spec, binary format): magic + version (8 bytes), then sections
// `id:u8 size:u32leb payload`; the import section (id 2) is `count:leb` entries of
// `module:name field:name kind:u8 desc`, where a memory desc is limits `flags:u8 min:leb [max:leb]`.

import { FusedRnnError } from '../errors.js';

function readLeb(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0, shift = 0, i = at;
  for (;;) {
    if (i >= bytes.length) throw new FusedRnnError('threads: truncated wasm module (LEB128 runs past the end)');
    const b = bytes[i++];
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [value, i];
    shift += 7;
  }
}

function leb(value: number): number[] {
  const out: number[] = [];
  do {
    let b = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) b |= 0x80;
    out.push(b);
  } while (value > 0);
  return out;
}

/**
 * The module bytes with its imported memory declared shared with `maximumPages` as maximum (a shared memory
 * needs one). Throws FusedRnnError when the module imports no memory (it cannot share the arena).
 */
export function withSharedMemoryImport(bytes: Uint8Array, maximumPages: number): Uint8Array {
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, payload] = readLeb(bytes, at + 1);
    const end = payload + size;
    if (id === 2) {
      let [count, p] = readLeb(bytes, payload);
      for (; count > 0; count--) {
        for (let name = 0; name < 2; name++) {
          const [len, q] = readLeb(bytes, p);
          p = q + len;
        }
        const kind = bytes[p++];
        if (kind === 0 || kind === 4) p = readLeb(bytes, kind === 4 ? p + 1 : p)[1];
        else if (kind === 1) { const flags = bytes[p + 1]; p = readLeb(bytes, p + 2)[1]; if (flags & 1) p = readLeb(bytes, p)[1]; }
        else if (kind === 3) p += 2;
        else if (kind === 2) {
          const flags = bytes[p];
          const [min, afterMin] = readLeb(bytes, p + 1);
          const limitsEnd = flags & 1 ? readLeb(bytes, afterMin)[1] : afterMin;
          const limits = [0x03, ...leb(min), ...leb(maximumPages)];
          const newPayload = [...bytes.subarray(payload, p), ...limits, ...bytes.subarray(limitsEnd, end)];
          const out = [...bytes.subarray(0, at), 2, ...leb(newPayload.length), ...newPayload, ...bytes.subarray(end)];
          return Uint8Array.from(out);
        } else throw new FusedRnnError(`threads: unknown wasm import kind ${kind}`);
      }
    }
    at = end;
  }
  throw new FusedRnnError('threads: the wasm module imports no memory, so it cannot share the arena with workers');
}
