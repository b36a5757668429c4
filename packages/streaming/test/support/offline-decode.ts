import { spawn } from 'node:child_process';

/**
 * Decodes an H.264 elementary stream into 8-bit grey pictures with ffmpeg. `showall` outputs every picture, even one
 * decoded without its references (to see when a mid-stream join becomes clean); without it ffmpeg shows nothing until
 * it has a keyframe or a completed recovery point, as a player would.
 */
export function decodeGrey(stream: Buffer, width: number, height: number, showall: boolean): Promise<Buffer[]> {
  const args = ['-hide_banner', '-loglevel', 'fatal'];
  if (showall) args.push('-flags2', 'showall');
  args.push('-f', 'h264', '-i', 'pipe:0', '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1');
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', args, { stdio: ['pipe', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`ffmpeg decode exited with ${code}`));
      const all = Buffer.concat(chunks);
      const size = width * height;
      const frames: Buffer[] = [];
      for (let offset = 0; offset + size <= all.length; offset += size) frames.push(all.subarray(offset, offset + size));
      resolve(frames);
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(stream);
  });
}

/** Mean absolute difference of two grey pictures, 0..255. */
export function meanDifference(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}
