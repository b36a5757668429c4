import { spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * The bench's camera: 10 s of testsrc2 encoded like a typical IP camera stream (H.264 baseline, no B-frames, a 1 s
 * GOP, capped bitrate). Played in a loop at its own rate it behaves like a live camera whose H.264 can pass through.
 */
export async function makeCameraClip(dir: string, source: { width: number; height: number; fps: number; bitrateKbps: number }): Promise<string> {
  const path = join(dir, `camera-${source.width}x${source.height}-${source.fps}.mp4`);
  const rate = `${source.bitrateKbps}k`;
  const args = [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=${source.width}x${source.height}:rate=${source.fps}`, '-t', '10',
    '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p',
    '-b:v', rate, '-maxrate', rate, '-bufsize', rate, '-g', String(source.fps), '-bf', '0', path,
  ];
  await new Promise<void>((resolve, reject) => {
    const ffmpeg = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'inherit'] });
    ffmpeg.once('error', reject);
    ffmpeg.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg could not make the camera clip (exit ${code})`))));
  });
  return path;
}
