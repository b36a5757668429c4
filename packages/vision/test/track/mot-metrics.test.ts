import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MotFormatError } from '../../src/track/errors.js';
import { parseMotChallenge } from '../../src/track/mot-format.js';
import { MotAccumulator, evaluateMotChallenge, type MotSummary } from '../../src/track/mot-metrics.js';
import { requireSharedData } from '../../src/util/shared-data.js';

function evaluateFixture(sequence: string): MotSummary {
  const dir = requireSharedData(`mot/metrics-reference/${sequence}`);
  const gt = parseMotChallenge(readFileSync(`${dir}/gt.txt`, 'utf8'));
  const test = parseMotChallenge(readFileSync(`${dir}/test.txt`, 'utf8'));
  return evaluateMotChallenge(gt, test);
}

/** py-motmetrics' own expectations for its fixtures (test_motchallenge_files), see the shared data MANIFEST. */
const expected = {
  'TUD-Campus': { idf1: 0.557659, idp: 0.72973, idr: 0.451253, recall: 0.582173, precision: 0.941441, uniqueObjects: 8, mostlyTracked: 1, partiallyTracked: 6, mostlyLost: 1, falsePositives: 13, falseNegatives: 150, idSwitches: 7, fragmentations: 7, mota: 0.526462, motp: 0.277201 },
  'TUD-Stadtmitte': { idf1: 0.644619, idp: 0.81976, idr: 0.531142, recall: 0.608997, precision: 0.93992, uniqueObjects: 10, mostlyTracked: 5, partiallyTracked: 4, mostlyLost: 1, falsePositives: 45, falseNegatives: 452, idSwitches: 7, fragmentations: 6, mota: 0.564014, motp: 0.345904 },
} as const;

describe('MOT metrics against the py-motmetrics fixtures', () => {
  for (const [sequence, values] of Object.entries(expected)) {
    it(`reproduces ${sequence}`, () => {
      const got = evaluateFixture(sequence);
      for (const [key, value] of Object.entries(values)) {
        const actual = got[key as keyof MotSummary];
        if (Number.isInteger(value)) expect(actual, key).toBe(value);
        else expect(actual, key).toBeCloseTo(value, 3);
      }
    });
  }
});

describe('MotAccumulator', () => {
  const box = (x: number): [number, number, number, number] => [x, 0, x + 10, 10];

  it('counts a switch when an object is picked up by another hypothesis, and a fragmentation for the gap', () => {
    const acc = new MotAccumulator();
    acc.addFrame([{ id: 1, box: box(0) }], [{ id: 7, box: box(0) }]);
    acc.addFrame([{ id: 1, box: box(1) }], []); // missed
    acc.addFrame([{ id: 1, box: box(2) }], [{ id: 8, box: box(2) }]); // switch 7 → 8
    acc.addFrame([{ id: 1, box: box(3) }], [{ id: 8, box: box(3) }, { id: 9, box: box(50) }]); // 9 is a false positive
    const s = acc.summary();
    expect(s).toMatchObject({ objects: 4, predictions: 4, truePositives: 3, falseNegatives: 1, falsePositives: 1, idSwitches: 1, fragmentations: 1 });
    expect(s.mota).toBeCloseTo(1 - 3 / 4, 12);
    // IDF1 pairs object 1 with hypothesis 8 (two frames): IDTP 2.
    expect(s.idtp).toBe(2);
    expect(s.idf1).toBeCloseTo((2 * 2) / (4 + 4), 12);
  });

  it('keeps an existing correspondence rather than switching to a slightly better box', () => {
    const acc = new MotAccumulator();
    acc.addFrame([{ id: 1, box: box(0) }], [{ id: 7, box: box(0) }]);
    // Hypothesis 8 fits better now, but 7 is still within the IoU threshold.
    acc.addFrame([{ id: 1, box: box(0) }], [{ id: 7, box: box(2) }, { id: 8, box: box(0) }]);
    expect(acc.summary()).toMatchObject({ idSwitches: 0, falsePositives: 1, truePositives: 2 });
  });

  it('does not match below the IoU threshold', () => {
    const acc = new MotAccumulator();
    acc.addFrame([{ id: 1, box: box(0) }], [{ id: 7, box: box(6) }]); // IoU 4/16
    expect(acc.summary()).toMatchObject({ truePositives: 0, falsePositives: 1, falseNegatives: 1 });
  });

  it('rejects duplicate ids on a frame', () => {
    expect(() => new MotAccumulator().addFrame([{ id: 1, box: box(0) }, { id: 1, box: box(5) }], [])).toThrow(/duplicate/);
  });
});

describe('parseMotChallenge', () => {
  it('reads MOT15 detections and 10-column results', () => {
    const rows = parseMotChallenge('1,-1,155,199,66,162,51.818\n\n2,3,113.84,274.5,57.307,130.05,-1,-1,-1,-1\n');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toEqual({ frame: 1, id: -1, box: [155, 199, 221, 361], confidence: 51.818 });
    expect(rows[1]!.id).toBe(3);
    expect(rows[1]!.box[2]).toBeCloseTo(113.84 + 57.307, 9);
  });

  it('names the bad line', () => {
    expect(() => parseMotChallenge('1,1,0,0,10,10\n1,2,0,zero,10,10')).toThrow(MotFormatError);
    expect(() => parseMotChallenge('1,1,0,0,10,10\n1,2,0,zero,10,10')).toThrow(/line 2: field 4/);
    expect(() => parseMotChallenge('1,2,3')).toThrow(/at least 6 fields/);
    expect(() => parseMotChallenge('1,2,0,0,-5,10')).toThrow(/negative/);
  });
});
