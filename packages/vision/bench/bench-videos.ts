import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireSharedData } from '../src/util/shared-data.js';

/**
 * 720p, 25 fps re-encodings of shared clips, made once into the temp dir (never committed): the shared
 * clips are smaller than the cameras the benchmark speaks about.
 */
export function benchVideo720p(sharedName: string): string {
  const dir = join(tmpdir(), 'sightline-bench');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, sharedName.replace(/\.mp4$/, '-720p25.mp4'));
  if (existsSync(out)) return out;
  const src = requireSharedData(`videos/${sharedName}`);
  const part = `${out}.part.mp4`;
  execFileSync('ffmpeg', [
    '-v', 'error', '-y', '-i', src, '-an',
    '-vf', 'scale=1280:720:flags=bicubic,fps=25',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-g', '50', '-bf', '0', '-pix_fmt', 'yuv420p', part,
  ]);
  renameSync(part, out);
  return out;
}
