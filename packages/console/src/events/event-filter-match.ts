import type { EventFilter, StoredEvent } from '@sightline/protocol';

/** Whether a live event belongs in a list filtered by `filter`, the way the hub's query would decide. */
export function eventMatches(stored: StoredEvent, filter: EventFilter): boolean {
  const e = stored.event;
  if (filter.cameraId !== undefined && e.cameraId !== filter.cameraId) return false;
  if (filter.deviceId !== undefined && stored.deviceId !== filter.deviceId) return false;
  if (filter.type !== undefined && e.type !== filter.type) return false;
  if (filter.label !== undefined && e.label !== filter.label) return false;
  if (filter.trackId !== undefined && e.trackId !== Number(filter.trackId)) return false;
  if (filter.zoneId !== undefined && ('zoneId' in e ? e.zoneId : undefined) !== filter.zoneId) return false;
  if (filter.lineId !== undefined && ('lineId' in e ? e.lineId : undefined) !== filter.lineId) return false;
  if (filter.from !== undefined && e.wallTime < Number(filter.from)) return false;
  if (filter.to !== undefined && e.wallTime >= Number(filter.to)) return false;
  return true;
}
