import { describe, expect, it } from 'vitest';
import { buildFfmpegArgs, buildVideoFilter } from '../../src/source/ffmpeg-args.js';
import { resolveFrameSourceOptions } from '../../src/source/frame-source-options.js';
import { resolveSourceInput } from '../../src/source/index.js';

const capabilities = { showinfoChecksumOption: true };
const resolve = (options: Parameters<typeof resolveFrameSourceOptions>[0], live = false) =>
  resolveFrameSourceOptions(options, live, 'test');

describe('ffmpeg command line', () => {
  it('letterboxes with fps, showinfo before scaling, area scaling, RGB padding', () => {
    const filter = buildVideoFilter(resolve({ width: 416, height: 416, fps: 10 }), capabilities);
    expect(filter).toBe(
      'fps=10:round=up,showinfo=checksum=0,scale=416:416:force_original_aspect_ratio=decrease:flags=area,format=rgb24,' +
        'pad=416:416:x=0:y=0:color=0x727272',
    );
  });

  it('centres, stretches, and falls back to plain showinfo on old ffmpeg', () => {
    const centred = buildVideoFilter(resolve({ width: 640, height: 640, letterboxAlign: 'center', padValue: 0, pixelFormat: 'bgr24' }), {
      showinfoChecksumOption: false,
    });
    expect(centred).toBe(
      'showinfo,scale=640:640:force_original_aspect_ratio=decrease:flags=area,format=bgr24,' +
        'pad=640:640:x=floor((ow-iw)/2):y=floor((oh-ih)/2):color=0x000000',
    );
    expect(buildVideoFilter(resolve({ width: 352, height: 352, resize: 'stretch', scaler: 'bilinear' }), capabilities)).toBe(
      'showinfo=checksum=0,scale=352:352:flags=bilinear,format=rgb24',
    );
  });

  it('puts input options before -i and passes every frame through once', () => {
    const args = buildFfmpegArgs(resolveSourceInput('rtsp://cam/s'), resolve({ width: 64, height: 64 }, true), capabilities);
    expect(args.slice(0, 5)).toEqual(['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'level+info']);
    expect(args.indexOf('-rtsp_transport')).toBeLessThan(args.indexOf('-i'));
    expect(args[args.indexOf('-i') + 1]).toBe('rtsp://cam/s');
    expect(args.join(' ')).toContain('-map 0:v:0 -an -sn -dn');
    expect(args.join(' ')).toContain('-vsync passthrough -f rawvideo -pix_fmt rgb24 pipe:1');
    expect(args.slice(args.indexOf('-threads'), args.indexOf('-threads') + 2)).toEqual(['-threads', '1']);
    expect(args.indexOf('-threads')).toBeLessThan(args.indexOf('-i'));
    const auto = buildFfmpegArgs(resolveSourceInput('rtsp://cam/s'), resolve({ width: 64, height: 64, decodeThreads: 0 }, true), capabilities);
    expect(auto).not.toContain('-threads');
  });

  it('defaults overflow by liveness', () => {
    expect(resolve({ width: 1, height: 1 }, true).overflow).toBe('drop-oldest');
    expect(resolve({ width: 1, height: 1 }, false).overflow).toBe('pause');
    expect(resolve({ width: 1, height: 1 }, true)).toMatchObject({ queueSize: 3, padValue: 114, startupTimeoutMs: 15000 });
  });
});
