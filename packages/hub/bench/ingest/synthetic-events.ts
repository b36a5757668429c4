import { randomBytes, randomUUID } from 'node:crypto';
import { newId, type EventBatch, type SightlineEvent, type Snapshot } from '@sightline/protocol';

const LABELS = [
  [0, 'person'],
  [0, 'person'],
  [0, 'person'],
  [2, 'car'],
  [7, 'truck'],
  [1, 'bicycle'],
] as const;
const ZONES = ['loading-dock', 'entrance-north', 'aisle-3', 'parking-east'];
const LINES = ['gate-a', 'door-main'];

/** A JPEG-sized payload that passes the hub's check (JPEG magic); the hub stores snapshot bytes without decoding them. */
const SNAPSHOT_JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(12_000)]).toString('base64');

/**
 * Events shaped like the vision engine's: full-precision floats for boxes and confidences (as the detector gives
 * them), four cameras per device, mostly zone enter/exit with some line crossings and loitering. About 400 bytes of
 * JSON each.
 */
export class SyntheticEvents {
  private frame = 0;
  private track = 1;
  private readonly startedAt = Date.now();

  constructor(
    private readonly deviceId: string,
    private readonly snapshotShare: number,
  ) {}

  batch(size: number): { batch: EventBatch; sampleId: string } {
    const events: SightlineEvent[] = [];
    const snapshots: Snapshot[] = [];
    const wallTime = Date.now();
    for (let i = 0; i < size; i++) {
      const event = this.event(wallTime);
      events.push(event);
      if (this.snapshotShare > 0 && Math.random() < this.snapshotShare) {
        snapshots.push({ eventId: event.id, kind: 'crop', width: 160, height: 320, jpeg: SNAPSHOT_JPEG });
      }
    }
    // The newest id of the batch: once it is queryable, the whole batch is (one transaction).
    const sampleId = events[events.length - 1]!.id;
    return { batch: { batchId: randomUUID(), deviceId: this.deviceId, events, snapshots }, sampleId };
  }

  private event(wallTime: number): SightlineEvent {
    this.frame += 1 + Math.floor(Math.random() * 3);
    if (Math.random() < 0.3) this.track++;
    const [classId, label] = LABELS[Math.floor(Math.random() * LABELS.length)]!;
    const x1 = Math.random() * 0.7;
    const y1 = Math.random() * 0.7;
    const base = {
      id: newId(wallTime),
      cameraId: `${this.deviceId}-cam-${this.frame % 4}`,
      sourceTs: (wallTime - this.startedAt) / 1000 + Math.random() / 25,
      wallTime,
      frameIndex: this.frame,
      trackId: this.track,
      classId,
      label,
      confidence: 0.3 + Math.random() * 0.69,
      bbox: [x1, y1, x1 + 0.05 + Math.random() * 0.25, y1 + 0.05 + Math.random() * 0.25] as [number, number, number, number],
    };
    const pick = Math.random();
    const zoneId = ZONES[this.track % ZONES.length]!;
    if (pick < 0.35) return { ...base, type: 'zone.enter', zoneId };
    if (pick < 0.7) return { ...base, type: 'zone.exit', zoneId, dwell: Math.random() * 60 };
    if (pick < 0.75) return { ...base, type: 'zone.loiter', zoneId, dwell: 30 + Math.random() * 120 };
    return { ...base, type: 'line.cross', lineId: LINES[this.track % LINES.length]!, direction: Math.random() < 0.5 ? 'in' : 'out' };
  }
}
