// The ONNX messages fused-rnn reads and writes (onnx.proto subset), as plain objects.

/** ONNX TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9, FLOAT16: 10, DOUBLE: 11 } as const;

/** A tensor constant: dims, element type and values (numbers; int64 as JS numbers, exact below 2^53). */
export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  /** Float32Array for FLOAT/FLOAT16/DOUBLE, Float64Array for integer types (exact for |v| < 2^53). */
  data: Float32Array | Float64Array;
}

/** A node attribute (only the fields ONNX recurrent graphs use). */
export interface OnnxAttribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: string;
  t?: OnnxTensor;
  floats?: number[];
  ints?: number[];
  strings?: string[];
}

/** A graph node. */
export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: OnnxAttribute[];
}

/** A graph input/output: name, element type and dims (number, symbolic name, or null). */
export interface OnnxValueInfo {
  name: string;
  elemType: number;
  dims: Array<number | string | null>;
}

/** A graph. */
export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

/** A model. */
export interface OnnxModel {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  opsets: Array<{ domain: string; version: number }>;
  graph: OnnxGraph;
}

