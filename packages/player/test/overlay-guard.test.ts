import { LiveOverlayFrameSchema } from '@sightline/protocol';
import { describe, expect, it } from 'vitest';
import { checkOverlayFrame, parseOverlayFrame } from '../src/overlay-guard.js';

const valid = {
  cameraId: 'dock-3.cam_1',
  rtpTimestamp: 0xffffffff,
  capturedAt: 1_760_000_000_000,
  width: 1280,
  height: 720,
  objects: [
    { classId: 0, label: 'person', score: 0.91, box: [10, 20, 110, 220], trackId: 7 },
    { classId: 2, label: 'car', score: 0, box: [0, 0, 0, 0] },
  ],
};

/** Each of these must be refused, by the schema and by the hand-written guard alike. */
const invalid: [string, unknown][] = [
  ['not an object', 'frame'],
  ['null', null],
  ['an array', [valid]],
  ['a camera id with a slash', { ...valid, cameraId: 'a/b' }],
  ['a camera id starting with a dot', { ...valid, cameraId: '.cam' }],
  ['a camera id too long', { ...valid, cameraId: 'c'.repeat(65) }],
  ['a negative timestamp', { ...valid, rtpTimestamp: -1 }],
  ['a timestamp beyond 32 bits', { ...valid, rtpTimestamp: 2 ** 32 }],
  ['a fractional timestamp', { ...valid, rtpTimestamp: 1.5 }],
  ['a timestamp as a string', { ...valid, rtpTimestamp: '3000' }],
  ['no capturedAt', { ...valid, capturedAt: undefined }],
  ['a zero width', { ...valid, width: 0 }],
  ['a huge height', { ...valid, height: 16385 }],
  ['objects not an array', { ...valid, objects: {} }],
  ['too many objects', { ...valid, objects: Array.from({ length: 501 }, () => valid.objects[1]) }],
  ['a score above 1', { ...valid, objects: [{ ...valid.objects[0], score: 1.2 }] }],
  ['a NaN-like score', { ...valid, objects: [{ ...valid.objects[0], score: null }] }],
  ['a box with three numbers', { ...valid, objects: [{ ...valid.objects[0], box: [1, 2, 3] }] }],
  ['an inverted box', { ...valid, objects: [{ ...valid.objects[0], box: [100, 20, 10, 220] }] }],
  ['a box with a string', { ...valid, objects: [{ ...valid.objects[0], box: [1, 2, '3', 4] }] }],
  ['a track id of 0', { ...valid, objects: [{ ...valid.objects[0], trackId: 0 }] }],
  ['a negative class', { ...valid, objects: [{ ...valid.objects[0], classId: -1 }] }],
  ['a long label', { ...valid, objects: [{ ...valid.objects[0], label: 'x'.repeat(101) }] }],
  ['an object that is null', { ...valid, objects: [null] }],
];

describe('overlay frame guard', () => {
  it('accepts a valid frame and copies only the known fields', () => {
    const check = checkOverlayFrame({ ...valid, extra: 'ignored', objects: [{ ...valid.objects[0], color: 'red' }] });
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    expect(check.frame).toEqual({ ...valid, objects: [valid.objects[0]] });
    expect(LiveOverlayFrameSchema.safeParse(valid).success).toBe(true);
  });

  it.each(invalid)('refuses %s, as the protocol schema does', (_name, value) => {
    expect(LiveOverlayFrameSchema.safeParse(value).success).toBe(false);
    const check = checkOverlayFrame(value);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.error.length).toBeGreaterThan(0);
  });

  it('names the field that is wrong and refuses text that is not JSON', () => {
    const check = checkOverlayFrame({ ...valid, objects: [valid.objects[0], { ...valid.objects[0], score: 2 }] });
    expect(check).toEqual({ ok: false, error: 'objects[1].score: a number from 0 to 1' });
    expect(parseOverlayFrame('{"cameraId":')).toEqual({ ok: false, error: 'not JSON' });
    expect(parseOverlayFrame(JSON.stringify(valid)).ok).toBe(true);
  });
});
