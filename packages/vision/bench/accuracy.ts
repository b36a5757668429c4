/**
 * Detection accuracy on shared-data coco128: COCO-style mAP@0.5 and mAP@0.5:0.95, plus recall/precision at
 * the MANIFEST.md reference thresholds with greedy same-class matching at IoU ≥ 0.5, next to the MANIFEST reference.
 *
 *   npm run bench:accuracy [-- --model yolox-nano|fastestdet|yolov8n-int8-agpl] [--limit N] [--workers N]
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Box } from '@sightline/protocol';
import {
  createDetector,
  decodeImageToFrame,
  meanAveragePrecision,
  modelPackageFromFile,
  precisionRecallAt,
  resolveClassThresholds,
  type GroundTruthBox,
  type ImageEvaluation,
} from '../src/detect/index.js';
import { requireSharedData } from '../src/util/shared-data.js';
import { CATALOG_DIR } from '../src/models/catalog.js';

interface BenchModel {
  weights: string;
  /** ffmpeg scaler matching the model's training-time resize. */
  scaleFlags: string;
  reference: { threshold: number; predictions: number; truePositives: number; recall: number; precision: number };
}

const MODELS: Record<string, BenchModel> = {
  'yolox-nano': {
    weights: 'models/yolox_nano.onnx',
    scaleFlags: 'bicubic',
    reference: { threshold: 0.3, predictions: 527, truePositives: 375, recall: 0.404, precision: 0.712 },
  },
  fastestdet: {
    weights: 'models/FastestDet.onnx',
    scaleFlags: 'area',
    reference: { threshold: 0.5, predictions: 672, truePositives: 303, recall: 0.326, precision: 0.451 },
  },
  'yolov8n-int8-agpl': {
    weights: 'models/agpl/yolov8n_int8.onnx',
    scaleFlags: 'bicubic',
    reference: { threshold: 0.3, predictions: 554, truePositives: 438, recall: 0.471, precision: 0.791 },
  },
};

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'yolox-nano' },
    limit: { type: 'string' },
    workers: { type: 'string', default: '2' },
  },
});
const modelName = values.model!;
const bench = MODELS[modelName];
if (!bench) {
  console.error(`unknown --model "${modelName}"; use one of ${Object.keys(MODELS).join(', ')}`);
  process.exit(2);
}

const manifest: unknown = JSON.parse(readFileSync(join(CATALOG_DIR, `${modelName}.json`), 'utf8'));
const model = modelPackageFromFile(requireSharedData(bench.weights), manifest);
const imagesDir = requireSharedData('coco128/images/train2017');
const labelsDir = requireSharedData('coco128/labels/train2017');
let files = readdirSync(imagesDir).filter((f) => f.endsWith('.jpg')).sort();
if (values.limit) files = files.slice(0, Number(values.limit));

function readLabels(file: string, width: number, height: number): GroundTruthBox[] {
  const text = readFileSync(join(labelsDir, `${basename(file, '.jpg')}.txt`), 'utf8');
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const [cls, cx, cy, w, h] = line.split(/\s+/).map(Number) as [number, number, number, number, number];
      const box: Box = [(cx - w / 2) * width, (cy - h / 2) * height, (cx + w / 2) * width, (cy + h / 2) * height];
      return { classId: cls, box };
    });
}

// A low threshold for the mAP curve; the manifest thresholds are applied afterwards for recall/precision.
// Greedy NMS is unaffected: a box is only ever suppressed by higher-scoring boxes.
const detector = await createDetector({ model, workers: Number(values.workers), threadsPerWorker: 1, scoreThreshold: 0.001 });
const started = performance.now();
const evaluations: ImageEvaluation[] = new Array(files.length);
let next = 0;
// A few images in flight keep the workers busy without starting 128 ffmpeg processes at once.
async function evaluateNext(): Promise<void> {
  for (let i = next++; i < files.length; i = next++) {
    const file = files[i]!;
    const frame = await decodeImageToFrame(join(imagesDir, file), detector.inputSpec, { scaleFlags: bench!.scaleFlags });
    const detections = await detector.detect(frame, file);
    evaluations[i] = {
      groundTruth: readLabels(file, frame.sourceWidth, frame.sourceHeight),
      predictions: detections.map((d) => ({ classId: d.classId, box: d.box, score: d.score })),
    };
  }
}
await Promise.all(Array.from({ length: Number(values.workers) + 1 }, evaluateNext));
const seconds = (performance.now() - started) / 1000;
const stats = detector.stats();
await detector.close();

// Recall/precision at the threshold the MANIFEST reference used, so the two columns compare like with like.
const thresholds = resolveClassThresholds(model.manifest, { scoreThreshold: bench.reference.threshold });
const map = meanAveragePrecision(evaluations);
const pr = precisionRecallAt(evaluations, (c) => thresholds[c] ?? bench.reference.threshold);
const ref = bench.reference;
const row = (name: string, ours: string | number, reference: string | number) =>
  console.log(`${name.padEnd(28)} ${String(ours).padStart(10)} ${String(reference).padStart(10)}`);

console.log(`\n${modelName} on coco128: ${files.length} images, ${evaluations.reduce((n, e) => n + e.groundTruth.length, 0)} boxes`);
console.log(`${seconds.toFixed(1)} s (ffmpeg decode + inference), inference avg ${stats.inferenceMs.avg.toFixed(1)} ms\n`);
row('metric', 'sightline', 'MANIFEST');
row('mAP@0.5', map.map50.toFixed(3), '-');
row('mAP@0.5:0.95', map.map50to95.toFixed(3), '-');
row(`predictions (score ≥ ${ref.threshold})`, pr.predictions, ref.predictions);
row('true positives (IoU ≥ 0.5)', pr.truePositives, ref.truePositives);
row('recall', pr.recall.toFixed(3), ref.recall.toFixed(3));
row('precision', pr.precision.toFixed(3), ref.precision.toFixed(3));
console.log(`\nmAP is COCO-style (101-point AP, maxDets 100, averaged over the ${map.perClass.length} classes present in the labels).`);
