import { describe, expect, it } from 'vitest';
import type { Detection } from '@sightline/protocol';
import { createDetector } from '../../src/detect/detector.js';
import { decodeImageToFrame } from '../../src/detect/image-frame.js';
import { requireSharedData } from '../../src/util/shared-data.js';
import { sharedModel } from './catalog-dir.js';

interface Expected {
  label: string;
  score: number;
  box: [number, number, number, number];
}

/** MANIFEST.md section 1 reference outputs on images/dog.jpg. */
const cases: { name: string; path: string; scaleFlags?: string; expected: Expected[] }[] = [
  {
    name: 'yolox-nano',
    path: 'models/yolox_nano.onnx',
    expected: [
      { label: 'dog', score: 0.849, box: [133, 207, 325, 543] },
      { label: 'car', score: 0.81, box: [467, 79, 694, 172] },
      { label: 'bicycle', score: 0.805, box: [57, 133, 572, 428] },
    ],
  },
  {
    name: 'fastestdet',
    path: 'models/FastestDet.onnx',
    // Upstream resizes with cv2 INTER_AREA; bicubic moves the bicycle box by ~60 px.
    scaleFlags: 'area',
    expected: [
      { label: 'dog', score: 0.767, box: [124, 200, 335, 539] },
      { label: 'car', score: 0.758, box: [453, 71, 698, 171] },
      { label: 'bicycle', score: 0.744, box: [177, 150, 592, 421] },
    ],
  },
  {
    name: 'yolov8n-int8-agpl',
    path: 'models/agpl/yolov8n_int8.onnx',
    expected: [
      { label: 'dog', score: 0.956, box: [132, 219, 308, 540] },
      { label: 'bicycle', score: 0.887, box: [132, 137, 569, 420] },
      { label: 'car', score: 0.574, box: [468, 75, 693, 170] },
      { label: 'truck', score: 0.545, box: [468, 74, 694, 170] },
    ],
  },
];

function expectMatches(dets: Detection[], expected: Expected[]) {
  expect(dets.map((d) => d.label).sort()).toEqual(expected.map((e) => e.label).sort());
  for (const e of expected) {
    const d = dets.find((x) => x.label === e.label)!;
    expect(Math.abs(d.score - e.score), `${e.label} score ${d.score}`).toBeLessThanOrEqual(0.03);
    d.box.forEach((v, i) => expect(Math.abs(v - e.box[i]!), `${e.label} box ${d.box.map(Math.round).join(',')}`).toBeLessThanOrEqual(8));
  }
}

describe('real models on images/dog.jpg', () => {
  const image = requireSharedData('images/dog.jpg');
  for (const c of cases) {
    it(`${c.name} matches the MANIFEST reference`, async () => {
      const detector = await createDetector({ model: sharedModel(c.name, c.path), workers: 1, threadsPerWorker: 2 });
      try {
        const frame = await decodeImageToFrame(image, detector.inputSpec, { scaleFlags: c.scaleFlags });
        expect([frame.sourceWidth, frame.sourceHeight]).toEqual([768, 576]);
        expectMatches(await detector.detect(frame), c.expected);
      } finally {
        await detector.close();
      }
    });
  }
});
