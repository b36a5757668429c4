import { spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * The bench's camera: 10 s of testsrc2 encoded like a typical IP camera stream (H.264 baseline, no B-frames, a 1 s
 * GOP, capped bitrate). Played in a loop at its own rate it behaves like a live camera whose H.264 can pass through.
 */
export async function makeCameraClip(
  dir: string,
  source: { width: number; height: number; fps: number; bitrateKbps: number },
  options: { barcode?: boolean } = {},
): Promise<string> {
  const path = join(dir, `camera-${source.width}x${source.height}-${source.fps}${options.barcode ? '-barcode' : ''}.mp4`);
  const rate = `${source.bitrateKbps}k`;
  const picture = `testsrc2=size=${source.width}x${source.height}:rate=${source.fps}`;
  const args = [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', options.barcode ? `${picture}[bg];${barcodeSource(source.fps)}[bar];[bg][bar]overlay=0:0` : picture, '-t', '10',
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

/** Bits of the frame number drawn in the top-left corner, each BARCODE_BIT_PX wide and 16 px high. */
export const BARCODE_BITS = 16;
export const BARCODE_BIT_PX = 20;

/** A small black strip whose white bars spell the frame number in binary (least significant bit on the left). */
function barcodeSource(fps: number): string {
  const width = BARCODE_BITS * BARCODE_BIT_PX;
  return `color=c=black:s=${width}x16:r=${fps},format=gray,geq=lum='if(mod(floor(N/pow(2,floor(X/${BARCODE_BIT_PX}))),2),235,16)'`;
}
