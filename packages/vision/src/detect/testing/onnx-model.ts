import { ProtoWriter } from './protobuf-writer.js';

/** ONNX TensorProto.DataType values used here. */
export const OnnxDataType = { FLOAT: 1, INT64: 7, BOOL: 9 } as const;

export type AttributeValue =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'ints'; value: readonly number[] };

export interface OnnxNode {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: Record<string, AttributeValue>;
}

export interface OnnxInitializer {
  name: string;
  dims: readonly number[];
  data: Float32Array | BigInt64Array;
}

export interface OnnxValueInfo {
  name: string;
  dims: readonly number[];
}

export interface OnnxGraph {
  name: string;
  nodes: readonly OnnxNode[];
  initializers: readonly OnnxInitializer[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
}

const IR_VERSION = 7;
const OPSET = 13;

/** Serialise a float32 graph as an ONNX ModelProto (IR 7, default domain opset 13). */
export function encodeOnnxModel(graph: OnnxGraph, producer = 'sightline-testing'): Uint8Array {
  const w = new ProtoWriter();
  w.varint(1, IR_VERSION); // ModelProto.ir_version
  w.string(2, producer); // producer_name
  w.message(7, (g) => encodeGraph(g, graph)); // graph
  w.message(8, (o) => o.string(1, '').varint(2, OPSET)); // opset_import {domain, version}
  return w.finish();
}

function encodeGraph(w: ProtoWriter, graph: OnnxGraph): void {
  graph.nodes.forEach((node, i) => w.message(1, (n) => encodeNode(n, node, `${node.opType}_${i}`))); // GraphProto.node
  w.string(2, graph.name); // name
  for (const init of graph.initializers) w.message(5, (t) => encodeTensor(t, init)); // initializer
  for (const v of graph.inputs) w.message(11, (vi) => encodeValueInfo(vi, v)); // input
  for (const v of graph.outputs) w.message(12, (vi) => encodeValueInfo(vi, v)); // output
}

function encodeNode(w: ProtoWriter, node: OnnxNode, name: string): void {
  for (const i of node.inputs) w.string(1, i); // NodeProto.input
  for (const o of node.outputs) w.string(2, o); // output
  w.string(3, name); // name
  w.string(4, node.opType); // op_type
  for (const [attrName, attr] of Object.entries(node.attributes ?? {})) {
    w.message(5, (a) => {
      a.string(1, attrName); // AttributeProto.name
      if (attr.kind === 'float') a.float(2, attr.value).varint(20, 1); // f, type FLOAT
      else if (attr.kind === 'int') a.varint(3, attr.value).varint(20, 2); // i, type INT
      else a.packedVarints(8, attr.value).varint(20, 7); // ints, type INTS
    });
  }
}

function encodeTensor(w: ProtoWriter, t: OnnxInitializer): void {
  w.packedVarints(1, t.dims); // TensorProto.dims
  w.varint(2, t.data instanceof Float32Array ? OnnxDataType.FLOAT : OnnxDataType.INT64); // data_type
  w.string(8, t.name); // name
  // raw_data is little-endian; typed arrays are little-endian on every platform Node supports.
  w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

function encodeValueInfo(w: ProtoWriter, v: OnnxValueInfo): void {
  w.string(1, v.name); // ValueInfoProto.name
  w.message(2, (type) =>
    // TypeProto.tensor_type { elem_type, shape { dim { dim_value } } }
    type.message(1, (tt) => {
      tt.varint(1, OnnxDataType.FLOAT);
      tt.message(2, (shape) => {
        for (const d of v.dims) shape.message(1, (dim) => dim.varint(1, d));
      });
    }),
  );
}
