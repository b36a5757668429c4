import { describe, expect, it } from 'vitest';
import {
  AnalyticsConfigSchema,
  ModelManifestSchema,
  SightlineEventSchema,
  ValidationError,
  newId,
  parseOrThrow,
} from '../src/index.js';

const manifest = {
  name: 'yolox-nano',
  family: 'yolox',
  input: { name: 'images', width: 416, height: 416, channelOrder: 'bgr', resize: 'letterbox' },
  labels: ['person', 'car'],
};

describe('ModelManifestSchema', () => {
  it('fills documented defaults', () => {
    const m = ModelManifestSchema.parse(manifest);
    expect(m.input.layout).toBe('nchw');
    expect(m.input.padValue).toBe(114);
    expect(m.strides).toEqual([8, 16, 32]);
    expect(m.file).toBe('model.onnx');
  });

  it('names the bad field', () => {
    expect(() => parseOrThrow(ModelManifestSchema, { ...manifest, family: 'ssd' }, 'model manifest')).toThrow(/family/);
    expect(() => parseOrThrow(ModelManifestSchema, { ...manifest, classThresholds: { horse: 0.5 } }, 'model manifest')).toThrow(
      /classThresholds\.horse: unknown class "horse"/,
    );
  });
});

describe('ModelManifestSchema outputs', () => {
  const face = { ...manifest, labels: ['face'], input: { ...manifest.input, resize: 'stretch' } };

  it('names several outputs by role for multi-output families', () => {
    const m = ModelManifestSchema.parse({ ...face, family: 'ultraface', outputs: { scores: '617', boxes: '618' } });
    expect(m.outputs).toEqual({ scores: '617', boxes: '618' });
    expect(ModelManifestSchema.parse({ ...face, family: 'yunet' }).outputs).toBeUndefined();
  });

  it('rejects output and outputs on the wrong family, unknown roles and shared tensors, naming the field', () => {
    const bad = (value: object) => () => parseOrThrow(ModelManifestSchema, value, 'model manifest');
    expect(bad({ ...face, family: 'yunet', output: 'cls_8' })).toThrow(/output: family yunet reads several outputs/);
    expect(bad({ ...manifest, outputs: { output: 'x' } })).toThrow(/outputs: family yolox reads one output/);
    expect(bad({ ...face, family: 'yunet', outputs: { cls_64: 'a' } })).toThrow(/outputs\.cls_64: family yunet has no output role "cls_64"/);
    expect(bad({ ...face, family: 'ultraface', outputs: { scores: 'x', boxes: 'x' } })).toThrow(
      /outputs\.boxes: tensor "x" is already the scores output/,
    );
  });
});

describe('AnalyticsConfigSchema', () => {
  it('rejects unknown keys, short polygons and duplicate ids with the path', () => {
    const bad = { zones: [{ id: 'a', polygon: [[0, 0], [1, 1]] }], lines: [{ id: 'a', a: [0, 0], b: [1, 1] }] };
    try {
      parseOrThrow(AnalyticsConfigSchema, bad, 'analytics config');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as Error).message).toMatch(/zones\[0\]\.polygon: a zone needs at least 3 points/);
      expect((err as Error).message).toMatch(/lines\[0\]\.id: duplicate id "a"/);
    }
    expect(() => parseOrThrow(AnalyticsConfigSchema, { zone: [] }, 'analytics config')).toThrow(/zone/);
  });

  it('rejects coordinates outside 0-1', () => {
    expect(() => parseOrThrow(AnalyticsConfigSchema, { lines: [{ id: 'l', a: [0, 0], b: [640, 1] }] }, 'cfg')).toThrow(/lines\[0\]\.b\[0\]/);
  });
});

describe('SightlineEventSchema', () => {
  it('accepts a line crossing and rejects an unknown type', () => {
    const ev = {
      id: newId(),
      type: 'line.cross',
      cameraId: 'cam-1',
      sourceTs: 1.5,
      wallTime: Date.now(),
      frameIndex: 45,
      trackId: 3,
      classId: 2,
      label: 'car',
      confidence: 0.8,
      bbox: [0.1, 0.2, 0.3, 0.4],
      lineId: 'gate',
      direction: 'in',
    };
    expect(SightlineEventSchema.parse(ev)).toEqual(ev);
    expect(SightlineEventSchema.safeParse({ ...ev, type: 'line.jump' }).success).toBe(false);
  });
});

describe('resource ids', () => {
  it('accept names people use and refuse "." and ".." (ids become URL segments, topics and file names)', async () => {
    const { ResourceIdSchema } = await import('../src/fleet.js');
    for (const ok of ['dock-3', 'cam_01', 'edge.site-a', '7']) expect(ResourceIdSchema.safeParse(ok).success).toBe(true);
    for (const bad of ['.', '..', '.hidden', 'a/b', '', 'x'.repeat(65), 'sp ace']) expect(ResourceIdSchema.safeParse(bad).success).toBe(false);
  });
});
