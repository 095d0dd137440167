// safetensors (https://huggingface.co/docs/safetensors): u64 little-endian header length N, N bytes of JSON
// {name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?: {...}}, then the raw little-endian data
// (offsets relative to the end of the header). Read and written by hand: the format is 20 lines of code.
import { ModelFileError } from '../errors.js';
import { sizeOfShape, type Tensor } from '../tensor.js';

const WIDTH: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4 };

/** A state_dict as read from safetensors: tensors by name (converted to float32) and the metadata. */
export interface StateDict {
  tensors: Map<string, Tensor>;
  metadata: Record<string, string>;
}

function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** Parses safetensors bytes; ModelFileError naming the file or the tensor when damaged. */
export function readSafetensors(bytes: Uint8Array, file: string): StateDict {
  if (bytes.length < 8) throw new ModelFileError(file, `is ${bytes.length} bytes: too short for a safetensors header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > bytes.length - 8 || n < 2) throw new ModelFileError(file, `header length ${n} does not fit the ${bytes.length}-byte file (truncated or not safetensors)`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new ModelFileError(`${file} header`, `is not valid JSON: ${(e as Error).message}`);
  }
  const base = 8 + n;
  const tensors = new Map<string, Tensor>();
  let metadata: Record<string, string> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') { metadata = info as Record<string, string>; continue; }
    const { dtype, shape, data_offsets: [b, e] } = info as { dtype: string; shape: number[]; data_offsets: [number, number] };
    const w = WIDTH[dtype];
    if (!w) throw new ModelFileError(`${file} tensor ${name}`, `has dtype ${dtype}; supported: ${Object.keys(WIDTH).join(', ')}`);
    const count = sizeOfShape(shape);
    if (e - b !== count * w) throw new ModelFileError(`${file} tensor ${name}`, `spans ${e - b} bytes, shape (${shape.join(', ')}) of ${dtype} needs ${count * w}`);
    if (base + e > bytes.length) throw new ModelFileError(`${file} tensor ${name}`, `ends at byte ${base + e}, the file has ${bytes.length} (truncated)`);
    const data = new Float32Array(count);
    const o = base + b;
    for (let i = 0; i < count; i++) {
      switch (dtype) {
        case 'F32': data[i] = view.getFloat32(o + i * 4, true); break;
        case 'F16': data[i] = half(view.getUint16(o + i * 2, true)); break;
        case 'BF16': data[i] = new Float32Array(new Uint32Array([view.getUint16(o + i * 2, true) << 16]).buffer)[0]; break;
        case 'F64': data[i] = view.getFloat64(o + i * 8, true); break;
        case 'I64': data[i] = Number(view.getBigInt64(o + i * 8, true)); break;
        case 'I32': data[i] = view.getInt32(o + i * 4, true); break;
      }
    }
    tensors.set(name, { shape: shape.slice(), data });
  }
  return { tensors, metadata };
}

/** Writes float32 tensors as safetensors (names sorted, as the reference writer does; 8-byte aligned header). */
export function writeSafetensors(tensors: Map<string, Tensor>, metadata: Record<string, string> = { format: 'pt' }): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.length * 4] };
    offset += t.data.length * 4;
  }
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8 !== 0) json += ' ';
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let o = 8 + head.length;
  for (const name of names) {
    const d = tensors.get(name)!.data;
    for (let i = 0; i < d.length; i++) view.setFloat32(o + i * 4, d[i], true);
    o += d.length * 4;
  }
  return out;
}
