import { writeFileSync } from 'node:fs';
import { encodeOnnxModel, type OnnxGraph } from '../../src/detect/testing/index.js';

export interface ConstantOutput {
  name: string;
  dims: number[];
  data: Float32Array;
}

/**
 * An ONNX model whose outputs are fixed tensors, whatever the input: enough to check how a multi-output family's
 * outputs are found, shape-checked, fetched and decoded through the real session and worker, with a known answer.
 * The input still has to be declared (and fed) so the session's input checks run as for a real model.
 */
export function writeConstantOutputModel(path: string, input: { name: string; dims: number[] }, outputs: ConstantOutput[]): string {
  const graph: OnnxGraph = {
    name: 'constant_outputs',
    nodes: outputs.map((o) => ({ opType: 'Identity', inputs: [`${o.name}_value`], outputs: [o.name] })),
    initializers: outputs.map((o) => ({ name: `${o.name}_value`, dims: o.dims, data: o.data })),
    inputs: [input],
    outputs: outputs.map((o) => ({ name: o.name, dims: o.dims })),
  };
  writeFileSync(path, encodeOnnxModel(graph));
  return path;
}
