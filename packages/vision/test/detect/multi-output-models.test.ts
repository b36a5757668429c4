import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { modelOutputRoles, type ModelManifestInput } from '@sightline/protocol';
import { createDetector } from '../../src/detect/detector.js';
import { ModelError } from '../../src/detect/errors.js';
import { modelPackageFromFile, parseModelManifest } from '../../src/detect/model-package.js';
import { loadSession } from '../../src/detect/session.js';
import { fitGeometry, type Frame } from '../../src/frame.js';
import { catalogDir } from './catalog-dir.js';
import { writeConstantOutputModel, type ConstantOutput } from './constant-output-model.js';

const tmp = mkdtempSync(join(tmpdir(), 'sightline-multi-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const sessionOpts = { intraOpThreads: 1, executionProviders: ['cpu' as const] };

const ultraface: ModelManifestInput = {
  name: 'const-ultraface',
  family: 'ultraface',
  input: { name: 'input', width: 32, height: 24, channelOrder: 'rgb', mean: [127, 127, 127], std: [128, 128, 128], resize: 'stretch' },
  labels: ['face'],
  scoreThreshold: 0.7,
  nmsIou: 0.3,
};

/** Three priors: a face, the same face one prior over (suppressed by NMS), and background. */
function ultrafaceOutputs(names = { scores: 'scores', boxes: 'boxes' }): ConstantOutput[] {
  return [
    { name: names.scores, dims: [1, 3, 2], data: Float32Array.of(0.05, 0.95, 0.1, 0.9, 0.99, 0.01) },
    { name: names.boxes, dims: [1, 3, 4], data: Float32Array.of(0.25, 0.25, 0.5, 0.75, 0.26, 0.25, 0.51, 0.75, 0, 0, 1, 1) },
  ];
}

function blankFrame(width: number, height: number, sourceWidth: number, sourceHeight: number, geometry: Frame['geometry']): Frame {
  return { index: 0, pts: 0, data: Buffer.alloc(width * height * 3), pixelFormat: 'rgb24', width, height, sourceWidth, sourceHeight, geometry };
}

function manifestError(value: unknown): ModelError {
  try {
    parseModelManifest(value);
  } catch (err) {
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).code).toBe('manifest-invalid');
    return err as ModelError;
  }
  throw new Error('expected the manifest to be rejected');
}

describe('manifests of multi-output families', () => {
  it('lists the roles each family reads', () => {
    expect(modelOutputRoles('ultraface', [8, 16, 32])).toEqual(['scores', 'boxes']);
    expect(modelOutputRoles('yunet', [8, 16, 32])).toEqual([
      'cls_8', 'cls_16', 'cls_32', 'obj_8', 'obj_16', 'obj_32', 'bbox_8', 'bbox_16', 'bbox_32',
    ]);
    expect(modelOutputRoles('yolox', [8, 16, 32])).toEqual(['output']);
  });

  it('names the field when outputs are named the wrong way', () => {
    expect(manifestError({ ...ultraface, output: 'scores' }).message).toMatch(
      /output: family ultraface reads several outputs: name them by role in "outputs"/,
    );
    expect(manifestError({ ...ultraface, family: 'yolox', outputs: { output: 'out' } }).message).toMatch(
      /outputs: family yolox reads one output: name it with "output"/,
    );
    expect(manifestError({ ...ultraface, outputs: { score: 'scores' } }).message).toMatch(
      /outputs\.score: family ultraface has no output role "score"; its roles are scores, boxes/,
    );
    // boxes → "scores" collides with the scores role, which reads "scores" by default.
    expect(manifestError({ ...ultraface, outputs: { boxes: 'scores' } }).message).toMatch(
      /outputs\.boxes: tensor "scores" is already the scores output/,
    );
    expect(manifestError({ ...ultraface, family: 'yunet', outputs: { kps_8: 'kps_8' } }).message).toMatch(
      /outputs\.kps_8: family yunet has no output role "kps_8"/,
    );
  });

  it('ships valid catalogue manifests for the four face models', () => {
    const expected = {
      'ultraface-rfb-320': ['ultraface', 320, 240],
      'ultraface-slim-320': ['ultraface', 320, 240],
      'yunet-s-320': ['yunet', 320, 320],
      'yunet-s-640': ['yunet', 640, 640],
    } as const;
    for (const [name, [family, width, height]] of Object.entries(expected)) {
      const m = parseModelManifest(JSON.parse(readFileSync(join(catalogDir, `${name}.json`), 'utf8')), name);
      expect(m).toMatchObject({ name, family, labels: ['face'], input: { width, height } });
      expect(Object.keys(m.outputs ?? {})).toEqual(modelOutputRoles(m.family, m.strides));
      expect(m.url).toMatch(/^https:\/\/github\.com\/(Linzaer|ShiqiYu)\/.*\/raw\/[0-9a-f]{40}\/.*\.onnx$/);
      expect(m.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });
});

describe('sessions of multi-output families', () => {
  it('finds every role by name, or by the manifest outputs map', async () => {
    const plain = writeConstantOutputModel(join(tmp, 'plain.onnx'), { name: 'input', dims: [1, 3, 24, 32] }, ultrafaceOutputs());
    const loaded = await loadSession(plain, parseModelManifest(ultraface), sessionOpts);
    expect(loaded.outputs).toEqual([
      { role: 'scores', name: 'scores' },
      { role: 'boxes', name: 'boxes' },
    ]);
    expect(loaded.outputName).toBe('scores');
    await loaded.session.release();

    const renamed = writeConstantOutputModel(
      join(tmp, 'renamed.onnx'),
      { name: 'input', dims: [1, 3, 24, 32] },
      ultrafaceOutputs({ scores: '617', boxes: '618' }),
    );
    const mapped = await loadSession(renamed, parseModelManifest({ ...ultraface, outputs: { scores: '617', boxes: '618' } }), sessionOpts);
    expect(mapped.outputs).toEqual([
      { role: 'scores', name: '617' },
      { role: 'boxes', name: '618' },
    ]);
    await mapped.session.release();

    await expect(loadSession(renamed, parseModelManifest(ultraface), sessionOpts)).rejects.toMatchObject({
      code: 'output-mismatch',
      message: 'model has no output "scores" for the ultraface role scores (manifest outputs.scores); its outputs are: 617, 618',
    });
    await expect(
      loadSession(renamed, parseModelManifest({ ...ultraface, labels: ['face', 'mask'], outputs: { scores: '617', boxes: '618' } }), sessionOpts),
    ).rejects.toMatchObject({
      code: 'output-mismatch',
      message: 'output "617" (role scores) does not fit family ultraface: dimension 2 (background + 2 labels) is 2, expected 3',
    });
  });

  it('decodes an ultraface model through the worker pool, with NMS, in source pixels', async () => {
    const path = writeConstantOutputModel(join(tmp, 'uf.onnx'), { name: 'input', dims: [1, 3, 24, 32] }, ultrafaceOutputs());
    const detector = await createDetector({ model: modelPackageFromFile(path, ultraface), workers: 1, onWarning: () => {} });
    try {
      // A 64×48 source stretched to 32×24: input fractions are source fractions.
      const dets = await detector.detect(blankFrame(32, 24, 64, 48, fitGeometry(64, 48, 32, 24, 'stretch')));
      expect(dets).toHaveLength(1);
      expect(dets[0]!.label).toBe('face');
      expect(dets[0]!.score).toBeCloseTo(0.95, 6);
      dets[0]!.box.forEach((v, i) => expect(v).toBeCloseTo([16, 12, 32, 36][i]!, 4));
      // Raw inference reports the first role's output.
      const raw = await detector.infer(new Float32Array(3 * 24 * 32));
      expect(raw.outputDims).toEqual([1, 3, 2]);
    } finally {
      await detector.close();
    }
  });

  it('decodes a yunet model with 12 outputs, landmarks left unread', async () => {
    // A 32×32 input: strides 8/16/32 give 16, 4 and 1 cells.
    const cells = { 8: 16, 16: 4, 32: 1 } as const;
    const outputs: ConstantOutput[] = [];
    for (const kind of ['cls', 'obj', 'bbox', 'kps'] as const) {
      for (const s of [8, 16, 32] as const) {
        const width = { cls: 1, obj: 1, bbox: 4, kps: 10 }[kind];
        const data = new Float32Array(cells[s] * width);
        // One face at stride 16, row 0, column 1 (cell 1): a 16×16 box centred on ((1 + 0.5)·16, (0 + 0.5)·16) =
        // (24, 8), score sqrt(0.9 × 0.9).
        if (s === 16 && (kind === 'cls' || kind === 'obj')) data[1] = 0.9;
        if (s === 16 && kind === 'bbox') data.set([0.5, 0.5, 0, 0], 4);
        outputs.push({ name: `${kind}_${s}`, dims: [1, cells[s], width], data });
      }
    }
    const path = writeConstantOutputModel(join(tmp, 'yunet.onnx'), { name: 'input', dims: [1, 3, 32, 32] }, outputs);
    const manifest: ModelManifestInput = {
      name: 'const-yunet',
      family: 'yunet',
      input: { name: 'input', width: 32, height: 32, channelOrder: 'bgr', resize: 'letterbox', padValue: 0 },
      labels: ['face'],
      scoreThreshold: 0.6,
    };
    const detector = await createDetector({ model: modelPackageFromFile(path, manifest), workers: 1, onWarning: () => {} });
    try {
      // A 64×32 source letterboxed top-left into 32×32 at scale 0.5 (rows 16-31 are padding): input [16, 0, 32, 16].
      const dets = await detector.detect(blankFrame(32, 32, 64, 32, fitGeometry(64, 32, 32, 32, 'letterbox', 'top-left')));
      expect(dets).toHaveLength(1);
      expect(dets[0]!.score).toBeCloseTo(0.9, 6);
      dets[0]!.box.forEach((v, i) => expect(v).toBeCloseTo([32, 0, 64, 32][i]!, 4));
    } finally {
      await detector.close();
    }
  });
});
