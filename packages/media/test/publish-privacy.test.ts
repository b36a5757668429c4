import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { RtpEncoder, privacyMaskFilterGraph, renderPrivacyMask } from '../src/index.js';

const run = promisify(execFile);
const CENTRE_SQUARE = [
  [0.25, 0.25],
  [0.75, 0.25],
  [0.75, 0.75],
  [0.25, 0.75],
] as const;

describe('privacy masks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-privacy-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('renders polygons in normalized coordinates to a PGM mask', () => {
    const pgm = renderPrivacyMask([CENTRE_SQUARE], 8, 4);
    const header = 'P5\n8 4\n255\n';
    expect(pgm.subarray(0, header.length).toString('ascii')).toBe(header);
    const rows = [...Array(4).keys()].map((r) => [...pgm.subarray(header.length + r * 8, header.length + r * 8 + 8)].map((v) => (v ? 1 : 0)).join(''));
    expect(rows).toEqual(['00000000', '00111100', '00111100', '00000000']);
  });

  it('blacks out exactly the masked area of the picture ffmpeg encodes', async () => {
    const maskPath = join(dir, 'mask.pgm');
    writeFileSync(maskPath, renderPrivacyMask([CENTRE_SQUARE]));
    const { stdout } = await run(
      'ffmpeg',
      ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'color=c=white:s=320x240:d=1', '-loop', '1', '-i', maskPath,
        '-filter_complex', privacyMaskFilterGraph([]), '-map', '[out]', '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'],
      { encoding: 'buffer', maxBuffer: 1 << 20 },
    );
    const frame = stdout as unknown as Buffer;
    expect(frame.length).toBe(320 * 240);
    const at = (x: number, y: number) => frame[y * 320 + x]!;
    expect(at(160, 120)).toBeLessThan(20); // centre: masked
    expect(at(90, 70)).toBeLessThan(20); // just inside the corner
    expect(at(10, 10)).toBeGreaterThan(235); // outside
    expect(at(300, 200)).toBeGreaterThan(235);
    expect(at(70, 120)).toBeGreaterThan(235); // left of the mask
  });

  it('publishes a masked camera (the mask is part of the encoder graph) and refuses a masked passthrough', async () => {
    const maskPath = join(dir, 'mask2.pgm');
    writeFileSync(maskPath, renderPrivacyMask([CENTRE_SQUARE]));
    const encoder = new RtpEncoder({ source: 'lavfi:testsrc2=size=320x240:rate=15', privacyMaskPath: maskPath });
    let packets = 0;
    encoder.on('rtp', () => packets++);
    try {
      await encoder.start();
      await new Promise((r) => setTimeout(r, 500));
      expect(packets).toBeGreaterThan(5);
    } finally {
      await encoder.stop();
    }
    expect(() => new RtpEncoder({ source: 'clip.mp4', passthrough: true, privacyMaskPath: maskPath })).toThrow(/cannot be passed through/);
  });
});
