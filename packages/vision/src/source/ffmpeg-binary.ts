import { spawn } from 'node:child_process';
import { basename, dirname, join } from 'node:path';
import { registerChild } from '../util/child-registry.js';
import { SourceError } from './source-error.js';

/** The ffmpeg executable: the option, else $SIGHTLINE_FFMPEG, else `ffmpeg` from PATH. */
export function resolveFfmpegPath(option?: string): string {
  return option ?? (process.env.SIGHTLINE_FFMPEG || 'ffmpeg');
}

/** The ffprobe executable: the option, else $SIGHTLINE_FFPROBE, else the one beside a given ffmpeg path, else PATH. */
export function resolveFfprobePath(option?: string, ffmpegPath?: string): string {
  if (option !== undefined) return option;
  if (process.env.SIGHTLINE_FFPROBE !== undefined) return process.env.SIGHTLINE_FFPROBE;
  const ffmpeg = resolveFfmpegPath(ffmpegPath);
  if (ffmpeg.includes('/') && basename(ffmpeg).startsWith('ffmpeg')) {
    return join(dirname(ffmpeg), basename(ffmpeg).replace(/^ffmpeg/, 'ffprobe'));
  }
  return 'ffprobe';
}

export function ffmpegNotFound(executable: string, source: string, cause: NodeJS.ErrnoException): SourceError {
  const why = cause.code === 'ENOENT' ? 'was not found' : `could not be started (${cause.code ?? cause.message})`;
  return new SourceError(
    'ffmpeg-not-found',
    `${executable} ${why}; install ffmpeg or point ffmpegPath / $SIGHTLINE_FFMPEG at it (source ${source})`,
    source,
  );
}

export interface FfmpegCapabilities {
  /** `showinfo=checksum=0` is accepted (ffmpeg 5+); the checksums cost about a fifth of decode throughput. */
  showinfoChecksumOption: boolean;
}

const capabilityCache = new Map<string, Promise<FfmpegCapabilities>>();

/**
 * Ask an ffmpeg binary, once per process, which of the options we rely on it has. Rejects with
 * SourceError 'ffmpeg-not-found' when the binary cannot be started (and does not cache that).
 */
export function ffmpegCapabilities(ffmpegPath: string, source: string): Promise<FfmpegCapabilities> {
  let cached = capabilityCache.get(ffmpegPath);
  if (cached === undefined) {
    cached = queryCapabilities(ffmpegPath, source);
    capabilityCache.set(ffmpegPath, cached);
    cached.catch(() => capabilityCache.delete(ffmpegPath));
  }
  return cached;
}

function queryCapabilities(ffmpegPath: string, source: string): Promise<FfmpegCapabilities> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath, ['-hide_banner', '-nostdin', '-h', 'filter=showinfo'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    registerChild(child);
    let help = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (help += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(ffmpegNotFound(ffmpegPath, source, err));
    });
    child.once('close', () => {
      clearTimeout(timer);
      resolve({ showinfoChecksumOption: /\bchecksum\b/.test(help) });
    });
  });
}
