import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireSharedData } from '../src/util/shared-data.js';

const BENCH_DIR = join(tmpdir(), 'sightline-bench');

/** Runs ffmpeg once into the bench temp dir (never committed) and reuses the result on later runs. */
function made(name: string, args: (out: string) => string[]): string {
  mkdirSync(BENCH_DIR, { recursive: true });
  const out = join(BENCH_DIR, name);
  if (existsSync(out)) return out;
  const part = `${out}.part.mp4`;
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args(part)]);
  renameSync(part, out);
  return out;
}

const encode = (fps: number) => ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-g', String(fps * 2), '-bf', '0', '-pix_fmt', 'yuv420p'];

/** A shared clip as a 1280×720 camera stream at `fps` (the shared clips are smaller than the cameras we speak about). */
export function benchVideo720p(sharedName: string, fps = 25): string {
  const src = requireSharedData(`videos/${sharedName}`);
  return made(sharedName.replace(/\.mp4$/, `-720p${fps}.mp4`), (out) => [
    '-i', src, '-an', '-vf', `scale=1280:720:flags=bicubic,fps=${fps}`, ...encode(fps), out,
  ]);
}

/**
 * A quiet camera: 20 s of an empty parking lane, one car driving through (4-10 s of cars_topdown_parking),
 * then 20 s of the empty lane again, at 1280×720. The still parts are a re-encoded real frame, so they carry
 * real sensor texture and compression noise, not a perfectly frozen picture.
 */
export function quietBenchVideo(fps = 25): string {
  const src = requireSharedData('videos/cars_topdown_parking.mp4');
  return made(`quiet-parking-720p${fps}.mp4`, (out) => [
    '-i', src, '-an',
    '-filter_complex',
    `[0:v]trim=start=3:end=3.1,setpts=PTS-STARTPTS,loop=loop=-1:size=2:start=0,trim=duration=20,setpts=PTS-STARTPTS[a];` +
      `[0:v]trim=start=4:end=10,setpts=PTS-STARTPTS[b];` +
      `[0:v]trim=start=3:end=3.1,setpts=PTS-STARTPTS,loop=loop=-1:size=2:start=0,trim=duration=20,setpts=PTS-STARTPTS[c];` +
      `[a][b][c]concat=n=3:v=1:a=0,scale=1280:720:flags=bicubic,fps=${fps}[v]`,
    '-map', '[v]', ...encode(fps), out,
  ]);
}
