import ort from 'onnxruntime-node';
import { SINGLE_OUTPUT_ROLE, type ModelManifest } from '@sightline/protocol';
import { outputShapeProblem } from './decode.js';
import { ModelError } from './errors.js';
import { resolveOutputRoles, type RoleOutput } from './output-roles.js';

/** Execution providers a detector accepts. cuda/tensorrt need onnxruntime-node's GPU binaries. */
export type ExecutionProvider = 'cpu' | 'cuda' | 'tensorrt';
export const EXECUTION_PROVIDERS: readonly ExecutionProvider[] = ['cpu', 'cuda', 'tensorrt'];

export interface SessionOptions {
  /** onnxruntime intra-op threads for this session. */
  intraOpThreads: number;
  /** In order of preference; CPU is always tried last. */
  executionProviders: readonly ExecutionProvider[];
}

export interface LoadedSession {
  session: ort.InferenceSession;
  inputName: string;
  /** The first output the decoder reads (the only one for single-output families). */
  outputName: string;
  /** Every output the decoder reads, by role. */
  outputs: RoleOutput[];
  /** The providers the session was created with. */
  providers: ExecutionProvider[];
  /** Why a requested provider was not used, one line each. */
  warnings: string[];
}

/**
 * Create a session for a manifest and check it fits: the input name exists and the output shape suits the
 * family. A provider that fails to initialise is dropped with a warning and the session falls back to CPU.
 */
export async function loadSession(modelPath: string, manifest: ModelManifest, opts: SessionOptions): Promise<LoadedSession> {
  const warnings: string[] = [];
  let providers = [...new Set<ExecutionProvider>([...opts.executionProviders.filter((p) => p !== 'cpu'), 'cpu'])];
  let session: ort.InferenceSession | undefined;
  while (!session) {
    try {
      session = await ort.InferenceSession.create(modelPath, {
        executionProviders: providers,
        intraOpNumThreads: opts.intraOpThreads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        // Old exports list weights as inputs and warn once per weight; keep the log to errors.
        logSeverityLevel: 3,
      });
    } catch (err) {
      const gpu = providers.find((p) => p !== 'cpu');
      if (!gpu) throw new ModelError('model-load-failed', `cannot load ${modelPath}: ${(err as Error).message}`);
      warnings.push(`execution provider "${gpu}" failed to initialise, falling back: ${(err as Error).message}`);
      providers = providers.filter((p) => p !== gpu);
    }
  }
  try {
    const io = checkSessionIo(session, manifest);
    return { session, ...io, providers, warnings };
  } catch (err) {
    await session.release();
    throw err;
  }
}

function checkSessionIo(
  session: ort.InferenceSession,
  manifest: ModelManifest,
): { inputName: string; outputName: string; outputs: RoleOutput[] } {
  const inputName = manifest.input.name;
  const input = session.inputMetadata.find((m) => m.name === inputName);
  if (!input) {
    throw new ModelError(
      'input-mismatch',
      `model has no input "${inputName}" (manifest input.name); its inputs are: ${session.inputNames.join(', ')}`,
    );
  }
  if (input.isTensor && input.shape.length > 0) {
    const { width, height, layout } = manifest.input;
    const want = layout === 'nchw' ? [1, 3, height, width] : [1, height, width, 3];
    const bad =
      input.shape.length !== 4 || input.shape.some((d, i) => typeof d === 'number' && d >= 0 && d !== want[i]);
    if (bad) {
      throw new ModelError(
        'input-mismatch',
        `model input "${inputName}" has shape [${input.shape.join(', ')}] but the manifest describes [${want.join(', ')}] (${layout})`,
      );
    }
  }
  const outputs = resolveOutputRoles(manifest, session.outputNames);
  for (const { role, name } of outputs) {
    const output = session.outputMetadata.find((m) => m.name === name);
    if (!output?.isTensor || output.shape.length === 0) continue;
    const problem = outputShapeProblem(manifest, output.shape, role);
    if (problem) {
      const as = name === role || role === SINGLE_OUTPUT_ROLE ? '' : ` (role ${role})`;
      throw new ModelError('output-mismatch', `output "${name}"${as} does not fit family ${manifest.family}: ${problem}`);
    }
  }
  return { inputName, outputName: outputs[0]!.name, outputs };
}
