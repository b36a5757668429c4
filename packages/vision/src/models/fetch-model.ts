import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { ModelManifest } from '@sightline/protocol';
import { cachedModelDir, modelCacheDir } from './model-cache.js';
import { ModelResolveError } from './model-error.js';

export interface DownloadProgress {
  receivedBytes: number;
  /** From Content-Length or the manifest; undefined when neither is known. */
  totalBytes: number | undefined;
}

export interface FetchModelOptions {
  cacheDir?: string;
  /** Overrides the manifest's download address (mirrors, tests). */
  url?: string;
  onProgress?: (p: DownloadProgress) => void;
  /** Give up when no byte arrives for this long. */
  stallTimeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Downloads a catalogue model into the user cache as a package directory (model.json + onnx file), verifying
 * its sha256 before it becomes visible: the file is written to a temporary name and renamed only once it matches.
 */
export async function fetchModel(manifest: ModelManifest, options: FetchModelOptions = {}): Promise<string> {
  const url = options.url ?? manifest.url;
  if (!url) throw new ModelResolveError('no-download-url', `model "${manifest.name}" has no download address in the catalogue`);
  const dir = cachedModelDir(manifest.name, options.cacheDir ?? modelCacheDir());
  await mkdir(dir, { recursive: true });
  const finalPath = join(dir, manifest.file);
  const partPath = `${finalPath}.part`;

  const offlineHint =
    `You may be offline or the host unreachable. Download ${url} yourself and pass --model <file.onnx> ` +
    `(a catalogued .onnx is recognised by its sha256), or pass --model <package dir> with a model.json.`;

  const stall = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stall.signal]) : stall.signal;
  let stallTimer: NodeJS.Timeout | undefined;
  const armStall = () => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => stall.abort(new Error('download stalled')), options.stallTimeoutMs ?? 30_000);
  };

  let response: Response;
  try {
    armStall();
    response = await fetch(url, { signal, redirect: 'follow' });
  } catch (err) {
    clearTimeout(stallTimer);
    throw new ModelResolveError('download-failed', `could not download model "${manifest.name}" from ${url}: ${describe(err)}. ${offlineHint}`);
  }
  if (!response.ok || !response.body) {
    clearTimeout(stallTimer);
    throw new ModelResolveError('download-failed', `could not download model "${manifest.name}" from ${url}: HTTP ${response.status}. ${offlineHint}`);
  }

  const header = Number(response.headers.get('content-length'));
  const totalBytes = Number.isFinite(header) && header > 0 ? header : manifest.sizeBytes;
  const hash = createHash('sha256');
  const out = createWriteStream(partPath);
  let receivedBytes = 0;
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      armStall();
      hash.update(chunk);
      receivedBytes += chunk.byteLength;
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', r));
      options.onProgress?.({ receivedBytes, totalBytes });
    }
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  } catch (err) {
    out.destroy();
    await rm(partPath, { force: true });
    throw new ModelResolveError('download-failed', `download of model "${manifest.name}" from ${url} broke off after ${receivedBytes} bytes: ${describe(err)}. ${offlineHint}`);
  } finally {
    clearTimeout(stallTimer);
  }

  const digest = hash.digest('hex');
  if (manifest.sha256 && digest !== manifest.sha256) {
    await rm(partPath, { force: true });
    throw new ModelResolveError(
      'checksum-mismatch',
      `model "${manifest.name}" from ${url} has sha256 ${digest}, expected ${manifest.sha256}; the file was discarded`,
    );
  }
  await rename(partPath, finalPath);
  const { url: _url, ...packaged } = manifest;
  await writeFile(join(dir, 'model.json'), JSON.stringify({ ...packaged, sha256: digest, url }, null, 2) + '\n');
  return dir;
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
  }
  return String(err);
}
