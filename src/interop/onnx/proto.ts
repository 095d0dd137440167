// A small hand-written reader/writer for the part of onnx.proto fused-rnn needs (ModelProto, GraphProto,
// NodeProto, AttributeProto, TensorProto, ValueInfoProto with tensor types, OperatorSetIdProto). Protobuf
// wire format: key = (field << 3) | wire type; 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32.
// Field numbers: https://github.com/onnx/onnx/blob/main/onnx/onnx.proto (cited, not copied).
import { ModelFileError } from '../errors.js';
import { DataType, type OnnxAttribute, type OnnxGraph, type OnnxModel, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './proto-types.js';

export { DataType, type OnnxAttribute, type OnnxGraph, type OnnxModel, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './proto-types.js';
export { encodeModel } from './proto-write.js';

// ---- reading

class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array, readonly end: number, readonly where: string) {}

  fail(msg: string): never {
    throw new ModelFileError(this.where, `${msg} at byte ${this.pos} (truncated or not an ONNX file?)`);
  }

  varint(): number {
    let result = 0, shift = 0;
    for (;;) {
      if (this.pos >= this.end) this.fail('varint runs past the end');
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
      if (shift > 63) this.fail('varint too long');
    }
    return result;
  }

  /** A varint as a signed 64-bit integer (two's complement), as a JS number (exact below 2^53). */
  int64(): number {
    let v = 0n, shift = 0n;
    for (;;) {
      if (this.pos >= this.end) this.fail('varint runs past the end');
      const b = this.buf[this.pos++];
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
      if (shift > 63n) this.fail('varint too long');
    }
    return Number(BigInt.asIntN(64, v));
  }

  bytes(): Uint8Array {
    const n = this.varint();
    if (this.pos + n > this.end) this.fail(`a field of ${n} bytes runs past the end`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  sub(): Reader {
    const n = this.varint();
    if (this.pos + n > this.end) this.fail(`a message of ${n} bytes runs past the end`);
    const r = new Reader(this.buf, this.pos + n, this.where);
    r.pos = this.pos;
    this.pos += n;
    return r;
  }

  string(): string {
    return new TextDecoder().decode(this.bytes());
  }

  float(): number {
    if (this.pos + 4 > this.end) this.fail('float runs past the end');
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4).getFloat32(0, true);
    this.pos += 4;
    return v;
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) { const n = this.varint(); this.pos += n; }
    else if (wire === 5) this.pos += 4;
    else this.fail(`unknown wire type ${wire}`);
    if (this.pos > this.end) this.fail('field runs past the end');
  }

  /** Calls fn(field, wire) for each field; fn returns false for fields it does not read (skipped). */
  each(fn: (field: number, wire: number) => boolean): void {
    while (this.pos < this.end) {
      const key = this.varint();
      const field = Math.floor(key / 8), wire = key & 7;
      if (!fn(field, wire)) this.skip(wire);
    }
  }

  /** Repeated scalar field, packed (wire 2) or not. */
  packed(wire: number, read: (r: Reader) => number, out: number[]): void {
    if (wire === 2) {
      const r = this.sub();
      while (r.pos < r.end) out.push(read(r));
    } else {
      out.push(read(this));
    }
  }
}

function readTensor(r: Reader): OnnxTensor {
  const t: OnnxTensor = { name: '', dims: [], dataType: 0, data: new Float32Array(0) };
  const floats: number[] = [], ints: number[] = [], doubles: number[] = [];
  let raw: Uint8Array | null = null;
  let external = false;
  r.each((f, w) => {
    switch (f) {
      case 1: r.packed(w, (x) => x.int64(), t.dims); return true;
      case 2: t.dataType = r.varint(); return true;
      case 4: r.packed(w, (x) => x.float(), floats); return true;
      case 5: r.packed(w, (x) => x.int64(), ints); return true;
      case 7: r.packed(w, (x) => x.int64(), ints); return true;
      case 8: t.name = r.string(); return true;
      case 9: raw = r.bytes(); return true;
      case 10: r.packed(w, (x) => { const v = new DataView(x.buf.buffer, x.buf.byteOffset + x.pos, 8).getFloat64(0, true); x.pos += 8; return v; }, doubles); return true;
      case 13: external = true; return false;
      default: return false;
    }
  });
  if (external) throw new ModelFileError(`tensor ${t.name}`, 'stores its data in an external file; save the model with the weights inside (save_as_external_data=False)');
  const n = t.dims.reduce((a, b) => a * b, 1);
  const dt = t.dataType;
  const isFloat = dt === DataType.FLOAT || dt === DataType.FLOAT16 || dt === DataType.DOUBLE;
  if (raw) {
    const b = raw as Uint8Array;
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const width = ({ 1: 4, 2: 1, 3: 1, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8 } as Record<number, number>)[dt];
    if (!width) throw new ModelFileError(`tensor ${t.name}`, `has unsupported data type ${dt}`);
    if (b.byteLength !== n * width) throw new ModelFileError(`tensor ${t.name}`, `raw_data holds ${b.byteLength} bytes, dims (${t.dims.join(', ')}) need ${n * width}`);
    const out = isFloat ? new Float32Array(n) : new Float64Array(n);
    for (let i = 0; i < n; i++) {
      switch (dt) {
        case 1: out[i] = view.getFloat32(i * 4, true); break;
        case 2: case 9: out[i] = view.getUint8(i); break;
        case 3: out[i] = view.getInt8(i); break;
        case 6: out[i] = view.getInt32(i * 4, true); break;
        case 7: out[i] = Number(view.getBigInt64(i * 8, true)); break;
        case 10: out[i] = halfToFloat(view.getUint16(i * 2, true)); break;
        case 11: out[i] = view.getFloat64(i * 8, true); break;
      }
    }
    t.data = out;
  } else {
    const src = dt === DataType.FLOAT ? floats : dt === DataType.DOUBLE ? doubles : dt === DataType.FLOAT16 ? ints.map(halfToFloat) : ints;
    if (src.length !== n) throw new ModelFileError(`tensor ${t.name}`, `holds ${src.length} values, dims (${t.dims.join(', ')}) need ${n}`);
    t.data = isFloat ? Float32Array.from(src) : Float64Array.from(src);
  }
  return t;
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

function readAttribute(r: Reader): OnnxAttribute {
  const a: OnnxAttribute = { name: '', type: 0 };
  r.each((f, w) => {
    switch (f) {
      case 1: a.name = r.string(); return true;
      case 20: a.type = r.varint(); return true;
      case 2: a.f = r.float(); return true;
      case 3: a.i = r.int64(); return true;
      case 4: a.s = r.string(); return true;
      case 5: a.t = readTensor(r.sub()); return true;
      case 7: r.packed(w, (x) => x.float(), (a.floats ??= [])); return true;
      case 8: r.packed(w, (x) => x.int64(), (a.ints ??= [])); return true;
      case 9: (a.strings ??= []).push(r.string()); return true;
      default: return false;
    }
  });
  return a;
}

function readNode(r: Reader): OnnxNode {
  const n: OnnxNode = { name: '', opType: '', domain: '', inputs: [], outputs: [], attributes: [] };
  r.each((f) => {
    switch (f) {
      case 1: n.inputs.push(r.string()); return true;
      case 2: n.outputs.push(r.string()); return true;
      case 3: n.name = r.string(); return true;
      case 4: n.opType = r.string(); return true;
      case 5: n.attributes.push(readAttribute(r.sub())); return true;
      case 7: n.domain = r.string(); return true;
      default: return false;
    }
  });
  return n;
}

function readValueInfo(r: Reader): OnnxValueInfo {
  const v: OnnxValueInfo = { name: '', elemType: 0, dims: [] };
  r.each((f) => {
    if (f === 1) { v.name = r.string(); return true; }
    if (f !== 2) return false;
    const type = r.sub();
    type.each((tf) => {
      if (tf !== 1) return false;
      const tt = type.sub();
      tt.each((ff) => {
        if (ff === 1) { v.elemType = tt.varint(); return true; }
        if (ff !== 2) return false;
        const shape = tt.sub();
        shape.each((sf) => {
          if (sf !== 1) return false;
          const dim = shape.sub();
          let d: number | string | null = null;
          dim.each((df) => {
            if (df === 1) { d = dim.int64(); return true; }
            if (df === 2) { d = dim.string(); return true; }
            return false;
          });
          v.dims.push(d);
          return true;
        });
        return true;
      });
      return true;
    });
    return true;
  });
  return v;
}

function readGraph(r: Reader): OnnxGraph {
  const g: OnnxGraph = { name: '', nodes: [], initializers: [], inputs: [], outputs: [] };
  r.each((f) => {
    switch (f) {
      case 1: g.nodes.push(readNode(r.sub())); return true;
      case 2: g.name = r.string(); return true;
      case 5: g.initializers.push(readTensor(r.sub())); return true;
      case 11: g.inputs.push(readValueInfo(r.sub())); return true;
      case 12: g.outputs.push(readValueInfo(r.sub())); return true;
      default: return false;
    }
  });
  return g;
}

/** Decodes an ONNX ModelProto; ModelFileError naming the file for malformed or truncated bytes. */
export function decodeModel(bytes: Uint8Array, file: string): OnnxModel {
  const r = new Reader(bytes, bytes.length, file);
  const m: OnnxModel = { irVersion: 0, producerName: '', producerVersion: '', opsets: [], graph: null as unknown as OnnxGraph };
  r.each((f) => {
    switch (f) {
      case 1: m.irVersion = r.varint(); return true;
      case 2: m.producerName = r.string(); return true;
      case 3: m.producerVersion = r.string(); return true;
      case 7: m.graph = readGraph(r.sub()); return true;
      case 8: {
        const o = r.sub(), op = { domain: '', version: 0 };
        o.each((ff) => { if (ff === 1) { op.domain = o.string(); return true; } if (ff === 2) { op.version = o.varint(); return true; } return false; });
        m.opsets.push(op);
        return true;
      }
      default: return false;
    }
  });
  if (!m.graph) throw new ModelFileError(file, 'holds no ONNX graph');
  return m;
}

