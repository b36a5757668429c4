import type { OutputShape } from './decode-types.js';

/** A static dimension, or undefined when it is dynamic (a name or -1) and can only be checked on the real tensor. */
export function staticDim(shape: OutputShape, i: number): number | undefined {
  const d = shape[i];
  return typeof d === 'number' && d >= 0 ? d : undefined;
}

/** Why dimension i is not `want` (a dynamic one passes), or undefined. */
export function dimProblem(shape: OutputShape, i: number, want: number, what: string): string | undefined {
  const got = staticDim(shape, i);
  return got !== undefined && got !== want ? `dimension ${i} (${what}) is ${got}, expected ${want}` : undefined;
}
