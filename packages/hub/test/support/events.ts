import { newId, type EventBatch, type SightlineEvent, type Snapshot } from '@sightline/protocol';

/** An 8×8 baseline JPEG (made with jpeg-js), small enough to inline and real enough for any decoder. */
export const TINY_JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wCEABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2MBERISGBUYLxoaL2NCOEJjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY//AABEIAAgACAMBEQACEQEDEQH/xAGiAAABBQEBAQEBAQAAAAAAAAAAAQIDBAUGBwgJCgsQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGhCCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh4uPk5ebn6Onq8fLz9PX29/j5+gEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoLEQACAQIEBAMEBwUEBAABAncAAQIDEQQFITEGEkFRB2FxEyIygQgUQpGhscEJIzNS8BVictEKFiQ04SXxFxgZGiYnKCkqNTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqCg4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2dri4+Tl5ufo6ery8/T19vf4+fr/2gAMAwEAAhEDEQA/AJY9C/2K8N4s9WWO8z//2Q==',
  'base64',
);

let frame = 0;

export function zoneEnter(cameraId: string, overrides: Partial<Extract<SightlineEvent, { type: 'zone.enter' }>> = {}): SightlineEvent {
  frame++;
  return {
    id: newId(),
    type: 'zone.enter',
    cameraId,
    sourceTs: frame / 5,
    wallTime: Date.now(),
    frameIndex: frame,
    trackId: 1,
    classId: 0,
    label: 'person',
    confidence: 0.9,
    bbox: [0.1, 0.2, 0.3, 0.6],
    zoneId: 'door',
    ...overrides,
  };
}

export function lineCross(cameraId: string, direction: 'in' | 'out' = 'in'): SightlineEvent {
  frame++;
  return {
    id: newId(),
    type: 'line.cross',
    cameraId,
    sourceTs: frame / 5,
    wallTime: Date.now(),
    frameIndex: frame,
    trackId: 2,
    classId: 2,
    label: 'car',
    confidence: 0.8,
    bbox: [0.4, 0.4, 0.6, 0.7],
    lineId: 'gate',
    direction,
  };
}

export function snapshotOf(event: SightlineEvent, kind: 'crop' | 'frame' = 'crop', jpeg: Buffer = TINY_JPEG): Snapshot {
  return { eventId: event.id, kind, width: 8, height: 8, jpeg: jpeg.toString('base64') };
}

export function batchOf(deviceId: string, events: SightlineEvent[], snapshots: Snapshot[] = []): EventBatch {
  return { batchId: newId(), deviceId, events, snapshots };
}
