import type { OccupancyResponse, OccupancySeries } from '@sightline/protocol';

export type OccupancyMeasure = 'max' | 'mean';

export interface OccupancyChartData {
  /** One row per bucket (`t` = its start), one column per series. */
  rows: Record<string, number>[];
  series: string[];
}

/** The name a series has in the chart: its zone (with the camera when several cameras are shown) and its class. */
export function seriesName(s: OccupancySeries, withCamera: boolean): string {
  const zone = withCamera ? `${s.cameraId} / ${s.zoneId}` : s.zoneId;
  return s.label === null ? zone : `${zone} · ${s.label}`;
}

/**
 * Rows for a line chart: every zone's total (all classes), or, with `splitZone` (`cameraId/zoneId`), that zone's
 * classes; the measure is the bucket's peak or its time-weighted mean.
 */
export function occupancyChartData(response: OccupancyResponse, measure: OccupancyMeasure, splitZone?: string): OccupancyChartData {
  const withCamera = new Set(response.series.map((s) => s.cameraId)).size > 1;
  const chosen = response.series.filter((s) => (splitZone === undefined ? s.label === null : s.label !== null && `${s.cameraId}/${s.zoneId}` === splitZone));
  const rows = new Map<number, Record<string, number>>();
  const names: string[] = [];
  for (const s of chosen) {
    const name = seriesName(s, withCamera);
    names.push(name);
    for (const p of s.points) {
      let row = rows.get(p.bucketStart);
      if (!row) rows.set(p.bucketStart, (row = { t: p.bucketStart }));
      row[name] = p[measure];
    }
  }
  return { rows: [...rows.values()].sort((a, b) => a.t! - b.t!), series: names };
}

/** Every zone in the answer, as `cameraId/zoneId`, with a name for people. */
export function occupancyZones(response: OccupancyResponse): { key: string; name: string }[] {
  const withCamera = new Set(response.series.map((s) => s.cameraId)).size > 1;
  return response.series.filter((s) => s.label === null).map((s) => ({ key: `${s.cameraId}/${s.zoneId}`, name: seriesName(s, withCamera) }));
}
