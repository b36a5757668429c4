import { describe, expect, it } from 'vitest';
import { AnalyticsConfigSchema, UUID_V7_PATTERN, WHOLE_FRAME_ZONE_ID, type ZoneExitEvent, type ZoneLoiterEvent } from '@sightline/protocol';
import { analytics, expectValidEvents, path, run, types, walk, SIZE, trackAt } from './scenario.js';

const square = { id: 'square', polygon: [[0.3, 0.3], [0.7, 0.3], [0.7, 0.7], [0.3, 0.7]] as [number, number][] };

describe('zones', () => {
  it('reports enter and exit with dwell and live occupancy for a walk through a square zone', () => {
    const a = analytics({ zones: [square] });
    // 0.125 → 0.925 along y = 0.5 in steps of 0.05: inside for x 0.325 … 0.675 (frames 4-11).
    const frames = walk(path([0.125, 0.5], [0.925, 0.5], 17), { id: 7 });
    const during = run(a, frames.slice(0, 8));
    expect(types(during)).toEqual(['zone.enter']);
    expect(during[0]).toMatchObject({ zoneId: 'square', trackId: 7, frameIndex: 4, sourceTs: 0.4, label: 'person' });
    expect(a.state().occupancy).toEqual({ square: { person: 1 } });

    const after = run(a, frames.slice(8), 8);
    expect(types(after)).toEqual(['zone.exit']);
    const exit = after[0] as ZoneExitEvent;
    expect(exit.frameIndex).toBe(12);
    expect(exit.dwell).toBeCloseTo(0.7); // first inside at 0.4 s, last inside at 1.1 s
    expect(a.state().occupancy).toEqual({ square: {} });
    expectValidEvents([...during, ...after]);
  });

  it('respects a concave polygon: walking through the notch of a U never enters', () => {
    const u = { id: 'u', polygon: [[0.2, 0.2], [0.4, 0.2], [0.4, 0.6], [0.6, 0.6], [0.6, 0.2], [0.8, 0.2], [0.8, 0.8], [0.2, 0.8]] as [number, number][] };
    const a = analytics({ zones: [u] });
    expect(run(a, walk(path([0.5, 0.1], [0.5, 0.55], 10), { id: 1 }))).toEqual([]);
    expect(types(run(a, walk(path([0.3, 0.1], [0.3, 0.55], 10), { id: 2 }), 10))).toEqual(['zone.enter']);
  });

  it('only lets the configured classes in', () => {
    const a = analytics({ zones: [{ ...square, filter: { classes: ['car'] } }] });
    const frames = path([0.1, 0.5], [0.5, 0.5], 9).map((at) => [
      { id: 1, at, label: 'person' },
      { id: 2, at, label: 'car', classId: 2 },
    ]);
    const events = run(a, frames);
    expect(events.map((e) => [e.type, e.trackId, e.label])).toEqual([['zone.enter', 2, 'car']]);
    expect(a.state().occupancy.square).toEqual({ car: 1 });
  });

  it('ignores objects smaller than minArea', () => {
    const a = analytics({ zones: [{ ...square, filter: { minArea: 0.01 } }] });
    const events = run(a, [[
      { id: 1, at: [0.5, 0.5], w: 0.05, h: 0.1 }, // area 0.005
      { id: 2, at: [0.4, 0.5], w: 0.1, h: 0.2 }, // area 0.02
    ]]);
    expect(events.map((e) => e.trackId)).toEqual([2]);
  });

  it('lets the anchor decide: a tall box reaching into a zone above it counts only with the top-center anchor', () => {
    const upper = { id: 'upper', polygon: [[0, 0], [1, 0], [1, 0.4], [0, 0.4]] as [number, number][] };
    const tall = [[{ id: 1, at: [0.5, 0.6] as const, h: 0.4 }]]; // box spans y 0.2-0.6
    expect(run(analytics({ zones: [upper] }), tall)).toEqual([]);
    expect(types(run(analytics({ zones: [{ ...upper, filter: { anchor: 'center' } }] }), tall))).toEqual([]);
    expect(types(run(analytics({ zones: [{ ...upper, filter: { anchor: 'top-center' } }] }), tall))).toEqual(['zone.enter']);
  });

  it('fires loiter once per visit when dwell passes loiterSeconds', () => {
    const a = analytics({ zones: [{ ...square, loiterSeconds: 3 }] });
    const stay = Array.from({ length: 60 }, () => [{ id: 1, at: [0.5, 0.5] as const }]);
    const first = run(a, stay);
    expect(types(first)).toEqual(['zone.enter', 'zone.loiter']);
    const loiter = first[1] as ZoneLoiterEvent;
    expect(loiter.frameIndex).toBe(30);
    expect(loiter.dwell).toBeCloseTo(3);

    // Leave and come back: a new visit may loiter again.
    const again = run(a, [[{ id: 1, at: [0.9, 0.9] }], ...stay], 60);
    expect(types(again)).toEqual(['zone.exit', 'zone.enter', 'zone.loiter']);
    expect((again[0] as ZoneExitEvent).dwell).toBeCloseTo(5.9);
  });

  it('with minFramesInside, a single spurious frame does not enter, and dwell counts from the first frame', () => {
    const a = analytics({ zones: [square] }, { minFramesInside: 3 });
    const blip = run(a, [[{ id: 1, at: [0.5, 0.5] }], [{ id: 1, at: [0.9, 0.5] }], [{ id: 1, at: [0.9, 0.5] }]]);
    expect(blip).toEqual([]);
    const entered = run(a, [[{ id: 1, at: [0.5, 0.5] }], [{ id: 1, at: [0.5, 0.5] }], [{ id: 1, at: [0.5, 0.5] }], [{ id: 1, at: [0.9, 0.5] }]], 3);
    expect(types(entered)).toEqual(['zone.enter', 'zone.exit']);
    expect(entered[0]?.frameIndex).toBe(5);
    expect((entered[1] as ZoneExitEvent).dwell).toBeCloseTo(0.2);
  });

  it('does not split a visit when confidence dips below the filter', () => {
    const a = analytics({ zones: [{ ...square, filter: { minConfidence: 0.5 } }] });
    const scores = [0.9, 0.9, 0.3, 0.2, 0.9];
    const events = run(a, scores.map((score) => [{ id: 1, at: [0.5, 0.5] as const, score }]));
    expect(types(events)).toEqual(['zone.enter']);
    expect(types(run(a, [[{ id: 2, at: [0.5, 0.5], score: 0.3 }]], 5))).toEqual([]);
  });

  it('counts occupancy per class', () => {
    const a = analytics({ zones: [square] });
    run(a, [[
      { id: 1, at: [0.4, 0.5] },
      { id: 2, at: [0.5, 0.5] },
      { id: 3, at: [0.6, 0.5], label: 'car', classId: 2 },
      { id: 4, at: [0.9, 0.9], label: 'car', classId: 2 },
    ]]);
    expect(a.state()).toMatchObject({ cameraId: 'cam-1', sourceTs: 0, occupancy: { square: { person: 2, car: 1 } }, lineCounts: {} });
  });
});

describe('occupancy', () => {
  it('keeps occupancy consistent when the tracker relabels an object mid-visit', () => {
    const a = analytics({ zones: [square] });
    run(a, [[{ id: 1, at: [0.5, 0.5], label: 'car', classId: 2 }], [{ id: 1, at: [0.5, 0.5], label: 'truck', classId: 7 }]]);
    expect(a.state().occupancy.square).toEqual({ car: 1 });
    const [exit] = run(a, [[{ id: 1, at: [0.9, 0.9], label: 'truck', classId: 7 }]], 2);
    expect(exit).toMatchObject({ type: 'zone.exit', label: 'truck' });
    expect(a.state().occupancy.square).toEqual({});
  });
});

describe('whole-frame default zone', () => {
  it('with no zones and no lines, every object that appears enters and every one that leaves exits', () => {
    const a = analytics({}, { exitAfterMissingSeconds: 0.5 });
    const events = run(a, [
      [{ id: 1, at: [0.5, 1] }], // bottom edge of the frame still counts
      [{ id: 1, at: [0.5, 1] }, { id: 2, at: [0.1, 0.3] }],
      [{ id: 2, at: [0.1, 0.3] }],
      ...Array.from({ length: 10 }, () => []),
    ]);
    expect(events.map((e) => [e.type, e.trackId])).toEqual([
      ['zone.enter', 1],
      ['zone.enter', 2],
      ['zone.exit', 1],
      ['zone.exit', 2],
    ]);
    expect(events.every((e) => 'zoneId' in e && e.zoneId === WHOLE_FRAME_ZONE_ID)).toBe(true);
    expect(a.state().occupancy).toEqual({ [WHOLE_FRAME_ZONE_ID]: {} });
  });

  it('is not added when the config has only lines', () => {
    const a = analytics({ lines: [{ id: 'door', a: [0.2, 0.5], b: [0.8, 0.5] }] });
    expect(run(a, [[{ id: 1, at: [0.5, 0.3] }]])).toEqual([]);
    expect(a.state().occupancy).toEqual({});
  });
});

describe('track lifecycle', () => {
  it('exits a track that disappears after exitAfterMissingSeconds, with its last box and last-seen dwell', () => {
    const a = analytics({ zones: [square] }, { exitAfterMissingSeconds: 1 });
    const seen = run(a, walk(path([0.4, 0.5], [0.5, 0.5], 5), { id: 3 }));
    expect(types(seen)).toEqual(['zone.enter']);
    // Reported lost (a predicted box) and then absent: neither refreshes the last sighting.
    const lost = [[{ id: 3, at: [0.9, 0.9] as const, state: 'lost' as const }]];
    const gone = run(a, [...lost, ...Array.from({ length: 20 }, () => [])], 5);
    expect(types(gone)).toEqual(['zone.exit']);
    const exit = gone[0] as ZoneExitEvent;
    expect(exit).toMatchObject({ trackId: 3, frameIndex: 4, sourceTs: 0.4 });
    expect(exit.bbox[3]).toBeCloseTo(0.5);
    expect(exit.dwell).toBeCloseTo(0.4);
    expect(exit.wallTime).toBe(1_700_000_000_000 + 15 * 100); // decided at frame 15, the first more than 1 s after 0.4 s
  });

  it('keeps a visit through a short gap, so the tracker losing an object briefly does not split it', () => {
    const a = analytics({ zones: [square] }, { exitAfterMissingSeconds: 1 });
    const events = run(a, [[{ id: 1, at: [0.5, 0.5] }], [], [], [], [{ id: 1, at: [0.5, 0.5] }]]);
    expect(types(events)).toEqual(['zone.enter']);
  });

  it('exits at once when the tracker reports the track removed', () => {
    const a = analytics({ zones: [square] });
    const events = run(a, [[{ id: 1, at: [0.5, 0.5] }], [{ id: 1, at: [0.5, 0.5], state: 'removed' }]]);
    expect(types(events)).toEqual(['zone.enter', 'zone.exit']);
    expect(events[1]?.frameIndex).toBe(0);
  });

  it('flush exits everything still inside', () => {
    const a = analytics({ zones: [square, { id: 'all', polygon: [[0, 0], [1, 0], [1, 1], [0, 1]] }] });
    run(a, Array.from({ length: 20 }, () => [{ id: 1, at: [0.5, 0.5] as const }, { id: 2, at: [0.1, 0.1] as const }]));
    const flushed = a.flush(2.5);
    expect(flushed.map((e) => [e.type, e.trackId, 'zoneId' in e ? e.zoneId : ''])).toEqual([
      ['zone.exit', 1, 'square'],
      ['zone.exit', 1, 'all'],
      ['zone.exit', 2, 'all'],
    ]);
    expect((flushed[0] as ZoneExitEvent).dwell).toBeCloseTo(1.9);
    expect(a.state()).toMatchObject({ sourceTs: 2.5, occupancy: { square: {}, all: {} } });
    expect(a.flush()).toEqual([]);
  });
});

describe('events', () => {
  it('validate against the protocol schema, with unique sorted UUIDv7 ids and boxes clamped to the frame', () => {
    const a = analytics({
      zones: [{ ...square, loiterSeconds: 0.5 }],
      lines: [{ id: 'l', a: [0.1, 0.6], b: [0.9, 0.6] }],
    });
    const frames = walk(path([0.5, 0.2], [0.5, 0.9], 30), { id: 1, w: 1.5 }); // wider than the frame
    const events = [...run(a, frames), ...a.flush()];
    expect(new Set(types(events))).toEqual(new Set(['zone.enter', 'zone.loiter', 'line.cross', 'zone.exit']));
    expectValidEvents(events);
    const ids = events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const e of events) {
      expect(e.id).toMatch(UUID_V7_PATTERN);
      expect(e.cameraId).toBe('cam-1');
      expect(e.bbox[0]).toBe(0);
      expect(e.bbox[2]).toBe(1);
    }
  });

  it('rejects a malformed frame with a clear error', () => {
    const a = analytics({});
    expect(() => a.update({ tracks: [trackAt({ id: 1, at: [0.5, 0.5] })], frameIndex: 0, pts: 0, width: 0, height: SIZE })).toThrow(/frame size/);
    expect(() => a.update({ tracks: [], frameIndex: -1, pts: 0, width: SIZE, height: SIZE })).toThrow(/frameIndex/);
    expect(() => a.update({ tracks: [], frameIndex: 0, pts: Number.NaN, width: SIZE, height: SIZE })).toThrow(/pts/);
  });
});

describe('reconfigure', () => {
  it('keeps counts of ids that persist and exits visitors of removed zones', () => {
    const line = { id: 'door', a: [0.1, 0.5] as [number, number], b: [0.9, 0.5] as [number, number] };
    const a = analytics({ zones: [square, { id: 'gone', polygon: [[0, 0], [1, 0], [1, 1], [0, 1]] }], lines: [line] });
    run(a, walk(path([0.5, 0.35], [0.5, 0.6], 6), { id: 1 }));
    expect(a.state().lineCounts.door?.in).toBe(1);

    const exits = a.reconfigure(AnalyticsConfigSchema.parse({ zones: [square], lines: [line, { id: 'new', a: [0, 0.2], b: [1, 0.2] }] }));
    expect(exits.map((e) => [e.type, 'zoneId' in e ? e.zoneId : ''])).toEqual([['zone.exit', 'gone']]);
    const state = a.state();
    expect(Object.keys(state.occupancy)).toEqual(['square']);
    expect(state.occupancy.square).toEqual({ person: 1 });
    expect(state.lineCounts.door?.in).toBe(1);
    expect(state.lineCounts.new).toEqual({ in: 0, out: 0, byClass: {} });
    // The visit to the kept zone continues: leaving it gives one exit.
    expect(types(run(a, [[{ id: 1, at: [0.9, 0.9] }]], 6))).toEqual(['zone.exit']);
  });
});
