/// <reference path="../jsfive.d.ts" />
// Reading HDF5 (Keras weights) with jsfive, a pure-JS read-only HDF5 reader (loaded lazily: only the
// Keras paths need it). Every failure becomes a ModelFileError naming the file and the HDF5 path.
import { ModelFileError } from '../errors.js';
import { ownBuffer } from '../source.js';
import type { Tensor } from '../tensor.js';

interface JsfiveNode {
  attrs: Record<string, unknown>;
  keys?: string[];
  shape?: number[];
  dtype?: unknown;
  value?: ArrayLike<number> | number;
  get(path: string): JsfiveNode | null;
}

/** An open HDF5 file: typed access to groups, attributes and float datasets by path. */
export class Hdf5Reader {
  private constructor(private readonly root: JsfiveNode, readonly file: string, private readonly Group: new (...a: never[]) => unknown) {}

  /** Opens HDF5 bytes; ModelFileError when they are not a readable HDF5 file. */
  static async open(bytes: Uint8Array, file: string): Promise<Hdf5Reader> {
    const hdf5 = await import('jsfive');
    if (bytes.length < 8 || bytes[0] !== 0x89 || bytes[1] !== 0x48 || bytes[2] !== 0x44 || bytes[3] !== 0x46) {
      throw new ModelFileError(file, 'is not an HDF5 file (no HDF5 signature)');
    }
    const declared = hdf5EndOfFile(bytes);
    if (declared !== null && declared > bytes.length) {
      throw new ModelFileError(file, `is truncated: its HDF5 superblock declares ${declared} bytes, the file has ${bytes.length}`);
    }
    try {
      const root = new hdf5.File(ownBuffer(bytes), file) as unknown as JsfiveNode;
      void root.keys;
      return new Hdf5Reader(root, file, hdf5.Group as never);
    } catch (e) {
      throw new ModelFileError(file, `cannot read the HDF5 file (damaged or truncated?): ${(e as Error).message}`);
    }
  }

  private node(path: string): JsfiveNode | null {
    try {
      return path === '' || path === '/' ? this.root : this.root.get(path);
    } catch {
      return null;
    }
  }

  /** Whether a group or dataset exists at path. */
  has(path: string): boolean {
    return this.node(path) !== null;
  }

  /** The attributes of the group/dataset at path ({} when it has none); ModelFileError when it is missing. */
  attrs(path: string): Record<string, unknown> {
    const n = this.node(path);
    if (!n) throw new ModelFileError(`${this.file}:${path || '/'}`, 'is missing');
    try {
      return n.attrs ?? {};
    } catch (e) {
      throw new ModelFileError(`${this.file}:${path || '/'}`, `unreadable attributes: ${(e as Error).message}`);
    }
  }

  /** Child names of the group at path. */
  keys(path: string): string[] {
    const n = this.node(path);
    return n && n instanceof this.Group ? (n.keys ?? []) : [];
  }

  /** The float dataset at path as float32; ModelFileError naming the path when missing or unreadable. */
  tensor(path: string): Tensor {
    const where = `${this.file}:${path}`;
    const n = this.node(path);
    if (!n || n instanceof this.Group) throw new ModelFileError(where, 'dataset is missing');
    try {
      const shape = (n.shape ?? []).slice();
      const v = n.value;
      const data = typeof v === 'number' ? Float32Array.of(v) : Float32Array.from(v as ArrayLike<number>);
      const want = shape.reduce((a, b) => a * b, 1);
      if (data.length !== want) throw new Error(`holds ${data.length} values for shape (${shape.join(', ')})`);
      return { shape, data };
    } catch (e) {
      throw new ModelFileError(where, `unreadable dataset (damaged file?): ${(e as Error).message}`);
    }
  }
}

/**
 * The end-of-file address the HDF5 superblock declares (versions 0-3), or null when it cannot be read.
 * A file shorter than that was truncated, even when the datasets one needs happen to sit before the cut.
 */
export function hdf5EndOfFile(bytes: Uint8Array): number | null {
  if (bytes.length < 48) return null;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = bytes[8];
  const read = (at: number, size: number): number | null => {
    if (at + size > bytes.length) return null;
    if (size === 8) return Number(v.getBigUint64(at, true));
    if (size === 4) return v.getUint32(at, true);
    return null;
  };
  if (version === 0 || version === 1) {
    const O = bytes[13];
    const base = version === 0 ? 24 : 28;
    const b = read(base, O), eof = read(base + 2 * O, O);
    return b === null || eof === null ? null : b + eof;
  }
  if (version === 2 || version === 3) {
    const O = bytes[9];
    const b = read(12, O), eof = read(12 + 2 * O, O);
    return b === null || eof === null ? null : b + eof;
  }
  return null;
}

/** An attribute as a string (h5py writes str attributes as variable-length strings; jsfive may give bytes). */
export function attrString(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  if (Array.isArray(v) && v.length === 1) return attrString(v[0]);
  return null;
}

/** An attribute as a list of strings (e.g. weight_names). */
export function attrStrings(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map((x) => attrString(x) ?? String(x));
  const s = attrString(v);
  return s === null ? [] : [s];
}
