import { createDetector, modelPackageFromFile, resolveModel, type Detector, type ExecutionProvider } from '@sightline/vision';
import { parseNumberOption } from './parse-args.js';
import { UsageError } from './usage-error.js';

/** Options every command that runs a model accepts. */
export const detectorArgs = {
  model: { type: 'string', default: 'yolox-nano' },
  threshold: { type: 'string' },
  workers: { type: 'string' },
  threads: { type: 'string' },
  provider: { type: 'string', multiple: true },
} as const;

export const detectorUsage = `  --model M        model package dir, catalogue name (default yolox-nano) or a catalogued .onnx file
  --threshold T    score threshold for every class (default: the manifest's)
  --workers N      inference worker threads (default: min(4, cores))
  --threads N      onnxruntime threads per worker (default 1)
  --provider P     execution provider: cpu (default), cuda, tensorrt; repeat to give a preference order`;

export interface DetectorArgValues {
  model: string;
  threshold?: string;
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
  return createDetector({
    model: modelPackageFromFile(resolved.onnxPath, resolved.manifest),
    scoreThreshold,
    workers,
    threadsPerWorker,
    executionProviders: providers,
  });
}
