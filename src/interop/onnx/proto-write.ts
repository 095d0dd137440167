// Encoding the ONNX messages of proto-types.ts (protobuf wire format: key = (field << 3) | wire type).
import { DataType, type OnnxAttribute, type OnnxModel, type OnnxTensor, type OnnxValueInfo } from './proto-types.js';


class Writer {
  private chunks: Uint8Array[] = [];
  private size = 0;

  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.size += b.length;
  }

  varint(v: number): void {
    // int64 two's complement for negatives (e.g. axis -1): ten bytes.
    let x = BigInt.asUintN(64, BigInt(v));
    const out: number[] = [];
    while (x >= 0x80n) {
      out.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    out.push(Number(x));
    this.push(Uint8Array.from(out));
  }

  key(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  int(field: number, v: number): void {
    this.key(field, 0);
    this.varint(v);
  }

  bytes(field: number, b: Uint8Array): void {
    this.key(field, 2);
    this.varint(b.length);
    this.push(b);
  }

  string(field: number, s: string): void {
    this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, build: (w: Writer) => void): void {
    const w = new Writer();
    build(w);
    this.bytes(field, w.finish());
  }

  float(field: number, v: number): void {
    this.key(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.push(b);
  }

  packedInts(field: number, vs: number[]): void {
    const w = new Writer();
    for (const v of vs) w.varint(v);
    this.bytes(field, w.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const c of this.chunks) { out.set(c, o); o += c.length; }
    return out;
  }
}

function writeTensor(w: Writer, t: OnnxTensor): void {
  if (t.dims.length) w.packedInts(1, t.dims);
  w.int(2, t.dataType);
  w.string(8, t.name);
  const n = t.data.length;
  const width = t.dataType === DataType.INT64 ? 8 : t.dataType === DataType.FLOAT || t.dataType === DataType.INT32 ? 4 : 0;
  if (!width) throw new Error(`writeTensor: data type ${t.dataType} not written`);
  const raw = new Uint8Array(n * width);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < n; i++) {
    if (t.dataType === DataType.FLOAT) view.setFloat32(i * 4, t.data[i], true);
    else if (t.dataType === DataType.INT32) view.setInt32(i * 4, t.data[i], true);
    else view.setBigInt64(i * 8, BigInt(t.data[i]), true);
  }
  w.bytes(9, raw);
}

function writeValueInfo(w: Writer, v: OnnxValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) => type.message(1, (tt) => {
    tt.int(1, v.elemType);
    tt.message(2, (shape) => {
      for (const d of v.dims) shape.message(1, (dim) => { if (typeof d === 'number') dim.int(1, d); else if (typeof d === 'string') dim.string(2, d); });
    });
  }));
}

function writeAttribute(w: Writer, a: OnnxAttribute): void {
  w.string(1, a.name);
  w.int(20, a.type);
  if (a.f !== undefined) w.float(2, a.f);
  if (a.i !== undefined) w.int(3, a.i);
  if (a.s !== undefined) w.string(4, a.s);
  if (a.t) w.message(5, (x) => writeTensor(x, a.t!));
  if (a.floats) for (const f of a.floats) w.float(7, f);
  if (a.ints) w.packedInts(8, a.ints);
  if (a.strings) for (const s of a.strings) w.string(9, s);
}

/** Encodes an ONNX ModelProto. */
export function encodeModel(m: OnnxModel): Uint8Array {
  const w = new Writer();
  w.int(1, m.irVersion);
  w.string(2, m.producerName);
  w.string(3, m.producerVersion);
  w.message(7, (g) => {
    for (const n of m.graph.nodes) {
      g.message(1, (x) => {
        for (const i of n.inputs) x.string(1, i);
        for (const o of n.outputs) x.string(2, o);
        x.string(3, n.name);
        x.string(4, n.opType);
        for (const a of n.attributes) x.message(5, (y) => writeAttribute(y, a));
        if (n.domain) x.string(7, n.domain);
      });
    }
    g.string(2, m.graph.name);
    for (const t of m.graph.initializers) g.message(5, (x) => writeTensor(x, t));
    for (const v of m.graph.inputs) g.message(11, (x) => writeValueInfo(x, v));
    for (const v of m.graph.outputs) g.message(12, (x) => writeValueInfo(x, v));
  });
  for (const o of m.opsets) w.message(8, (x) => { if (o.domain) x.string(1, o.domain); x.int(2, o.version); });
  return w.finish();
}
