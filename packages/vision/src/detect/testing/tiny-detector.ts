import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ModelManifest, ModelManifestInput } from '@sightline/protocol';
import { parseModelManifest } from '../model-package.js';
import { encodeOnnxModel, type OnnxGraph, type OnnxInitializer, type OnnxNode } from './onnx-model.js';

export interface TinyDetectorOptions {
  /** Square input side in pixels; a multiple of `stride`. Default 256. */
  inputSize?: number;
  /** Grid stride in pixels. Default 16. Blobs up to 2 × stride wide are measured exactly. */
  stride?: number;
  resize?: 'letterbox' | 'stretch';
  letterboxAlign?: 'top-left' | 'center';
  /** Class 0 gets every detection. Default ['person']. */
  labels?: string[];
  scoreThreshold?: number;
  name?: string;
}

/**
 * A "bright blob detector" in the YOLOX output format, built from real ONNX ops so every stage of the
 * pipeline can be tested with known answers and no real weights.
 *
 * Exact behaviour, for an input of side S (RGB, scale 1/255, NCHW) and stride s, grid G = S/s:
 * 1. brightness b = max(0, 2·(mean of the 3 channels) − 1): pixels darker than mid-grey (including the
 *    letterbox padding, 114) count for nothing, pure white counts 1.
 * 2. For every grid cell (gx, gy) a Conv with a 3s×3s window (the cell and one cell all around) sums the
 *    brightness ("mass") and its first moments, giving the blob centroid (dx, dy) in cell units from the
 *    cell's top-left corner.
 * 3. obj = [0 ≤ dx < 1 and 0 ≤ dy < 1] · min(1, mass / (s/2)²): only the cell holding the centroid fires,
 *    at full score for a white square at least s/2 wide.
 * 4. Row (gy·G + gx) of the [1, G², 6] output (one class) is (dx, dy, log(√mass / s) twice, obj, 1), so the
 *    standard YOLOX decode gives a box centred on the centroid with side √mass: exactly the square for a
 *    solid white square on black.
 * A blob wider than 2s, or two blobs closer than about 2s, give partial or merged boxes.
 * Extra labels get class score 0; every detection is class 0.
 */
export function buildTinyDetectorModel(options: TinyDetectorOptions = {}): { onnx: Uint8Array; manifest: ModelManifest } {
  const size = options.inputSize ?? 256;
  const s = options.stride ?? 16;
  if (size % s !== 0) throw new RangeError(`inputSize ${size} must be a multiple of stride ${s}`);
  const labels = options.labels ?? ['person'];
  const g = size / s;
  const k = 3 * s;
  const numClasses = labels.length;

  const weights = new Float32Array(3 * k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      weights[i * k + j] = 1;
      weights[k * k + i * k + j] = (j - s + 0.5) / s;
      weights[2 * k * k + i * k + j] = (i - s + 0.5) / s;
    }
  }
  const classScores = new Float32Array(numClasses * g * g);
  classScores.fill(1, 0, g * g);

  const scalar = (name: string, v: number): OnnxInitializer => ({ name, dims: [], data: Float32Array.of(v) });
  const initializers: OnnxInitializer[] = [
    scalar('half', 0.5),
    scalar('two', 2),
    scalar('zero', 0),
    scalar('one', 1),
    scalar('eps', 1e-6),
    scalar('ref_mass', (s / 2) * (s / 2)),
    scalar('log_stride', Math.log(s)),
    { name: 'moment_kernel', dims: [3, 1, k, k], data: weights },
    { name: 'class_scores', dims: [1, numClasses, g, g], data: classScores },
    { name: 'rows_shape', dims: [3], data: BigInt64Array.of(1n, BigInt(5 + numClasses), BigInt(g * g)) },
  ];
  const node = (opType: string, inputs: string[], outputs: string[], attributes?: OnnxNode['attributes']): OnnxNode => ({
    opType,
    inputs,
    outputs,
    attributes,
  });
  const nodes: OnnxNode[] = [
    node('ReduceMean', ['images'], ['gray'], { axes: { kind: 'ints', value: [1] }, keepdims: { kind: 'int', value: 1 } }),
    node('Sub', ['gray', 'half'], ['centred']),
    node('Mul', ['centred', 'two'], ['contrast']),
    node('Relu', ['contrast'], ['bright']),
    node('Conv', ['bright', 'moment_kernel'], ['moments'], {
      kernel_shape: { kind: 'ints', value: [k, k] },
      strides: { kind: 'ints', value: [s, s] },
      pads: { kind: 'ints', value: [s, s, s, s] },
    }),
    node('Split', ['moments'], ['mass', 'moment_x', 'moment_y'], { axis: { kind: 'int', value: 1 } }),
    node('Add', ['mass', 'eps'], ['safe_mass']),
    node('Div', ['moment_x', 'safe_mass'], ['dx']),
    node('Div', ['moment_y', 'safe_mass'], ['dy']),
    node('GreaterOrEqual', ['dx', 'zero'], ['x_lo']),
    node('Less', ['dx', 'one'], ['x_hi']),
    node('GreaterOrEqual', ['dy', 'zero'], ['y_lo']),
    node('Less', ['dy', 'one'], ['y_hi']),
    node('And', ['x_lo', 'x_hi'], ['in_x']),
    node('And', ['y_lo', 'y_hi'], ['in_y']),
    node('And', ['in_x', 'in_y'], ['in_cell']),
    node('Cast', ['in_cell'], ['in_cell_f'], { to: { kind: 'int', value: 1 } }),
    node('Div', ['mass', 'ref_mass'], ['mass_ratio']),
    node('Min', ['mass_ratio', 'one'], ['mass_score']),
    node('Mul', ['in_cell_f', 'mass_score'], ['obj']),
    node('Log', ['safe_mass'], ['log_mass']),
    node('Mul', ['log_mass', 'half'], ['log_side']),
    node('Sub', ['log_side', 'log_stride'], ['log_wh']),
    node('Concat', ['dx', 'dy', 'log_wh', 'log_wh', 'obj', 'class_scores'], ['grid'], { axis: { kind: 'int', value: 1 } }),
    node('Reshape', ['grid', 'rows_shape'], ['channels_first']),
    node('Transpose', ['channels_first'], ['output'], { perm: { kind: 'ints', value: [0, 2, 1] } }),
  ];
  const graph: OnnxGraph = {
    name: 'tiny_blob_detector',
    nodes,
    initializers,
    inputs: [{ name: 'images', dims: [1, 3, size, size] }],
    outputs: [{ name: 'output', dims: [1, g * g, 5 + numClasses] }],
  };
  const manifestInput: ModelManifestInput = {
    name: options.name ?? 'tiny-blob-detector',
    description: 'Test model: finds bright squares on a dark background (see buildTinyDetectorModel).',
    license: 'Apache-2.0',
    family: 'yolox',
    file: 'model.onnx',
    input: {
      name: 'images',
      width: size,
      height: size,
      layout: 'nchw',
      channelOrder: 'rgb',
      scale: 1 / 255,
      resize: options.resize ?? 'letterbox',
      letterboxAlign: options.letterboxAlign ?? 'top-left',
      padValue: 114,
    },
    output: 'output',
    strides: [s],
    labels,
    scoreThreshold: options.scoreThreshold ?? 0.5,
    nmsIou: 0.45,
  };
  return { onnx: encodeOnnxModel(graph), manifest: parseModelManifest(manifestInput) };
}

/** Write the tiny detector as a model package (model.onnx + model.json) into `dir`. */
export function writeTinyDetectorPackage(
  dir: string,
  options?: TinyDetectorOptions,
): { dir: string; manifest: ModelManifest; modelPath: string } {
  const absDir = resolve(dir);
  mkdirSync(absDir, { recursive: true });
  const { onnx, manifest } = buildTinyDetectorModel(options);
  const modelPath = join(absDir, manifest.file);
  writeFileSync(modelPath, onnx);
  writeFileSync(join(absDir, 'model.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { dir: absDir, manifest, modelPath };
}
