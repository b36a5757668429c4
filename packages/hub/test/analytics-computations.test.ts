import { describe, expect, it } from 'vitest';
import { occupancySeries, sample } from '../src/analytics/occupancy.js';
import { binHeatmap } from '../src/analytics/heatmap.js';
import { modelList } from '../src/http/routes/model-routes.js';
import type { CameraRow, ZoneTransitionRow } from '../src/store/store.js';
import { catalogModels } from '../../vision/src/models/catalog.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 1, 12); // a whole hour

function enter(minute: number, label = 'person', zoneId = 'door', cameraId = 'cam'): ZoneTransitionRow {
  return { cameraId, zoneId, label, type: 'zone.enter', wallTime: T0 + minute * MIN };
}
function exit(minute: number, label = 'person', zoneId = 'door', cameraId = 'cam'): ZoneTransitionRow {
  return { cameraId, zoneId, label, type: 'zone.exit', wallTime: T0 + minute * MIN };
}

describe('occupancy from zone entries and exits', () => {
  const range = { from: T0, to: T0 + 60 * MIN, bucketMs: 10 * MIN, now: T0 + 120 * MIN };

  it('keeps a running count per zone and class and samples each bucket as max, time-weighted mean and last', () => {
    // Two people: one in 2..7, one in 5..25; a car in 12..14.
    const transitions = [enter(2), enter(5), exit(7), enter(12, 'car'), exit(14, 'car'), exit(25)].sort((a, b) => a.wallTime - b.wallTime);
    const series = occupancySeries(transitions, range);
    expect(series.map((s) => [s.zoneId, s.label])).toEqual([
      ['door', null],
      ['door', 'car'],
      ['door', 'person'],
    ]);
    const [all, car, person] = series;
    expect(person!.points.map((p) => p.bucketStart)).toEqual([0, 1, 2, 3, 4, 5].map((k) => T0 + k * 10 * MIN));
    // Bucket 0..10: 0 for 2 min, 1 for 3 min, 2 for 2 min, 1 for 3 min → mean (3 + 4 + 3) / 10 = 1.
    expect(person!.points[0]).toEqual({ bucketStart: T0, max: 2, mean: 1, last: 1 });
    expect(person!.points[1]).toEqual({ bucketStart: T0 + 10 * MIN, max: 1, mean: 1, last: 1 });
    // 20..30: 1 for 5 min, then 0.
    expect(person!.points[2]).toEqual({ bucketStart: T0 + 20 * MIN, max: 1, mean: 0.5, last: 0 });
    expect(person!.points.slice(3).every((p) => p.max === 0 && p.mean === 0 && p.last === 0)).toBe(true);
    expect(car!.points[1]).toEqual({ bucketStart: T0 + 10 * MIN, max: 1, mean: 0.2, last: 0 });
    // All classes: 10..20 has a person throughout and a car for 2 minutes.
    expect(all!.points[1]).toEqual({ bucketStart: T0 + 10 * MIN, max: 2, mean: 1.2, last: 1 });
    expect(all!.points[0]).toEqual(person!.points[0]);
  });

  it('never goes below zero: an exit whose entry is not stored changes nothing', () => {
    const series = occupancySeries([exit(1), exit(2), enter(3), exit(4)], range);
    const person = series.find((s) => s.label === 'person')!;
    // Without clamping the two early exits would make the entry at 3 leave the count at -1.
    expect(person.points[0]).toEqual({ bucketStart: T0, max: 1, mean: 0.1, last: 0 });
  });

  it('counts objects that entered before the range (the warm-up) from its first bucket on', () => {
    const series = occupancySeries([enter(-30), enter(-20), exit(-10), exit(15)], range);
    const person = series.find((s) => s.label === 'person')!;
    expect(person.points[0]).toEqual({ bucketStart: T0, max: 1, mean: 1, last: 1 });
    expect(person.points[1]).toEqual({ bucketStart: T0 + 10 * MIN, max: 1, mean: 0.5, last: 0 });
  });

  it('takes only the final count of transitions in the same millisecond, so a swap is not a peak', () => {
    const series = occupancySeries([enter(1), exit(5), enter(5)], range);
    expect(series.find((s) => s.label === 'person')!.points[0]!.max).toBe(1);
  });

  it('keeps zones and cameras apart, ordered by camera, zone, then all classes before each class', () => {
    const series = occupancySeries([enter(1, 'person', 'b', 'cam-2'), enter(1, 'person', 'a', 'cam-2'), enter(2, 'person', 'z', 'cam-1')], range);
    expect(series.map((s) => `${s.cameraId}/${s.zoneId}/${s.label ?? '*'}`)).toEqual([
      'cam-1/z/*',
      'cam-1/z/person',
      'cam-2/a/*',
      'cam-2/a/person',
      'cam-2/b/*',
      'cam-2/b/person',
    ]);
  });

  it('samples buckets aligned to the bucket size, clips the first to `from` and stops at now', () => {
    const changes = [{ time: T0 + 5 * MIN, level: 2 }];
    // from is 3 minutes into a 10-minute bucket; now is 4 minutes into the second bucket.
    const points = sample(changes, { from: T0 + 3 * MIN, to: T0 + 60 * MIN, bucketMs: 10 * MIN, now: T0 + 14 * MIN });
    expect(points).toEqual([
      // covers 3..10: 0 for 2 min, 2 for 5 min → 10/7
      { bucketStart: T0, max: 2, mean: Math.round((10 / 7) * 1000) / 1000, last: 2 },
      { bucketStart: T0 + 10 * MIN, max: 2, mean: 2, last: 2 },
    ]);
    expect(sample(changes, { from: T0, to: T0 + MIN, bucketMs: MIN, now: T0 })).toEqual([]);
  });
});

describe('heatmap binning', () => {
  it('counts the bottom-centre of each box by default, the centre on request', () => {
    const boxes: [number, number, number, number][] = [
      [0.1, 0.1, 0.3, 0.5], // bottom-centre (0.2, 0.5), centre (0.2, 0.3)
      [0.15, 0.2, 0.25, 0.5], // bottom-centre (0.2, 0.5)
      [0.9, 0.9, 1, 1], // bottom-right corner: last column and row
    ];
    const grid = { cols: 4, rows: 2, anchor: 'bottom-center' as const };
    const bottom = binHeatmap(boxes, grid);
    // (0.2, 0.5) → column 0, row 1; (0.95, 1) → column 3, row 1.
    expect(bottom).toEqual({ cells: [0, 0, 0, 0, 2, 0, 0, 1], max: 2, total: 3 });
    const centre = binHeatmap(boxes, { ...grid, anchor: 'center' });
    // (0.2, 0.3) and (0.2, 0.35) → row 0; (0.95, 0.95) → row 1.
    expect(centre).toEqual({ cells: [2, 0, 0, 0, 0, 0, 0, 1], max: 2, total: 3 });
  });

  it('keeps points slightly outside the picture in the edge cells and skips broken boxes', () => {
    const result = binHeatmap(
      [
        [-0.2, -0.1, -0.1, -0.05],
        [1.1, 0.5, 1.3, 1.2],
        [Number.NaN, 0, 1, 1],
      ],
      { cols: 2, rows: 2, anchor: 'bottom-center' },
    );
    expect(result).toEqual({ cells: [1, 0, 0, 1], max: 1, total: 2 });
  });
});

describe('model list', () => {
  const camera = (id: string, model: string, extra: Partial<CameraRow['config']> = {}): CameraRow => ({
    id,
    deviceId: 'edge-1',
    config: { id, source: 'lavfi:testsrc', model, fps: 5, enabled: true, analytics: { zones: [], lines: [] }, ...extra },
    createdAt: 0,
    updatedAt: 0,
  });

  it('lists the catalogue with the cameras using each model, then the models cameras name that it does not know', () => {
    const catalogue = catalogModels();
    const models = modelList(catalogue, [
      camera('gate', 'yolox-nano', { name: 'Gate', privacy: { masks: [], blur: 'faces', faceModel: 'yunet-s-320' } }),
      camera('dock', '/models/custom/model.json', { enabled: false }),
    ]);
    expect(models.slice(0, catalogue.length).map((m) => m.name)).toEqual(catalogue.map((m) => m.name));
    const yolox = models.find((m) => m.name === 'yolox-nano')!;
    expect(yolox).toMatchObject({ inCatalogue: true, family: 'yolox', input: { width: 416, height: 416 } });
    expect(yolox.labels).toContain('person');
    expect(yolox.cameras).toEqual([{ cameraId: 'gate', deviceId: 'edge-1', name: 'Gate', enabled: true, use: 'detection' }]);
    expect(models.find((m) => m.name === 'yunet-s-320')!.cameras).toEqual([{ cameraId: 'gate', deviceId: 'edge-1', name: 'Gate', enabled: true, use: 'face-blur' }]);
    expect(models[models.length - 1]).toEqual({
      name: '/models/custom/model.json',
      inCatalogue: false,
      description: null,
      family: null,
      version: null,
      license: null,
      input: null,
      labels: [],
      sizeBytes: null,
      url: null,
      cameras: [{ cameraId: 'dock', deviceId: 'edge-1', name: null, enabled: false, use: 'detection' }],
    });
  });
});
