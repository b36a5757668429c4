import type { Camera, CountsResponse, Device, EnrollmentToken, StoredEvent } from '@sightline/protocol';

/** Protocol-valid sample answers for canned hub tests. */

export const T0 = Date.UTC(2026, 10, 3, 12, 0, 0);

export function device(overrides: Partial<Device> = {}): Device {
  return {
    id: 'gate-pi',
    kind: 'edge',
    name: 'Gate Pi',
    createdAt: T0,
    enrolled: true,
    online: true,
    lastSeenAt: T0 + 5_000,
    version: '0.1.0',
    cpuPercent: 12.5,
    memoryBytes: 200_000_000,
    configVersion: 3,
    appliedVersion: 3,
    appliedOk: true,
    appliedErrors: [],
    cameras: [{ cameraId: 'dock', state: 'running', fps: 5, droppedFrames: 0, inferenceMs: 14.2 }],
    outbox: { pending: 0, dropped: 0, refused: 0 },
    ...overrides,
  };
}

export function enrollment(overrides: Partial<EnrollmentToken> = {}): EnrollmentToken {
  return {
    deviceId: 'gate-pi',
    token: 'enr_0123456789abcdef',
    expiresAt: T0 + 24 * 3600_000,
    command: 'sightline edge --hub http://hub.example:8080 --token enr_0123456789abcdef',
    ...overrides,
  };
}

export function camera(overrides: Partial<Camera> = {}): Camera {
  return {
    id: 'dock',
    deviceId: 'gate-pi',
    config: {
      id: 'dock',
      name: 'Loading dock',
      source: 'rtsp://10.0.0.5/stream',
      model: 'yolox-nano',
      fps: 5,
      enabled: true,
      analytics: { zones: [], lines: [] },
    },
    createdAt: T0,
    updatedAt: T0,
    configVersion: 3,
    applied: true,
    health: { cameraId: 'dock', state: 'running', fps: 5, droppedFrames: 2, inferenceMs: 14.2 },
    ...overrides,
  };
}

let eventCounter = 0;

/** A stored line-crossing event; ids are valid UUIDs that differ per call. */
export function storedEvent(overrides: Partial<StoredEvent['event']> = {}): StoredEvent {
  eventCounter++;
  const id = `0190f5c2-0000-7000-8000-${eventCounter.toString(16).padStart(12, '0')}`;
  return {
    event: {
      id,
      type: 'line.cross',
      lineId: 'gate',
      direction: 'in',
      cameraId: 'dock',
      sourceTs: 12.4,
      wallTime: T0 + eventCounter * 1000,
      frameIndex: 62,
      trackId: 7,
      classId: 0,
      label: 'person',
      confidence: 0.91,
      bbox: [0.1, 0.2, 0.3, 0.6],
      ...overrides,
    } as StoredEvent['event'],
    deviceId: 'gate-pi',
    ingestedAt: T0 + eventCounter * 1000 + 50,
    snapshots: [{ kind: 'crop', width: 96, height: 160, url: `/api/v1/events/${id}/snapshots/crop` }],
  };
}

export function counts(): CountsResponse {
  return {
    bucket: 'hour',
    points: [
      { bucketStart: T0, cameraId: 'dock', type: 'line.cross', zoneId: null, lineId: 'gate', direction: 'in', label: 'person', count: 14 },
      { bucketStart: T0, cameraId: 'dock', type: 'zone.enter', zoneId: 'bay', lineId: null, direction: null, label: 'forklift', count: 3 },
    ],
  };
}
