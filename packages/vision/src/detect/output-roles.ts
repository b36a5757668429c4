import { isMultiOutputFamily, modelOutputRoles, SINGLE_OUTPUT_ROLE, type ModelManifest } from '@sightline/protocol';
import { ModelError } from './errors.js';

/** Which graph output plays which role for the decoder. */
export interface RoleOutput {
  role: string;
  name: string;
}

/**
 * The graph outputs the manifest's family reads, in role order. Single-output families read `output` (the first
 * graph output when absent); multi-output ones read `outputs[role]`, or the output named like the role. A name
 * the graph lacks throws ModelError naming the manifest field and the outputs the graph has.
 */
export function resolveOutputRoles(manifest: ModelManifest, graphOutputs: readonly string[]): RoleOutput[] {
  const have = `its outputs are: ${graphOutputs.join(', ')}`;
  if (!isMultiOutputFamily(manifest.family)) {
    const name = manifest.output ?? graphOutputs[0];
    if (!name || !graphOutputs.includes(name)) {
      throw new ModelError('output-mismatch', `model has no output "${name ?? ''}" (manifest output); ${have}`);
    }
    return [{ role: SINGLE_OUTPUT_ROLE, name }];
  }
  return modelOutputRoles(manifest.family, manifest.strides).map((role) => {
    const name = manifest.outputs?.[role] ?? role;
    if (!graphOutputs.includes(name)) {
      throw new ModelError(
        'output-mismatch',
        `model has no output "${name}" for the ${manifest.family} role ${role} (manifest outputs.${role}); ${have}`,
      );
    }
    return { role, name };
  });
}
