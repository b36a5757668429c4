import type { LiveOverlayFrame, OverlayObject } from '@sightline/protocol';

/**
 * Checks an overlay frame that came from the network against the protocol's LiveOverlayFrameSchema, by hand so
 * that the browser bundle does not carry zod. It returns a fresh object with only the known fields, or the reason
 * it was refused.
 */
export type OverlayFrameCheck = { ok: true; frame: LiveOverlayFrame } | { ok: false; error: string };

const RESOURCE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const MAX_OBJECTS = 500;
const MAX_SIDE = 16384;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isInt = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

function checkObject(value: unknown, index: number): OverlayObject | string {
  const at = `objects[${index}]`;
  if (!isRecord(value)) return `${at}: not an object`;
  const { classId, label, score, box, trackId } = value;
  if (!isInt(classId, 0, Number.MAX_SAFE_INTEGER)) return `${at}.classId: a non-negative integer`;
  if (typeof label !== 'string' || label.length > 100) return `${at}.label: a string of at most 100 characters`;
  if (!isFiniteNumber(score) || score < 0 || score > 1) return `${at}.score: a number from 0 to 1`;
  if (!Array.isArray(box) || box.length !== 4 || !box.every(isFiniteNumber)) return `${at}.box: four numbers`;
  const [x1, y1, x2, y2] = box as [number, number, number, number];
  if (x2 < x1 || y2 < y1) return `${at}.box: x2 >= x1 and y2 >= y1`;
  if (trackId !== undefined && !isInt(trackId, 1, Number.MAX_SAFE_INTEGER)) return `${at}.trackId: a positive integer`;
  const object: OverlayObject = { classId, label, score, box: [x1, y1, x2, y2] };
  if (trackId !== undefined) object.trackId = trackId;
  return object;
}

export function checkOverlayFrame(value: unknown): OverlayFrameCheck {
  if (!isRecord(value)) return { ok: false, error: 'not an object' };
  const { cameraId, rtpTimestamp, capturedAt, width, height, objects } = value;
  if (typeof cameraId !== 'string' || cameraId.length > 64 || !RESOURCE_ID.test(cameraId)) return { ok: false, error: 'cameraId: a resource id' };
  if (!isInt(rtpTimestamp, 0, 0xffffffff)) return { ok: false, error: 'rtpTimestamp: an unsigned 32-bit integer' };
  if (!isInt(capturedAt, 0, Number.MAX_SAFE_INTEGER)) return { ok: false, error: 'capturedAt: a non-negative integer' };
  if (!isInt(width, 1, MAX_SIDE) || !isInt(height, 1, MAX_SIDE)) return { ok: false, error: `width, height: integers from 1 to ${MAX_SIDE}` };
  if (!Array.isArray(objects) || objects.length > MAX_OBJECTS) return { ok: false, error: `objects: an array of at most ${MAX_OBJECTS}` };
  const checked: OverlayObject[] = [];
  for (let index = 0; index < objects.length; index++) {
    const object = checkObject(objects[index], index);
    if (typeof object === 'string') return { ok: false, error: object };
    checked.push(object);
  }
  return { ok: true, frame: { cameraId, rtpTimestamp, capturedAt, width, height, objects: checked } };
}

/** Parses the data of one `overlay` server-sent event. */
export function parseOverlayFrame(data: string): OverlayFrameCheck {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  return checkOverlayFrame(value);
}
