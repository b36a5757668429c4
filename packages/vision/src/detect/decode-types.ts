/** A model output as the decoders read it. */
export interface OutputTensor {
  data: Float32Array;
  dims: readonly number[];
}

export interface DecodeParams {
  inputWidth: number;
  inputHeight: number;
  /** YOLOX grid strides, in row order. */
  strides: readonly number[];
  /** Score threshold per class id. */
  thresholds: Float32Array;
  /** The lowest of `thresholds`: anything below it is skipped before any other work. */
  minScore: number;
}
