import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ModelManifestSchema, parseOrThrow, ValidationError, type ModelManifest } from '@sightline/protocol';
import { ModelError } from './errors.js';

/** A validated manifest and the absolute path of the ONNX file it describes. */
export interface ModelPackage {
  manifest: ModelManifest;
  modelPath: string;
  /** The package directory, when the package was loaded from one. */
  dir?: string;
}

export const MANIFEST_FILE = 'model.json';

/** Validate a manifest object; a bad one throws ModelError('manifest-invalid') naming every bad field. */
export function parseModelManifest(value: unknown, what = 'model manifest'): ModelManifest {
  try {
    return parseOrThrow(ModelManifestSchema, value, what);
  } catch (err) {
    if (err instanceof ValidationError) throw new ModelError('manifest-invalid', err.message);
    throw err;
  }
}

/** Load a model package directory: `model.json` plus the ONNX file it names (default `model.onnx`). */
export function loadModelPackage(dir: string): ModelPackage {
  const absDir = resolve(dir);
  const manifestPath = join(absDir, MANIFEST_FILE);
  if (!existsSync(manifestPath)) {
    throw new ModelError('manifest-not-found', `no ${MANIFEST_FILE} in model package ${absDir}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (err) {
    throw new ModelError('manifest-invalid', `invalid model manifest ${manifestPath}: ${(err as Error).message}`);
  }
  const manifest = parseModelManifest(raw, `model manifest ${manifestPath}`);
  const modelPath = isAbsolute(manifest.file) ? manifest.file : join(absDir, manifest.file);
  assertModelFile(modelPath);
  return { manifest, modelPath, dir: absDir };
}

/** A package from an ONNX file and a manifest object (validated here); the manifest's `file` is ignored. */
export function modelPackageFromFile(onnxPath: string, manifest: unknown): ModelPackage {
  const parsed = parseModelManifest(manifest);
  const modelPath = resolve(onnxPath);
  assertModelFile(modelPath);
  return { manifest: parsed, modelPath, dir: dirname(modelPath) };
}

function assertModelFile(path: string): void {
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new ModelError('model-file-missing', `model file not found: ${path}`);
  }
}
