// Reading a model source: bytes, a file path (Node) or a URL (browsers, or Node with fetch). File paths are
// read through a lazily imported node:fs, so browser bundles never see it.
import { ModelFileError } from './errors.js';

/** Bytes, a path (Node), a URL string, or a URL object. */
export type ByteSource = Uint8Array | ArrayBuffer | string | URL;

/** True for strings that look like a URL (http(s), blob, data, file). */
function isUrl(s: string): boolean {
  return /^(https?|blob|data|file):/i.test(s);
}

const inNode = typeof process !== 'undefined' && !!process.versions?.node;

/** Reads a source into bytes; ModelFileError naming the path/URL when it cannot be read. */
export async function readBytes(source: ByteSource, what = 'model file'): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (typeof source !== 'string' && !(source instanceof URL)) throw new ModelFileError(what, `the source must be a path, a URL, an ArrayBuffer or a Uint8Array, got ${source === null ? 'null' : Array.isArray(source) ? `an array of ${(source as unknown[]).length}` : typeof source}`); // issue 16
  const s = String(source);
  if (isUrl(s) && !(inNode && s.startsWith('file:'))) {
    let res: Response;
    try {
      res = await fetch(s);
    } catch (e) {
      throw new ModelFileError(s, `cannot fetch the ${what}: ${(e as Error).message}`);
    }
    if (!res.ok) throw new ModelFileError(s, `cannot fetch the ${what}: HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  }
  if (!inNode) throw new ModelFileError(s, `a file path needs Node; in browsers pass a URL or the bytes of the ${what}`);
  const fs = await import('node:fs/promises');
  const { fileURLToPath } = await import('node:url');
  const path = s.startsWith('file:') ? fileURLToPath(s) : s;
  try {
    return new Uint8Array(await fs.readFile(path));
  } catch (e) {
    throw new ModelFileError(path, `cannot read the ${what}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Resolves `name` next to `base` (a path or URL): the TF.js shard rule. */
export async function resolveBeside(base: string | URL, name: string): Promise<string> {
  const s = String(base);
  if (isUrl(s)) return new URL(name, s).href;
  const { dirname, join } = await import('node:path');
  return join(dirname(s), name);
}

/** An ArrayBuffer holding exactly these bytes (jsfive and DataView want an ArrayBuffer of their own). */
export function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
    ? bytes.buffer
    : (bytes.slice().buffer as ArrayBuffer);
}
