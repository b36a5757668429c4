import type { ModelManifest } from '@sightline/protocol';
import { ModelError } from './errors.js';

export interface ThresholdOverrides {
  /** Replaces manifest.scoreThreshold, including for classes the manifest gives their own threshold. */
  scoreThreshold?: number;
  /** Per-class thresholds by label; applied over the manifest's. */
  classThresholds?: Record<string, number>;
}

/**
 * One score threshold per class id. Precedence, lowest first: manifest.scoreThreshold,
 * manifest.classThresholds, overrides.scoreThreshold (which resets every class), overrides.classThresholds.
 */
export function resolveClassThresholds(manifest: ModelManifest, overrides: ThresholdOverrides = {}): Float32Array {
  const labels = manifest.labels;
  const thresholds = new Float32Array(labels.length);
  const check = (value: number, what: string) => {
    if (!(value >= 0 && value <= 1)) throw new ModelError('manifest-invalid', `${what} must be within 0-1, got ${value}`);
  };
  if (overrides.scoreThreshold !== undefined) check(overrides.scoreThreshold, 'scoreThreshold');
  thresholds.fill(overrides.scoreThreshold ?? manifest.scoreThreshold);
  const perClass =
    overrides.scoreThreshold === undefined
      ? { ...manifest.classThresholds, ...overrides.classThresholds }
      : { ...overrides.classThresholds };
  for (const [label, value] of Object.entries(perClass)) {
    const id = labels.indexOf(label);
    if (id < 0) throw new ModelError('manifest-invalid', `classThresholds.${label}: unknown class "${label}"`);
    check(value, `classThresholds.${label}`);
    thresholds[id] = value;
  }
  return thresholds;
}

export function minThreshold(thresholds: Float32Array): number {
  let min = 1;
  for (let i = 0; i < thresholds.length; i++) if (thresholds[i]! < min) min = thresholds[i]!;
  return min;
}
