import type { Detection, ModelManifest } from '@sightline/protocol';
import { bufferBoxToSource, type FrameGeometry } from '../frame.js';
import { CandidateBoxes } from './candidates.js';
import { decodeOutputs, type ModelOutputs } from './decode.js';
import { nonMaxSuppression } from './nms.js';
import { minThreshold } from './thresholds.js';

export interface SourceMapping {
  geometry: FrameGeometry;
  sourceWidth: number;
  sourceHeight: number;
}

export interface PostprocessOptions {
  /** Score threshold per class id (see resolveClassThresholds). */
  thresholds: Float32Array;
  maxDetections?: number;
}

/**
 * Turns raw model outputs into detections in source pixels: decode with the lowest threshold as a
 * pre-filter, per-class thresholds, class-aware NMS, then map back through the frame geometry.
 * Keeps its candidate buffer between calls, so one instance per worker allocates almost nothing per frame.
 */
export class Postprocessor {
  private readonly candidates = new CandidateBoxes(512);
  private readonly minScore: number;

  constructor(
    private readonly manifest: ModelManifest,
    private readonly options: PostprocessOptions,
  ) {
    this.minScore = minThreshold(options.thresholds);
  }

  /** `outputs` by role: `{ output }` for single-output families, the family's roles otherwise. */
  run(outputs: ModelOutputs, mapping: SourceMapping): Detection[] {
    const m = this.manifest;
    const c = this.candidates;
    c.clear();
    decodeOutputs(
      m.family,
      outputs,
      {
        inputWidth: m.input.width,
        inputHeight: m.input.height,
        strides: m.strides,
        thresholds: this.options.thresholds,
        minScore: this.minScore,
      },
      c,
    );
    const kept = nonMaxSuppression(c, { iouThreshold: m.nmsIou, maxDetections: this.options.maxDetections });
    const detections: Detection[] = [];
    for (const i of kept) {
      const b = i * 4;
      const box = bufferBoxToSource(
        [c.boxes[b]!, c.boxes[b + 1]!, c.boxes[b + 2]!, c.boxes[b + 3]!],
        mapping.geometry,
        mapping.sourceWidth,
        mapping.sourceHeight,
      );
      // A box entirely in the letterbox padding collapses to zero size once clamped: not a detection.
      if (box[2] <= box[0] || box[3] <= box[1]) continue;
      const classId = c.classIds[i]!;
      detections.push({ classId, label: m.labels[classId] ?? String(classId), score: Math.min(1, c.scores[i]!), box });
    }
    return detections;
  }
}
