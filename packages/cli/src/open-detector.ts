import { createDetector, modelPackageFromFile, resolveModel, type Detector, type ExecutionProvider } from '@sightline/vision';
import { parseNumberOption } from './parse-args.js';
import { UsageError } from './usage-error.js';

/** Options every command that runs a model accepts. */
export const detectorArgs = {
  model: { type: 'string', default: 'yolox-nano' },
  threshold: { type: 'string' },
  'class-threshold': { type: 'string', multiple: true },
  workers: { type: 'string' },
  threads: { type: 'string' },
  provider: { type: 'string', multiple: true },
} as const;

export const detectorUsage = `  --model M        model package dir, catalogue name (default yolox-nano) or a catalogued .onnx file
  --threshold T    score threshold for every class (default: the manifest's)
  --class-threshold CLASS=T   threshold for one class, over --threshold; repeat for more classes
  --workers N      inference worker threads (default: min(4, cores))
  --threads N      onnxruntime threads per worker (default 1)
  --provider P     execution provider: cpu (default), cuda, tensorrt; repeat to give a preference order`;

export interface DetectorArgValues {
  model: string;
  threshold?: string;
  'class-threshold'?: string[];
  workers?: string;
  threads?: string;
  provider?: string[];
}

export async function openDetector(values: DetectorArgValues): Promise<Detector> {
  const scoreThreshold = parseNumberOption('threshold', values.threshold, { min: 0, max: 1 });
  const workers = parseNumberOption('workers', values.workers, { min: 1, max: 64, integer: true });
  const threadsPerWorker = parseNumberOption('threads', values.threads, { min: 1, max: 64, integer: true });
  const providers = values.provider as ExecutionProvider[] | undefined;
  for (const p of providers ?? []) {
    if (!['cpu', 'cuda', 'tensorrt'].includes(p)) throw new UsageError(`--provider must be cpu, cuda or tensorrt, got "${p}"`);
  }
  const resolved = await resolveModel(values.model);
  const classThresholds = parseClassThresholds(values['class-threshold'] ?? [], resolved.manifest.labels);
  return createDetector({
    model: modelPackageFromFile(resolved.onnxPath, resolved.manifest),
    scoreThreshold,
    classThresholds,
    workers,
    threadsPerWorker,
    executionProviders: providers,
  });
}

function parseClassThresholds(specs: string[], labels: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const spec of specs) {
    const at = spec.lastIndexOf('=');
    const name = spec.slice(0, at);
    if (at <= 0) throw new UsageError(`--class-threshold must look like CLASS=T (e.g. person=0.5), got "${spec}"`);
    if (!labels.includes(name)) throw new UsageError(`--class-threshold: the model has no class "${name}"`);
    out[name] = parseNumberOption('class-threshold', spec.slice(at + 1), { min: 0, max: 1 })!;
  }
  return out;
}
