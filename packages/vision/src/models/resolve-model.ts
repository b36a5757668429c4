import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ModelManifestSchema, parseOrThrow, type ModelManifest } from '@sightline/protocol';
import { findCatalogModel, findCatalogModelBySha256, catalogModels } from './catalog.js';
import { cachedModelDir } from './model-cache.js';
import { ModelResolveError } from './model-error.js';
import { sha256File } from './sha256-file.js';

/** A model ready to load: its validated manifest and the absolute path of its ONNX file. */
export interface ResolvedModel {
  manifest: ModelManifest;
  onnxPath: string;
  /** Where it came from, for messages. */
  origin: 'package' | 'cache' | 'onnx-file';
}

export interface ResolveModelOptions {
  cacheDir?: string;
  catalogDir?: string;
}

/**
 * Resolves a `--model` argument: a model package directory (with model.json), a path to its model.json, a
 * catalogue name installed in the cache, or a bare .onnx file of a catalogued model (recognised by sha256).
 */
export async function resolveModel(spec: string, options: ResolveModelOptions = {}): Promise<ResolvedModel> {
  const path = resolve(spec);
  if (existsSync(path)) {
    const st = statSync(path);
    if (st.isDirectory()) return loadPackage(join(path, 'model.json'), 'package');
    if (path.endsWith('.json')) return loadPackage(path, 'package');
    if (path.endsWith('.onnx')) return recogniseOnnx(path, options.catalogDir);
    throw new ModelResolveError('not-found', `--model ${spec}: expected a model package directory, a model.json or an .onnx file`);
  }
  const entry = findCatalogModel(spec, options.catalogDir);
  if (entry) {
    const dir = cachedModelDir(entry.name, options.cacheDir);
    if (existsSync(join(dir, 'model.json'))) return { ...(await loadPackage(join(dir, 'model.json'), 'cache')) };
    throw new ModelResolveError(
      'not-installed',
      `model "${spec}" is in the catalogue but not downloaded yet: run \`sightline models fetch ${spec}\`, ` +
        `or pass --model with a local package directory or the .onnx file`,
    );
  }
  const names = catalogModels(options.catalogDir).map((m) => m.name);
  throw new ModelResolveError(
    'not-found',
    `--model ${spec}: no such file or directory, and not a catalogue name (known: ${names.join(', ')})`,
  );
}

function loadPackage(manifestPath: string, origin: ResolvedModel['origin']): ResolvedModel {
  if (!existsSync(manifestPath)) {
    throw new ModelResolveError('not-found', `no model.json in ${dirname(manifestPath)}: a model package is an .onnx file plus a model.json manifest`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (err) {
    throw new ModelResolveError('not-found', `${manifestPath} is not valid JSON: ${(err as Error).message}`);
  }
  const manifest = parseOrThrow(ModelManifestSchema, raw, `model manifest ${manifestPath}`);
  const onnxPath = resolve(dirname(manifestPath), manifest.file);
  if (!existsSync(onnxPath)) throw new ModelResolveError('not-found', `model file ${onnxPath} named by ${manifestPath} does not exist`);
  return { manifest, onnxPath, origin };
}

async function recogniseOnnx(onnxPath: string, catalogDir?: string): Promise<ResolvedModel> {
  const sha256 = await sha256File(onnxPath);
  const sibling = join(dirname(onnxPath), 'model.json');
  if (existsSync(sibling)) {
    const pkg = loadPackage(sibling, 'package');
    if (pkg.onnxPath === onnxPath) return pkg;
  }
  const entry = findCatalogModelBySha256(sha256, catalogDir);
  if (!entry) {
    throw new ModelResolveError(
      'unknown-onnx',
      `${onnxPath} (sha256 ${sha256}) is not a catalogued model, so its pre- and post-processing are unknown: ` +
        `put it in a directory with a model.json manifest and pass that directory to --model`,
    );
  }
  return { manifest: entry, onnxPath, origin: 'onnx-file' };
}
