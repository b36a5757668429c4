import type { CountPoint } from '@sightline/protocol';

/** RFC 4180 quoting: a field with a comma, quote or line break is quoted, quotes doubled. */
export function csvField(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const COUNTS_CSV_HEADER = ['bucket_start', 'camera_id', 'type', 'zone_id', 'line_id', 'direction', 'label', 'count'];

export function countsCsv(points: readonly CountPoint[]): string {
  const rows = points.map((p) => [new Date(p.bucketStart).toISOString(), p.cameraId, p.type, p.zoneId, p.lineId, p.direction, p.label, p.count].map(csvField).join(','));
  return [COUNTS_CSV_HEADER.join(','), ...rows].join('\r\n') + '\r\n';
}

/** Saves text as a file through a temporary link (no server round trip: the data is already here). */
export function downloadText(filename: string, text: string, type = 'text/csv'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
