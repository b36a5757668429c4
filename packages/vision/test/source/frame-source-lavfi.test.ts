import { describe, expect, it } from 'vitest';
import { FrameSource } from '../../src/source/index.js';
import { collectFrames, near, pixel } from './helpers.js';

describe('FrameSource on lavfi test patterns', () => {
  it('letterboxes top-left: geometry, pad value and where a known colour lands', async () => {
    // 320x180 blue with the top-left quadrant red; into 416x416 the scale is 1.3 -> 416x234.
    const source = new FrameSource(
      'lavfi:color=c=blue:size=320x180:rate=10:duration=0.3,drawbox=x=0:y=0:w=160:h=90:color=red:t=fill',
      { width: 416, height: 416 },
    );
    const frames = await collectFrames(source);
    expect(frames).toHaveLength(3);
    const f = frames[0]!;
    expect(f).toMatchObject({ width: 416, height: 416, sourceWidth: 320, sourceHeight: 180, pixelFormat: 'rgb24' });
    expect(f.data.length).toBe(416 * 416 * 3);
    expect(f.geometry).toEqual({ scaleX: 1.3, scaleY: 1.3, padX: 0, padY: 0 });
    expect(near(pixel(f, 50, 50), [255, 0, 0], 6)).toBe(true); // inside the red quadrant
    expect(near(pixel(f, 300, 50), [0, 0, 255], 6)).toBe(true); // blue, right of it
    expect(near(pixel(f, 50, 200), [0, 0, 255], 6)).toBe(true); // blue, below it
    expect(near(pixel(f, 415, 233), [0, 0, 255], 6)).toBe(true); // last picture row
    for (const [x, y] of [[0, 234], [200, 300], [415, 415]] as const) expect(pixel(f, x, y)).toEqual([114, 114, 114]);
  });

  it('letterboxes centred with a custom pad value, matching ffmpeg rounding on odd sizes', async () => {
    // 333x197 into 320x320: scale 320/333, scaled height round(197*320/333)=189, padY floor(131/2)=65.
    // format=rgb24 keeps the odd size (lavfi would round a yuv420p pattern down to even).
    const source = new FrameSource('lavfi:color=c=red:size=333x197:rate=5:duration=0.2,format=rgb24', {
      width: 320,
      height: 320,
      letterboxAlign: 'center',
      padValue: 7,
    });
    const [f] = await collectFrames(source);
    expect([f!.sourceWidth, f!.sourceHeight]).toEqual([333, 197]);
    expect(f!.geometry.padX).toBe(0);
    expect(f!.geometry.padY).toBe(65);
    expect(f!.geometry.scaleY * 197).toBeCloseTo(189, 6);
    const firstRow = 65;
    const lastRow = 65 + 189 - 1;
    expect(pixel(f!, 10, firstRow - 1)).toEqual([7, 7, 7]);
    expect(near(pixel(f!, 10, firstRow), [255, 0, 0], 6)).toBe(true);
    expect(near(pixel(f!, 319, lastRow), [255, 0, 0], 6)).toBe(true);
    expect(pixel(f!, 319, lastRow + 1)).toEqual([7, 7, 7]);
  });

  it("matches ffmpeg's integer rounding where the scaled side is exactly half a pixel", async () => {
    // 150 * 352 / 1920 = 27.5: ffmpeg makes it 28 columns wide.
    const source = new FrameSource('lavfi:color=c=red:size=150x1920:rate=5:duration=0.2,format=rgb24', { width: 352, height: 352 });
    const [f] = await collectFrames(source);
    expect(f!.geometry).toEqual({ scaleX: 28 / 150, scaleY: 352 / 1920, padX: 0, padY: 0 });
    expect(near(pixel(f!, 27, 100), [255, 0, 0], 6)).toBe(true);
    expect(pixel(f!, 28, 100)).toEqual([114, 114, 114]);
  });

  it('stretches without padding', async () => {
    const source = new FrameSource('lavfi:color=c=red:size=320x180:rate=5:duration=0.2', {
      width: 64,
      height: 64,
      resize: 'stretch',
    });
    const [f] = await collectFrames(source);
    expect(f!.geometry).toEqual({ scaleX: 64 / 320, scaleY: 64 / 180, padX: 0, padY: 0 });
    for (const [x, y] of [[0, 0], [63, 63], [0, 63], [32, 40]] as const) expect(near(pixel(f!, x, y), [255, 0, 0], 6)).toBe(true);
  });

  it('orders channels as asked: rgb24 vs bgr24', async () => {
    const options = { width: 32, height: 32, resize: 'stretch' as const };
    const [rgb] = await collectFrames(new FrameSource('lavfi:color=c=red:size=64x64:rate=5:duration=0.2', options));
    const [bgr] = await collectFrames(
      new FrameSource('lavfi:color=c=red:size=64x64:rate=5:duration=0.2', { ...options, pixelFormat: 'bgr24' }),
    );
    expect(near(pixel(rgb!, 16, 16), [255, 0, 0], 6)).toBe(true);
    expect(bgr!.pixelFormat).toBe('bgr24');
    expect(near(pixel(bgr!, 16, 16), [0, 0, 255], 6)).toBe(true);
  });

  it('ends cleanly at EOF with every frame, contiguous indices and exact pts', async () => {
    const source = new FrameSource('lavfi:testsrc2=size=160x120:duration=2:rate=25', { width: 96, height: 96 });
    const states: string[] = [];
    source.on('state', (s) => states.push(s));
    const frames = await collectFrames(source);
    expect(frames).toHaveLength(50);
    frames.forEach((f, i) => {
      expect(f.index).toBe(i);
      expect(f.pts).toBeCloseTo(i / 25, 6);
    });
    expect(states).toEqual(['connecting', 'running', 'ended']);
    expect(source.stats).toMatchObject({ state: 'ended', framesDelivered: 50, framesReceived: 50, dropped: 0, reconnects: 0 });
    expect(await source.next()).toBeNull();
  });

  it('reduces 30 fps to an analysis rate of 10 fps with matching pts', async () => {
    const source = new FrameSource('lavfi:testsrc2=size=160x120:duration=3:rate=30', { width: 64, height: 64, fps: 10 });
    const frames = await collectFrames(source);
    expect(frames.length).toBeGreaterThanOrEqual(29);
    expect(frames.length).toBeLessThanOrEqual(31);
    for (let i = 1; i < frames.length; i++) expect(frames[i]!.pts - frames[i - 1]!.pts).toBeCloseTo(0.1, 6);
    expect(frames.at(-1)!.pts).toBeCloseTo((frames.length - 1) / 10, 6);
  });
});
