/** A model output as the decoders read it. */
export interface OutputTensor {
  data: Float32Array;
  dims: readonly number[];
}

/**
 * A model's outputs by role (see modelOutputRoles in @sightline/protocol): `output` for single-output families,
 * the family's own roles (ultraface `scores`/`boxes`, yunet `cls_8`…) for multi-output ones.
 */
export type ModelOutputs = Readonly<Record<string, OutputTensor>>;

/** A tensor shape as session metadata reports it: dynamic dimensions are strings or -1. */
export type OutputShape = readonly (number | string)[];

export interface DecodeParams {
  inputWidth: number;
  inputHeight: number;
  /** Grid strides (YOLOX rows, YuNet outputs), in order. */
  strides: readonly number[];
  /** Score threshold per class id. */
  thresholds: Float32Array;
  /** The lowest of `thresholds`: anything below it is skipped before any other work. */
  minScore: number;
}
