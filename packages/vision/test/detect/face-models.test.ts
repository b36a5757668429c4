import { describe, expect, it } from 'vitest';
import type { Detection } from '@sightline/protocol';
import { createDetector } from '../../src/detect/detector.js';
import { decodeImageToFrame } from '../../src/detect/image-frame.js';
import { findCatalogModelBySha256 } from '../../src/models/catalog.js';
import { sha256File } from '../../src/models/sha256-file.js';
import { requireSharedData } from '../../src/util/shared-data.js';
import { sharedModel } from './catalog-dir.js';

type Box = [number, number, number, number];

/**
 * MANIFEST.md section 1: frame 30 of videos/faces_three_people.mp4 (480×270), three frontal faces. The Ultra-Light
 * references are at score > 0.7 / NMS 0.3; the YuNet one was taken at 640 (score > 0.6), and the MANIFEST gives none
 * at 320, so yunet-s-320 is held to the 640 figures with one more pixel of slack.
 */
const yunet640: { score: number; box: Box }[] = [
  { score: 0.94, box: [58, 79, 108, 147] },
  { score: 0.91, box: [347, 99, 403, 171] },
  { score: 0.91, box: [196, 69, 255, 139] },
];
const cases: { name: string; path: string; boxTolerance: number; expected: { score: number; box: Box }[] }[] = [
  {
    name: 'ultraface-rfb-320',
    path: 'models/face/version-RFB-320.onnx',
    boxTolerance: 3,
    expected: [
      { score: 1.0, box: [59, 80, 104, 151] },
      { score: 1.0, box: [200, 63, 254, 140] },
      { score: 0.71, box: [350, 96, 402, 163] },
    ],
  },
  {
    name: 'ultraface-slim-320',
    path: 'models/face/version-slim-320.onnx',
    boxTolerance: 3,
    expected: [
      { score: 1.0, box: [59, 79, 106, 148] },
      { score: 0.99, box: [198, 64, 254, 142] },
      { score: 0.82, box: [349, 95, 402, 168] },
    ],
  },
  { name: 'yunet-s-640', path: 'models/face/yunet_s_640_640.onnx', boxTolerance: 3, expected: yunet640 },
  { name: 'yunet-s-320', path: 'models/face/yunet_s_320_320.onnx', boxTolerance: 4, expected: yunet640 },
];

const round = (d: Detection) => `${d.score.toFixed(3)} [${d.box.map(Math.round).join(',')}]`;

describe('face models on frame 30 of videos/faces_three_people.mp4', () => {
  const video = requireSharedData('videos/faces_three_people.mp4');
  for (const c of cases) {
    it(`${c.name} matches the MANIFEST reference`, async () => {
      // The shared file must be the catalogued (official) one, so this checks the catalogue entry as shipped.
      const sha = await sha256File(requireSharedData(c.path));
      expect(findCatalogModelBySha256(sha)?.name).toBe(c.name);
      const detector = await createDetector({ model: sharedModel(c.name, c.path), workers: 1, threadsPerWorker: 1 });
      try {
        const frame = await decodeImageToFrame(video, detector.inputSpec, { frameIndex: 30 });
        expect([frame.sourceWidth, frame.sourceHeight]).toEqual([480, 270]);
        const dets = await detector.detect(frame);
        const got = dets.map(round).join('  ');
        expect(dets.map((d) => d.label), got).toEqual(['face', 'face', 'face']);
        // Faces stand side by side, so matching by left edge pairs each detection with its reference.
        const byX = [...dets].sort((a, b) => a.box[0] - b.box[0]);
        const want = [...c.expected].sort((a, b) => a.box[0] - b.box[0]);
        want.forEach((e, k) => {
          const d = byX[k]!;
          expect(Math.abs(d.score - e.score), `score of face ${k}: ${got}`).toBeLessThanOrEqual(0.03);
          d.box.forEach((v, i) => expect(Math.abs(v - e.box[i]!), `box of face ${k}: ${got}`).toBeLessThanOrEqual(c.boxTolerance));
        });
      } finally {
        await detector.close();
      }
    });
  }
});
