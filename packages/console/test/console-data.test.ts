import { describe, expect, it } from 'vitest';
import type { OccupancyResponse, StoredEvent } from '@sightline/protocol';
import { countAtLevel, describePosition, heatColour, heatLevel, hotSpots } from '../src/analytics/heat-colours.js';
import { occupancyChartData, occupancyZones } from '../src/analytics/occupancy-chart-data.js';
import { EVENTS_CSV_HEADER, eventsCsv } from '../src/events/events-csv.js';
import { issuesByField } from '../src/ui/zod-issues.js';
import { UpdateHubSettingsRequestSchema } from '@sightline/protocol';

describe('heatmap colours', () => {
  it('maps counts to a square-root level and the level to a scale from clear to red', () => {
    expect(heatLevel(0, 10)).toBe(0);
    expect(heatLevel(10, 10)).toBe(1);
    expect(heatLevel(25, 100)).toBe(0.5);
    expect(heatLevel(5, 0)).toBe(0);
    expect(countAtLevel(0.5, 100)).toBe(25);
    expect(heatColour(0)[3]).toBe(0);
    expect(heatColour(1)).toEqual([239, 68, 68, 210]);
    // Opacity grows along the scale.
    const alphas = [0.1, 0.3, 0.5, 0.8, 1].map((t) => heatColour(t)[3]);
    expect([...alphas].sort((a, b) => a - b)).toEqual(alphas);
  });

  it('names the busiest cells by where they are in the picture', () => {
    const cells = [0, 0, 0, 9, 0, 0, 0, 0, 4];
    expect(hotSpots(cells, 3, 3)).toEqual([
      { col: 0, row: 1, count: 9, x: 1 / 6, y: 0.5 },
      { col: 2, row: 2, count: 4, x: 5 / 6, y: 5 / 6 },
    ]);
    expect(describePosition(1 / 6, 0.5)).toBe('middle left');
    expect(describePosition(0.5, 0.5)).toBe('centre');
    expect(describePosition(0.9, 0.1)).toBe('top right');
  });
});

describe('occupancy chart data', () => {
  const response: OccupancyResponse = {
    from: 0,
    to: 120_000,
    bucket: 'minute',
    warmupMs: 0,
    transitions: 4,
    series: [
      { cameraId: 'cam', zoneId: 'door', label: null, points: [{ bucketStart: 0, max: 2, mean: 1.5, last: 1 }, { bucketStart: 60_000, max: 1, mean: 0.5, last: 0 }] },
      { cameraId: 'cam', zoneId: 'door', label: 'car', points: [{ bucketStart: 0, max: 1, mean: 0.5, last: 0 }, { bucketStart: 60_000, max: 0, mean: 0, last: 0 }] },
      { cameraId: 'cam', zoneId: 'door', label: 'person', points: [{ bucketStart: 0, max: 1, mean: 1, last: 1 }, { bucketStart: 60_000, max: 1, mean: 0.5, last: 0 }] },
    ],
  };

  it('draws one line per zone, or one per class of a chosen zone, with the peak or the mean', () => {
    expect(occupancyChartData(response, 'max')).toEqual({ rows: [{ t: 0, door: 2 }, { t: 60_000, door: 1 }], series: ['door'] });
    expect(occupancyChartData(response, 'mean', 'cam/door')).toEqual({
      rows: [
        { t: 0, 'door · car': 0.5, 'door · person': 1 },
        { t: 60_000, 'door · car': 0, 'door · person': 0.5 },
      ],
      series: ['door · car', 'door · person'],
    });
    expect(occupancyZones(response)).toEqual([{ key: 'cam/door', name: 'door' }]);
    const two = { ...response, series: [...response.series, { ...response.series[0]!, cameraId: 'cam-2' }] };
    expect(occupancyZones(two).map((z) => z.name)).toEqual(['cam / door', 'cam-2 / door']);
  });
});

describe('events CSV', () => {
  it('writes one row per event with its zone or line, and defuses text a spreadsheet would run', () => {
    const stored: StoredEvent[] = [
      {
        event: { id: '0190d7a2-0000-7000-8000-000000000001', type: 'zone.exit', cameraId: 'gate', sourceTs: 1, wallTime: Date.UTC(2026, 0, 1), frameIndex: 5, trackId: 7, classId: 0, label: '=cmd, "x"', confidence: 0.9, bbox: [0.1, 0.2, 0.3, 0.4], zoneId: 'door', dwell: 2.5 },
        deviceId: 'edge-1',
        ingestedAt: 0,
        snapshots: [],
      },
      {
        event: { id: '0190d7a2-0000-7000-8000-000000000002', type: 'line.cross', cameraId: 'gate', sourceTs: 2, wallTime: Date.UTC(2026, 0, 1, 0, 1), frameIndex: 6, trackId: 8, classId: 2, label: 'car', confidence: 0.75, bbox: [0, 0, 1, 1], lineId: 'street', direction: 'out' },
        deviceId: 'edge-1',
        ingestedAt: 0,
        snapshots: [],
      },
    ];
    const lines = eventsCsv(stored).split('\r\n');
    expect(lines[0]).toBe(EVENTS_CSV_HEADER.join(','));
    expect(lines[1]).toBe(`0190d7a2-0000-7000-8000-000000000001,2026-01-01T00:00:00.000Z,gate,edge-1,zone.exit,"'=cmd, ""x""",0.9,7,door,,,2.5,0.1,0.2,0.3,0.4`);
    expect(lines[2]).toBe('0190d7a2-0000-7000-8000-000000000002,2026-01-01T00:01:00.000Z,gate,edge-1,line.cross,car,0.75,8,,street,out,,0,0,1,1');
    expect(lines[3]).toBe('');
  });
});

describe('settings validation in the console', () => {
  it('names each bad field the way the hub does', () => {
    const parsed = UpdateHubSettingsRequestSchema.safeParse({ eventRetentionDays: 0, iceServers: [{ urls: 'stun:ok.example.org' }, { urls: 'turn:t.example.org' }] });
    expect(parsed.success).toBe(false);
    const fields = issuesByField(parsed.error!);
    expect([...fields.keys()]).toEqual(['eventRetentionDays', 'iceServers[1].username']);
    expect(fields.get('iceServers[1].username')).toBe('a TURN server needs a username and a credential');
  });
});
