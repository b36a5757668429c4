import { EventEmitter } from 'node:events';
import type { EventFilter, StoredEvent } from '@sightline/protocol';

type ParsedFilter = Omit<EventFilter, 'from' | 'to' | 'trackId'> & { trackId?: number };

/** Fans newly committed events out to live subscribers (SSE clients) in the same process. */
export class LiveEventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(events: StoredEvent[]): void {
    if (events.length > 0) this.emitter.emit('events', events);
  }

  subscribe(filter: ParsedFilter, listener: (event: StoredEvent) => void): () => void {
    const onEvents = (events: StoredEvent[]) => {
      for (const e of events) if (matches(filter, e)) listener(e);
    };
    this.emitter.on('events', onEvents);
    return () => this.emitter.off('events', onEvents);
  }
}

function matches(f: ParsedFilter, stored: StoredEvent): boolean {
  const e = stored.event;
  if (f.cameraId && e.cameraId !== f.cameraId) return false;
  if (f.deviceId && stored.deviceId !== f.deviceId) return false;
  if (f.type && e.type !== f.type) return false;
  if (f.label && e.label !== f.label) return false;
  if (f.trackId !== undefined && e.trackId !== f.trackId) return false;
  if (f.zoneId && !('zoneId' in e && e.zoneId === f.zoneId)) return false;
  if (f.lineId && !('lineId' in e && e.lineId === f.lineId)) return false;
  return true;
}
