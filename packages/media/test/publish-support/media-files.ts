import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** Encode a short clip with ffmpeg into `dir` (test fixtures are made, not stored). */
export function makeClip(dir: string, name: string, codecArgs: string[], seconds = 2, size = '320x240', rate = 25): string {
  const path = join(dir, name);
  const result = spawnSync(
    'ffmpeg',
    ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${rate}`, '-t', String(seconds), ...codecArgs, path],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`ffmpeg could not make ${name}: ${result.stderr}`);
  return path;
}
