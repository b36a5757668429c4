import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where downloaded models live: $SIGHTLINE_MODELS_DIR, else $XDG_CACHE_HOME/sightline/models, else
 * ~/.cache/sightline/models. Each model is a package directory named after it: model.json + the .onnx file.
 */
export function modelCacheDir(): string {
  if (process.env.SIGHTLINE_MODELS_DIR) return process.env.SIGHTLINE_MODELS_DIR;
  const base = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(base, 'sightline', 'models');
}

export function cachedModelDir(name: string, cacheDir: string = modelCacheDir()): string {
  return join(cacheDir, name);
}
