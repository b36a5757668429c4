import { newId, type SightlineEvent } from '@sightline/protocol';
import type { Sighting } from './sighting.js';

/** Distributes over the event union, so each variant keeps its own fields. */
type WithoutBase<E> = E extends SightlineEvent ? Omit<E, keyof EventBase> : never;
type EventBase = Omit<SightlineEvent, 'type' | 'zoneId' | 'lineId' | 'direction' | 'dwell'>;

/** Builds protocol events for one camera; every event gets a fresh UUIDv7 minted at its wall time. */
export class EventFactory {
  constructor(private readonly cameraId: string) {}

  make(sighting: Sighting, wallTime: number, fields: WithoutBase<SightlineEvent>): SightlineEvent {
    const base: EventBase = {
      id: newId(wallTime),
      cameraId: this.cameraId,
      sourceTs: sighting.pts,
      wallTime,
      frameIndex: sighting.frameIndex,
      trackId: sighting.trackId,
      classId: sighting.classId,
      label: sighting.label,
      confidence: sighting.confidence,
      bbox: [...sighting.bbox],
    };
    return { ...base, ...fields };
  }
}
