/**
 * Where snapshot JPEGs live. The filesystem store is the default; an S3-compatible store implements the same four
 * calls (keys are relative paths with forward slashes).
 */
export interface BlobStore {
  put(key: string, data: Uint8Array): Promise<void>;
  get(key: string): Promise<Buffer | undefined>;
  delete(keys: string[]): Promise<void>;
  /** Total bytes stored, for the retention budget and metrics. */
  size(): Promise<number>;
}

const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

export function assertBlobKey(key: string): void {
  if (!KEY_PATTERN.test(key) || key.includes('..') || key.includes('//')) throw new Error(`invalid blob key "${key}"`);
}
