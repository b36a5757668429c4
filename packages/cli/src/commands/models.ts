import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { catalogModels, cachedModelDir, fetchModel, findCatalogModel, modelCacheDir, progressBar } from '@sightline/vision';
import { parseCommandArgs } from '../parse-args.js';
import { UsageError } from '../usage-error.js';

export const modelsUsage = `sightline models list
sightline models fetch <name> [--url URL]

  list    catalogue models and whether each is downloaded (cache: $SIGHTLINE_MODELS_DIR or ~/.cache/sightline/models)
  fetch   download a catalogue model from its official release, verify its sha256, store it in the cache`;

export async function modelsCommand(argv: string[]): Promise<number> {
  const { positionals, values } = parseCommandArgs(argv, { url: { type: 'string' } });
  const [sub, name, ...rest] = positionals;
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
  if (sub === 'list' || sub === undefined) {
    for (const m of catalogModels()) {
      const installed = existsSync(join(cachedModelDir(m.name), 'model.json'));
      console.log(`${m.name.padEnd(22)} ${m.family.padEnd(11)} ${`${m.input.width}x${m.input.height}`.padEnd(9)} ${installed ? 'installed' : 'not downloaded'}  ${m.license ?? ''}`);
    }
    console.log(`cache: ${modelCacheDir()}`);
    return 0;
  }
  if (sub === 'fetch') {
    if (!name) throw new UsageError('models fetch needs a model name (see `sightline models list`)');
    const manifest = findCatalogModel(name);
    if (!manifest) throw new UsageError(`"${name}" is not in the catalogue (known: ${catalogModels().map((m) => m.name).join(', ')})`);
    const bar = progressBar(process.stderr, name);
    const dir = await fetchModel(manifest, { url: values.url, onProgress: bar.update });
    bar.done();
    console.log(`installed ${name} in ${dir}`);
    return 0;
  }
  throw new UsageError(`unknown models subcommand "${sub}"`);
}
