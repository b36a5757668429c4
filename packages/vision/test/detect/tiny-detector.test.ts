import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ort from 'onnxruntime-node';
import type { Frame } from '../../src/frame.js';
import { fitGeometry } from '../../src/frame.js';
import { createDetector, type Detector } from '../../src/detect/detector.js';
import { decodeImageToFrame } from '../../src/detect/image-frame.js';
import { loadModelPackage } from '../../src/detect/model-package.js';
import { writeTinyDetectorPackage } from '../../src/detect/testing/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'sightline-tiny-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A buffer of the model size filled with the letterbox grey, with a white rectangle (buffer pixels). */
function frameWithSquare(size: number, geometry: Frame['geometry'], sourceW: number, sourceH: number, rect: number[]): Frame {
  const data = Buffer.alloc(size * size * 3, 114);
  const inW = Math.round(sourceW * geometry.scaleX);
  const inH = Math.round(sourceH * geometry.scaleY);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const inside = x >= geometry.padX && x < geometry.padX + inW && y >= geometry.padY && y < geometry.padY + inH;
      const white = x >= rect[0]! && x < rect[2]! && y >= rect[1]! && y < rect[3]!;
      if (inside) data.fill(white ? 255 : 0, (y * size + x) * 3, (y * size + x) * 3 + 3);
    }
  }
  return { index: 0, pts: 0, data, pixelFormat: 'rgb24', width: size, height: size, sourceWidth: sourceW, sourceHeight: sourceH, geometry };
}

function expectBox(actual: number[], expected: number[], tolerance: number) {
  actual.forEach((v, i) => expect(Math.abs(v - expected[i]!), `coordinate ${i}: ${v} vs ${expected[i]}`).toBeLessThanOrEqual(tolerance));
}

describe('tiny blob detector model', () => {
  it('loads in onnxruntime and puts the square exactly in the centroid cell', async () => {
    const pkg = writeTinyDetectorPackage(join(tmp, 'raw'));
    const session = await ort.InferenceSession.create(pkg.modelPath);
    expect(session.inputNames).toEqual(['images']);
    const S = 256;
    const input = new Float32Array(3 * S * S);
    for (let c = 0; c < 3; c++) for (let y = 50; y < 74; y++) for (let x = 100; x < 124; x++) input[c * S * S + y * S + x] = 1;
    const out = (await session.run({ images: new ort.Tensor('float32', input, [1, 3, S, S]) })).output!;
    expect(out.dims).toEqual([1, 256, 6]);
    const d = out.data as Float32Array;
    const firing = [];
    for (let r = 0; r < 256; r++) if (d[r * 6 + 4]! > 0) firing.push(r);
    // Centroid (112, 62) lies in cell gx 7, gy 3.
    expect(firing).toEqual([3 * 16 + 7]);
    const row = Array.from(d.subarray(firing[0]! * 6, firing[0]! * 6 + 6));
    expect(row[0]).toBeCloseTo(0, 5);
    expect(row[1]).toBeCloseTo(0.875, 5);
    expect(Math.exp(row[2]!) * 16).toBeCloseTo(24, 3);
    expect(row[4]).toBeCloseTo(1, 5);
    await session.release();
  });
});

describe('tiny detector through the worker pool', () => {
  let letterbox: Detector;
  let stretch: Detector;
  beforeAll(async () => {
    const opts = { workers: 1, onWarning: () => {} };
    letterbox = await createDetector({ ...opts, model: loadModelPackage(writeTinyDetectorPackage(join(tmp, 'lb'), { letterboxAlign: 'center' }).dir) });
    stretch = await createDetector({ ...opts, model: loadModelPackage(writeTinyDetectorPackage(join(tmp, 'st'), { resize: 'stretch' }).dir) });
  });
  afterAll(async () => {
    await letterbox?.close();
    await stretch?.close();
  });

  it('maps a letterboxed (centred) detection back to source pixels', async () => {
    // 640×360 source in 256: scale 0.4, 256×144 picture, 56 px of padding on top.
    const g = fitGeometry(640, 360, 256, 256, 'letterbox', 'center');
    expect(g).toEqual({ scaleX: 0.4, scaleY: 0.4, padX: 0, padY: 56 });
    const frame = frameWithSquare(256, g, 640, 360, [120, 96, 144, 120]);
    const dets = await letterbox.detect(frame, 'cam');
    expect(dets).toHaveLength(1);
    expect(dets[0]!.label).toBe('person');
    expect(dets[0]!.score).toBeCloseTo(1, 5);
    expectBox(dets[0]!.box, [300, 100, 360, 160], 0.01);
  });

  it('maps a stretched detection back to source pixels', async () => {
    const g = fitGeometry(640, 360, 256, 256, 'stretch');
    // Buffer square [120, 64, 144, 88] is the source rectangle [300, 90, 360, 123.75].
    const dets = await stretch.detect(frameWithSquare(256, g, 640, 360, [120, 64, 144, 88]));
    expect(dets).toHaveLength(1);
    expectBox(dets[0]!.box, [300, 90, 360, 123.75], 0.01);
  });

  it('finds a white square drawn by ffmpeg (lavfi) end to end', async () => {
    const png = join(tmp, 'square.png');
    execFileSync('ffmpeg', [
      '-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=black:s=640x360',
      '-vf', 'drawbox=x=300:y=100:w=48:h=48:color=white:t=fill', '-frames:v', '1', png,
    ]);
    const frame = await decodeImageToFrame(png, letterbox.inputSpec);
    const dets = await letterbox.detect(frame);
    expect(dets).toHaveLength(1);
    expectBox(dets[0]!.box, [300, 100, 348, 148], 3);
    expect(letterbox.stats().workers[0]!.frames).toBeGreaterThan(0);
  });

  it('reports nothing on an empty frame', async () => {
    const g = fitGeometry(640, 360, 256, 256, 'letterbox', 'center');
    expect(await letterbox.detect(frameWithSquare(256, g, 640, 360, [0, 0, 0, 0]))).toEqual([]);
  });
});
