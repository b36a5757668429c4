import type { EventFilter, StoredEvent } from '@sightline/protocol';
import { csvField } from '../analytics/csv.js';
import { hub } from '../api/client.js';

export const EVENTS_CSV_HEADER = [
  'id',
  'time',
  'camera_id',
  'device_id',
  'type',
  'label',
  'confidence',
  'track_id',
  'zone_id',
  'line_id',
  'direction',
  'dwell_s',
  'x1',
  'y1',
  'x2',
  'y2',
];

/** The most events one export fetches (the newest of the filter); a page is 1000. */
export const EVENTS_EXPORT_MAX = 100_000;

/** Text a spreadsheet would run as a formula (=, +, -, @ first) is prefixed with a quote. */
function text(value: string | null): string {
  if (value === null) return '';
  return csvField(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
}

export function eventCsvRow(stored: StoredEvent): string {
  const e = stored.event;
  const zoneId = 'zoneId' in e ? e.zoneId : null;
  const lineId = 'lineId' in e ? e.lineId : null;
  const direction = e.type === 'line.cross' ? e.direction : null;
  const dwell = e.type === 'zone.exit' || e.type === 'zone.loiter' ? e.dwell : null;
  return [
    text(e.id),
    new Date(e.wallTime).toISOString(),
    text(e.cameraId),
    text(stored.deviceId),
    e.type,
    text(e.label),
    String(e.confidence),
    String(e.trackId),
    text(zoneId),
    text(lineId),
    direction ?? '',
    dwell === null ? '' : String(dwell),
    ...e.bbox.map(String),
  ].join(',');
}

export function eventsCsv(events: readonly StoredEvent[]): string {
  return [EVENTS_CSV_HEADER.join(','), ...events.map(eventCsvRow)].join('\r\n') + '\r\n';
}

/** Every event of the filter, newest first, page by page from the hub, up to EVENTS_EXPORT_MAX. */
export async function fetchEventsForExport(
  filter: EventFilter,
  onProgress: (count: number) => void,
  signal?: AbortSignal,
): Promise<{ events: StoredEvent[]; truncated: boolean }> {
  const events: StoredEvent[] = [];
  for await (const page of hub.events.pages({ ...filter, limit: 1000 }, signal ? { signal } : undefined)) {
    events.push(...page.events);
    onProgress(events.length);
    if (events.length >= EVENTS_EXPORT_MAX) return { events: events.slice(0, EVENTS_EXPORT_MAX), truncated: events.length > EVENTS_EXPORT_MAX || page.nextCursor !== null };
  }
  return { events, truncated: false };
}
